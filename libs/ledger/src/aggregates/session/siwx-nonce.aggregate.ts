import { canonicalJson } from '../../envelope/canonical-json.util';
import type { EventEnvelope } from '../../envelope/event-envelope';
import type { EventDataMap } from '../../events/ledger-events';
import type { SessionNonceConsumedData, SessionNonceIssuedData } from '../../events/session.events';
import { LedgerErrorCode, LedgerException } from '../../ledger.exception';
import type { EventDraft } from '../../stream/event-factory';
import type { Aggregate } from '../aggregate';
import { checkOccurredAt, commandData, draftOf, invalidTransition } from '../command-data.util';
import type { DecisionContext } from '../decision-context';
import { assertTenant, nextCursor, type StreamCursor } from '../stream-cursor.util';

/** none → issued → consumed (terminal). A nonce the ledger never saw issued may still be consumed once. */
export interface SiwxNonceState extends StreamCursor {
  status: 'none' | 'issued' | 'consumed';
  issued: SessionNonceIssuedData | null;
  consumed: SessionNonceConsumedData | null;
}

export type SiwxNonceCommand =
  | { type: 'IssueNonce'; data: SessionNonceIssuedData; occurredAt?: string }
  | { type: 'ConsumeNonce'; data: SessionNonceConsumedData; occurredAt?: string };

export function initialSiwxNonceState(): SiwxNonceState {
  return { streamId: null, tenant: null, sequence: 0, status: 'none', issued: null, consumed: null };
}

/**
 * Replay protection for SIWx proofs: a nonce is consumed at most once (NONCE_ALREADY_CONSUMED, also on an identical
 * retry: a replayed proof must never be accepted twice) and not after its expiresAt (NONCE_EXPIRED).
 */
export function decideSiwxNonce(
  state: SiwxNonceState,
  command: SiwxNonceCommand,
  context: DecisionContext,
): EventDraft[] {
  assertTenant(state, context, 'nonce');
  const at = checkOccurredAt(command.occurredAt);
  switch (command.type) {
    case 'IssueNonce': {
      const data = commandData('session.nonce_issued', command.data);
      if (state.status === 'consumed') {
        throw new LedgerException(LedgerErrorCode.TERMINAL_STATE, `nonce ${data.nonce} is already consumed`);
      }
      if (state.issued !== null) {
        if (canonicalJson(state.issued) === canonicalJson(data)) return [];
        throw new LedgerException(LedgerErrorCode.IDEMPOTENCY_CONFLICT, `nonce ${data.nonce} was issued differently`);
      }
      return [draftOf('session.nonce_issued', data, at)];
    }
    case 'ConsumeNonce': {
      const data = commandData('session.nonce_consumed', command.data);
      if (state.issued !== null && state.issued.nonce !== data.nonce) {
        throw new LedgerException(LedgerErrorCode.NOT_FOUND, `nonce ${data.nonce} not found on this stream`);
      }
      if (state.status === 'consumed') {
        throw new LedgerException(LedgerErrorCode.NONCE_ALREADY_CONSUMED, `nonce ${data.nonce} was already consumed`);
      }
      if (state.issued !== null && context.now.getTime() > Date.parse(state.issued.expiresAt)) {
        throw new LedgerException(
          LedgerErrorCode.NONCE_EXPIRED,
          `nonce ${data.nonce} expired at ${state.issued.expiresAt}`,
        );
      }
      return [draftOf('session.nonce_consumed', data, at)];
    }
    default:
      throw new LedgerException(
        LedgerErrorCode.INVALID_COMMAND,
        `unknown nonce command ${(command as { type: unknown }).type}`,
      );
  }
}

export function evolveSiwxNonce(state: SiwxNonceState, envelope: EventEnvelope): SiwxNonceState {
  const cursor = nextCursor(state, envelope, 'session');
  switch (envelope.type) {
    case 'session.nonce_issued':
      if (state.status !== 'none') throw invalidTransition(`nonce issued twice or after consumption`);
      return { ...state, ...cursor, status: 'issued', issued: envelope.data as EventDataMap['session.nonce_issued'] };
    case 'session.nonce_consumed':
      if (state.status === 'consumed') {
        throw new LedgerException(LedgerErrorCode.NONCE_ALREADY_CONSUMED, `nonce consumed twice`);
      }
      return {
        ...state,
        ...cursor,
        status: 'consumed',
        consumed: envelope.data as EventDataMap['session.nonce_consumed'],
      };
    default:
      throw new LedgerException(LedgerErrorCode.STREAM_MISMATCH, `${envelope.type} does not belong on a nonce stream`);
  }
}

/** The SIWx nonce aggregate (stream = nonceStreamId(nonce), streamType `session`). */
export const siwxNonceAggregate: Aggregate<SiwxNonceState, SiwxNonceCommand> = {
  streamType: 'session',
  initialState: initialSiwxNonceState,
  decide: decideSiwxNonce,
  evolve: evolveSiwxNonce,
};
