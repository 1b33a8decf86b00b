import type { EventEnvelope } from '../envelope/event-envelope';
import { LedgerErrorCode, LedgerException } from '../ledger.exception';
import type { DecisionContext } from './decision-context';

/** The position part every aggregate state carries. */
export interface StreamCursor {
  /** null until the first event is applied. */
  streamId: string | null;
  tenant: string | null;
  /** Sequence of the last applied event (0 = none). */
  sequence: number;
}

/** Checks that `envelope` is the next event of this stream (same stream, same tenant, sequence + 1). */
export function nextCursor(state: StreamCursor, envelope: EventEnvelope, streamType: string): StreamCursor {
  if (envelope.streamType !== streamType) {
    throw new LedgerException(
      LedgerErrorCode.STREAM_MISMATCH,
      `${envelope.type} is on a ${envelope.streamType} stream, expected ${streamType}`,
    );
  }
  if (state.streamId !== null && envelope.streamId !== state.streamId) {
    throw new LedgerException(
      LedgerErrorCode.STREAM_MISMATCH,
      `event of stream ${envelope.streamId} applied to stream ${state.streamId}`,
    );
  }
  if (state.tenant !== null && envelope.tenant !== state.tenant) {
    throw new LedgerException(
      LedgerErrorCode.STREAM_MISMATCH,
      `event of tenant ${envelope.tenant} on a stream of another tenant`,
    );
  }
  if (envelope.sequence !== state.sequence + 1) {
    throw new LedgerException(
      LedgerErrorCode.STREAM_MISMATCH,
      `expected sequence ${state.sequence + 1} on stream ${envelope.streamId}, got ${envelope.sequence}`,
    );
  }
  return { streamId: envelope.streamId, tenant: envelope.tenant, sequence: envelope.sequence };
}

/** A stream belongs to one tenant; to anyone else it does not exist. */
export function assertTenant(state: StreamCursor, context: DecisionContext, what: string): void {
  if (state.tenant !== null && state.tenant !== context.tenant) {
    throw new LedgerException(LedgerErrorCode.NOT_FOUND, `${what} not found`);
  }
}
