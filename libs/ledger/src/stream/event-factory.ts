import type { EventEnvelope } from '../envelope/event-envelope';
import type { EventRegistry, StreamType } from '../events/event-registry';
import { eventRegistry, type EventDataMap, type EventType } from '../events/ledger-events';
import { eventId } from '../ids/ledger-ids.util';
import { LedgerErrorCode, LedgerException } from '../ledger.exception';
import type { Clock } from './clock.port';

/** A fact decided by an aggregate, not yet placed on a stream. */
export type EventDraft<T extends EventType = EventType> = {
  [K in T]: {
    type: K;
    data: EventDataMap[K];
    /** When the fact happened (ISO ms Z); defaults to the clock's now. */
    occurredAt?: string;
  };
}[T];

/** Where the drafts go: the stream and the sequence of its last applied event (0 for a new stream). */
export interface StreamPosition {
  streamType: StreamType;
  streamId: string;
  lastSequence: number;
}

/** Who is writing and why: copied onto every envelope. */
export interface EventContext {
  tenant: string;
  correlationId: string;
  /** Id of the command or event that caused these facts; null for an external trigger with no id. */
  causationId: string | null;
  /** The writing component, e.g. `facilitator@0.1.0`. */
  producer: string;
}

/**
 * Turns drafts into envelopes: next sequences, deterministic ids (eventId(streamId, type, sequence)), latest schema
 * version, recordedAt from the clock, and the context's tenant/correlation/causation/producer. Every envelope is
 * validated against its contract before it is returned.
 *
 * Build the envelopes ONCE per decision and retry the append with the very same envelopes: ids are deterministic
 * anyway, and the bytes stay identical because recordedAt is not re-read.
 */
export class EventFactory {
  constructor(
    private readonly clock: Clock,
    private readonly registry: EventRegistry = eventRegistry,
  ) {}

  create(stream: StreamPosition, drafts: readonly EventDraft[], context: EventContext): EventEnvelope[] {
    if (!Number.isSafeInteger(stream.lastSequence) || stream.lastSequence < 0) {
      throw new LedgerException(LedgerErrorCode.STREAM_MISMATCH, `lastSequence must be an integer ≥ 0`);
    }
    const recordedAt = this.clock.now().toISOString();
    return drafts.map((draft, index) => {
      const sequence = stream.lastSequence + index + 1;
      const envelope: EventEnvelope = {
        id: eventId(stream.streamId, draft.type, sequence),
        type: draft.type,
        version: this.registry.latestVersion(draft.type),
        streamType: stream.streamType,
        streamId: stream.streamId,
        sequence,
        occurredAt: draft.occurredAt ?? recordedAt,
        recordedAt,
        tenant: context.tenant,
        correlationId: context.correlationId,
        causationId: context.causationId,
        producer: context.producer,
        data: draft.data as Record<string, unknown>,
      };
      return this.registry.parseEnvelope(envelope, { upcast: false });
    });
  }
}
