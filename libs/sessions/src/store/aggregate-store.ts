import type { EventLog } from '@x402-ledger/event-log';
import {
  type Aggregate,
  type Clock,
  type EventContext,
  type EventEnvelope,
  type EventFactory,
} from '@x402-ledger/ledger';
import { KeyedMutex } from './keyed-mutex';

/** The part of an aggregate state every store needs. */
interface Cursor {
  sequence: number;
}

export interface ExecuteResult<S> {
  state: S;
  envelopes: EventEnvelope[];
}

/**
 * In-memory states of one aggregate type, kept current from the log: rebuilt by `apply` (replay on start) and
 * advanced by `execute` (decide → envelopes → durable append → evolve). Commands on one stream are serialized
 * (KeyedMutex), so single-use and limit rules hold under concurrency within this process. An envelope whose
 * sequence is already applied is skipped (at-least-once replays are harmless).
 */
export class AggregateStore<S extends Cursor, C> {
  private readonly states = new Map<string, S>();
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly aggregate: Aggregate<S, C>,
    private readonly log: EventLog,
    private readonly factory: EventFactory,
    private readonly clock: Clock,
    /** Called after every state change (replay and execute): secondary indexes hook in here. */
    private readonly onChange: (streamId: string, state: S, envelope: EventEnvelope) => void = () => undefined,
  ) {}

  get(streamId: string): S | undefined {
    return this.states.get(streamId);
  }

  /** Applies one logged envelope of this aggregate (replay). */
  apply(envelope: EventEnvelope): void {
    const current = this.states.get(envelope.streamId) ?? this.aggregate.initialState();
    if (envelope.sequence <= current.sequence) return;
    const next = this.aggregate.evolve(current, envelope);
    this.states.set(envelope.streamId, next);
    this.onChange(envelope.streamId, next, envelope);
  }

  /**
   * Decides a command on the stream's current state and appends the resulting events durably before the state moves.
   * `command` may be a function of the current state, evaluated inside the stream's critical section (throw from it
   * to refuse). Resolves only after the append resolved.
   */
  execute(streamId: string, command: C | ((state: S) => C), context: EventContext): Promise<ExecuteResult<S>> {
    return this.mutex.run(streamId, async () => {
      const state = this.states.get(streamId) ?? this.aggregate.initialState();
      const resolved = typeof command === 'function' ? (command as (state: S) => C)(state) : command;
      const drafts = this.aggregate.decide(state, resolved, { tenant: context.tenant, now: this.clock.now() });
      if (drafts.length === 0) return { state, envelopes: [] };
      const envelopes = this.factory.create(
        { streamType: this.aggregate.streamType, streamId, lastSequence: state.sequence },
        drafts,
        context,
      );
      await this.log.append(envelopes);
      let next = state;
      for (const envelope of envelopes) {
        next = this.aggregate.evolve(next, envelope);
        this.states.set(streamId, next);
        this.onChange(streamId, next, envelope);
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
}
