import { EventLogException, type EventLog, type LogPosition, type StreamOwnership } from '@x402-ledger/event-log';
import {
  canonicalJson,
  type Aggregate,
  type Clock,
  type EventContext,
  type EventEnvelope,
  type EventFactory,
} from '@x402-ledger/ledger';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';
import { KeyedMutex } from './keyed-mutex';

/** The part of an aggregate state every store needs. */
interface Cursor {
  sequence: number;
}

export interface ExecuteResult<S> {
  state: S;
  envelopes: EventEnvelope[];
}

/** Hooks of the secondary indexes built over a store. */
export interface AggregateStoreHooks<S> {
  /** Called after every state change (replay, fold and execute). */
  onChange?: (streamId: string, state: S, envelope: EventEnvelope) => void;
  /** Kafka mode: a stream's state was dropped (its partition was reassigned) — forget what was derived from it. */
  onDrop?: (streamId: string, state: S) => void;
  /** Kafka mode: a stream's state was restored from a partition snapshot — derive what `onChange` would have. */
  onRestore?: (streamId: string, state: S) => void;
}

/** Longest a fenced writer waits for its own append to come back through the ownership fold. */
export const FENCE_WAIT_MS = 10_000;

/**
 * In-memory states of one aggregate type, kept current from the log, with commands on one stream serialized
 * (KeyedMutex) so single-use and limit rules hold under concurrency. An envelope whose sequence is already applied is
 * skipped (at-least-once replays are harmless).
 *
 * - Embedded (no ownership, or one that is not fenced): rebuilt by `apply` (replay on start) and advanced by
 *   `execute` (decide → envelopes → durable append → evolve).
 * - Kafka (`useOwnership` with a fenced StreamOwnership): the states are those of the owned partitions, fed by the
 *   ownership's fold (`fold`, `resetPartition`, `snapshotPartition`); `apply` is ignored. `execute` claims the stream
 *   first (NOT_OWNER, retryable), does not evolve its own envelopes but waits until the fold passed them and requires
 *   the folded state to equal what they produce (WRITE_CONFLICT, retryable, otherwise: another writer's facts were
 *   kept — nothing may follow from this command's).
 */
export class AggregateStore<S extends Cursor, C> {
  private readonly states = new Map<string, S>();
  private readonly mutex = new KeyedMutex();
  private readonly hooks: AggregateStoreHooks<S>;
  private ownership: StreamOwnership | null = null;
  /** Fenced writes in flight: stream → sequence → fingerprint of the envelope the fold kept at that sequence. */
  private readonly watched = new Map<string, Map<number, string>>();

  constructor(
    private readonly aggregate: Aggregate<S, C>,
    private readonly log: EventLog,
    private readonly factory: EventFactory,
    private readonly clock: Clock,
    hooks: AggregateStoreHooks<S> | ((streamId: string, state: S, envelope: EventEnvelope) => void) = {},
  ) {
    this.hooks = typeof hooks === 'function' ? { onChange: hooks } : hooks;
  }

  /**
   * Binds a fenced (Kafka) StreamOwnership before anything is folded: from then on the ownership's fold feeds the
   * states. A non-fenced (embedded) ownership changes nothing: the process owns everything and folds its appends.
   */
  useOwnership(ownership: StreamOwnership): this {
    this.ownership = ownership.fenced ? ownership : null;
    return this;
  }

  get owned(): StreamOwnership | null {
    return this.ownership;
  }

  get(streamId: string): S | undefined {
    return this.states.get(streamId);
  }

  /**
   * Resolves when this process may answer for the stream from its states (Kafka: it owns the stream's partition and
   * has caught up; embedded: always). Otherwise the retryable NOT_OWNER: a non-owner has not folded the stream, and
   * "not found" or "unused" from it would be false.
   */
  async claimForRead(streamId: string): Promise<void> {
    const ownership = this.ownership;
    if (ownership !== null && !ownership.owns(streamId)) await claim(ownership, streamId);
  }

  /** Applies one logged envelope of this aggregate (replay). Ignored when the ownership's fold feeds the store. */
  apply(envelope: EventEnvelope): void {
    if (this.ownership === null) this.evolveLogged(envelope);
  }

  /** Kafka mode: one record of an owned partition (the ownership's fold). */
  fold(envelope: EventEnvelope): void {
    this.evolveLogged(envelope);
  }

  /** Kafka mode: forgets the streams of `partition`, then restores `snapshot` (from `snapshotPartition`) if any. */
  resetPartition(partition: number, snapshot: unknown): void {
    const ownership = this.requireOwnership();
    for (const [id, state] of [...this.states]) {
      if (ownership.partitionOf(id) !== partition) continue;
      this.states.delete(id);
      this.hooks.onDrop?.(id, state);
    }
    if (snapshot === null || snapshot === undefined) return;
    if (!Array.isArray(snapshot)) throw new Error(`not a ${this.aggregate.streamType} states snapshot`);
    const restored: Array<[string, S]> = [];
    for (const entry of snapshot as unknown[]) {
      const [id, state] = Array.isArray(entry) ? (entry as [unknown, Partial<S> | undefined]) : [];
      if (typeof id !== 'string' || typeof state?.sequence !== 'number' || ownership.partitionOf(id) !== partition) {
        throw new Error(`snapshot entry ${String(id)} of ${this.aggregate.streamType} is invalid`);
      }
      restored.push([id, state as S]);
    }
    for (const [id, state] of restored) {
      this.states.set(id, state);
      this.hooks.onRestore?.(id, state);
    }
  }

  /** Kafka mode: the states of the partition's streams (JSON). */
  snapshotPartition(partition: number): Array<[string, S]> {
    const ownership = this.requireOwnership();
    return [...this.states].filter(([id]) => ownership.partitionOf(id) === partition);
  }

  /**
   * Decides a command on the stream's current state and appends the resulting events durably before the state moves.
   * `command` may be a function of the current state, evaluated inside the stream's critical section (throw from it
   * to refuse). Resolves only after the append resolved (Kafka mode: and after the fence held).
   */
  execute(streamId: string, command: C | ((state: S) => C), context: EventContext): Promise<ExecuteResult<S>> {
    return this.mutex.run(streamId, async () => {
      const ownership = this.ownership;
      if (ownership !== null && !ownership.owns(streamId)) await claim(ownership, streamId);
      const state = this.states.get(streamId) ?? this.aggregate.initialState();
      const resolved = typeof command === 'function' ? (command as (state: S) => C)(state) : command;
      const drafts = this.aggregate.decide(state, resolved, { tenant: context.tenant, now: this.clock.now() });
      if (drafts.length === 0) return { state, envelopes: [] };
      const envelopes = this.factory.create(
        { streamType: this.aggregate.streamType, streamId, lastSequence: state.sequence },
        drafts,
        context,
      );
      if (ownership !== null) {
        let expected = state;
        for (const envelope of envelopes) expected = this.aggregate.evolve(expected, envelope);
        this.watched.set(streamId, new Map());
        try {
          const positions = await this.log.append(envelopes);
          return { state: await this.fence(ownership, streamId, expected, envelopes, positions), envelopes };
        } finally {
          this.watched.delete(streamId);
        }
      }
      await this.log.append(envelopes);
      let next = state;
      for (const envelope of envelopes) {
        next = this.aggregate.evolve(next, envelope);
        this.states.set(streamId, next);
        this.hooks.onChange?.(streamId, next, envelope);
      }
      return { state: next, envelopes };
    });
  }

  delete(streamId: string): void {
    this.states.delete(streamId);
  }

  entries(): IterableIterator<[string, S]> {
    return this.states.entries();
  }

  get size(): number {
    return this.states.size;
  }

  private evolveLogged(envelope: EventEnvelope): void {
    const current = this.states.get(envelope.streamId) ?? this.aggregate.initialState();
    if (envelope.sequence <= current.sequence) return;
    const next = this.aggregate.evolve(current, envelope);
    this.states.set(envelope.streamId, next);
    this.watched.get(envelope.streamId)?.set(envelope.sequence, fingerprint(envelope));
    this.hooks.onChange?.(envelope.streamId, next, envelope);
  }

  /**
   * Waits until the fold passed this append and checks the log kept exactly this command's facts: the folded state
   * equals what they produce AND the envelopes folded at their sequences are these ones (not another writer's with
   * the same effect — e.g. two consumptions of one nonce with the same data must not both succeed).
   */
  private async fence(
    ownership: StreamOwnership,
    streamId: string,
    expected: S,
    envelopes: readonly EventEnvelope[],
    positions: readonly LogPosition[],
  ): Promise<S> {
    const last = positions[positions.length - 1];
    if (last === undefined) throw new Error('the event log returned no position for an append');
    try {
      await ownership.awaitFolded(last, FENCE_WAIT_MS);
    } catch (error) {
      throw new SessionsException(
        SessionsErrorCode.WRITE_CONFLICT,
        `stream ${streamId}: this process lost the stream before its facts were folded; retry`,
        { cause: error, details: error instanceof EventLogException ? error.details : { retryAfterMs: 1000 } },
      );
    }
    const folded = this.states.get(streamId);
    const kept = this.watched.get(streamId);
    const ours = envelopes.every((e) => kept?.get(e.sequence) === fingerprint(e));
    if (!ours || folded === undefined || canonicalJson(folded) !== canonicalJson(expected)) {
      throw new SessionsException(
        SessionsErrorCode.WRITE_CONFLICT,
        `stream ${streamId}: another writer recorded facts on this stream first; retry`,
        { details: { retryAfterMs: 100 } },
      );
    }
    return folded;
  }

  private requireOwnership(): StreamOwnership {
    if (this.ownership === null) throw new Error('this store does not follow a stream ownership');
    return this.ownership;
  }
}

/** What tells one writer's envelope from another's at the same (deterministic) id. */
function fingerprint(e: EventEnvelope): string {
  return canonicalJson([e.id, e.occurredAt, e.correlationId, e.causationId, e.producer]);
}

/** Claims the stream; NOT_OWNER / NOT_READY become the sessions' retryable NOT_OWNER. */
async function claim(ownership: StreamOwnership, streamId: string): Promise<void> {
  try {
    await ownership.claim(streamId);
  } catch (error) {
    if (error instanceof EventLogException && error.retryable) {
      throw new SessionsException(SessionsErrorCode.NOT_OWNER, `stream ${streamId}: ${error.message}`, {
        cause: error,
        details: error.details,
      });
    }
    throw error;
  }
}
