import type { EventLog, LogPosition, OwnedStreamsFold, StreamOwnership } from '@x402-ledger/event-log';
import { evolvePayment, initialPaymentState, type EventEnvelope, type PaymentState } from '@x402-ledger/ledger';
import { PaymentStreamLocks, PaymentStreamStore } from './payment-streams.port';

/**
 * A PaymentStreamStore of its own, for a process where no facilitator owns the payment streams (tests, a refunds-only
 * process in embedded mode). Folds with the ledger's `evolvePayment`; a stream that fails to fold is quarantined
 * (refused, never guessed at). In the daemon bind the facilitator's store instead: two stores would be two writers.
 */
export class FoldedPaymentStreams extends PaymentStreamStore {
  private readonly states = new Map<string, PaymentState>();
  readonly quarantined = new Map<string, string>();

  /** `ownership` (Kafka mode): fold only the streams this process owns, and fence writes by the log's order. */
  constructor(private readonly ownership: StreamOwnership | null = null) {
    super();
  }

  get fenced(): boolean {
    return this.ownership?.fenced ?? false;
  }

  async load(log: EventLog): Promise<void> {
    if (this.ownership) return this.ownership.start(this.foldFor(this.ownership));
    await log.replay(async (batch) => this.apply(batch.map((b) => b.envelope)));
  }

  claim(streamId: string): Promise<void> {
    if (this.ownership === null || this.ownership.owns(streamId)) return Promise.resolve();
    return this.ownership.claim(streamId);
  }

  awaitFolded(position: LogPosition, timeoutMs?: number): Promise<void> {
    return this.ownership === null ? Promise.resolve() : this.ownership.awaitFolded(position, timeoutMs);
  }

  private foldFor(ownership: StreamOwnership): OwnedStreamsFold {
    const mine = (partition: number) => (id: string) => ownership.partitionOf(id) === partition;
    return {
      fold: (records) => this.apply(records.map((r) => r.envelope)),
      reset: (partition, snapshot) => {
        const inPartition = mine(partition);
        for (const id of [...this.states.keys()]) if (inPartition(id)) this.states.delete(id);
        for (const id of [...this.quarantined.keys()]) if (inPartition(id)) this.quarantined.delete(id);
        for (const [id, state] of (snapshot as Array<[string, PaymentState]> | null) ?? []) {
          if (inPartition(id)) this.states.set(id, state);
        }
      },
      snapshot: (partition) => [...this.states].filter(([id]) => mine(partition)(id)),
    };
  }

  get(streamId: string): PaymentState | undefined {
    return this.states.get(streamId);
  }

  apply(envelopes: readonly EventEnvelope[]): void {
    for (const envelope of envelopes) {
      if (envelope.streamType !== 'payment' || this.quarantined.has(envelope.streamId)) continue;
      const state = this.states.get(envelope.streamId) ?? initialPaymentState();
      if (envelope.sequence <= state.sequence) continue;
      try {
        this.states.set(envelope.streamId, evolvePayment(state, envelope));
      } catch (error) {
        this.quarantined.set(envelope.streamId, error instanceof Error ? error.message : String(error));
        this.states.delete(envelope.streamId);
      }
    }
  }
}

/** In-process per-key mutex (the facilitator's KeyedMutex does the same; bind that one in the daemon). */
export class InProcessPaymentLocks extends PaymentStreamLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
