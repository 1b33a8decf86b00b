import type { EventLog, OwnedStreamsFold, StreamOwnership } from '@x402-ledger/event-log';
import { evolvePayment, initialPaymentState, type EventEnvelope, type PaymentState } from '@x402-ledger/ledger';

/**
 * In-memory payment states folded with the ledger's own `evolvePayment`. A stream that fails to fold (corrupt or
 * foreign) is quarantined: it is reported and its payment is refused rather than guessed at.
 */
export class PaymentStates {
  private readonly states = new Map<string, PaymentState>();
  /** Streams whose status is settlement_submitted (kept incrementally: the reconciler sweeps it every few seconds). */
  private readonly submitted = new Set<string>();
  readonly quarantined = new Map<string, string>();

  get(streamId: string): PaymentState | undefined {
    return this.states.get(streamId);
  }

  apply(envelopes: readonly EventEnvelope[]): void {
    for (const envelope of envelopes) {
      if (envelope.streamType !== 'payment' || this.quarantined.has(envelope.streamId)) continue;
      const state = this.states.get(envelope.streamId) ?? initialPaymentState();
      if (envelope.sequence <= state.sequence) continue; // already folded (replayed twice)
      try {
        const next = evolvePayment(state, envelope);
        this.states.set(envelope.streamId, next);
        if (next.status === 'settlement_submitted') this.submitted.add(envelope.streamId);
        else this.submitted.delete(envelope.streamId);
      } catch (error) {
        this.quarantined.set(envelope.streamId, error instanceof Error ? error.message : String(error));
        this.states.delete(envelope.streamId);
        this.submitted.delete(envelope.streamId);
      }
    }
  }

  inFlight(): PaymentState[] {
    return [...this.submitted].map((id) => this.states.get(id)!);
  }

  async load(log: EventLog): Promise<void> {
    await log.replay(async (batch) => this.apply(batch.map((b) => b.envelope)));
  }

  /**
   * The fold StreamOwnership feeds (Kafka mode): records of the owned partitions; on a (re)assignment the
   * partition's streams are dropped and restored from its snapshot; snapshots carry the partition's states and
   * quarantined streams (PaymentState is plain JSON).
   */
  foldFor(ownership: StreamOwnership): OwnedStreamsFold {
    const inPartition = (partition: number) => (streamId: string) => ownership.partitionOf(streamId) === partition;
    return {
      fold: (records) => this.apply(records.map((r) => r.envelope)),
      reset: (partition, snapshot) => {
        const mine = inPartition(partition);
        for (const id of [...this.states.keys()]) if (mine(id)) this.drop(id);
        for (const id of [...this.quarantined.keys()]) if (mine(id)) this.quarantined.delete(id);
        if (snapshot === null || snapshot === undefined) return;
        const s = snapshot as Partial<PaymentStatesSnapshot>;
        if (!Array.isArray(s.states) || !Array.isArray(s.quarantined)) throw new Error('not a payment states snapshot');
        for (const [id, state] of s.states) {
          if (!mine(id) || typeof state?.sequence !== 'number') throw new Error(`snapshot entry ${id} is invalid`);
          this.states.set(id, state);
          if (state.status === 'settlement_submitted') this.submitted.add(id);
        }
        for (const [id, reason] of s.quarantined) if (mine(id)) this.quarantined.set(id, reason);
      },
      snapshot: (partition): PaymentStatesSnapshot => {
        const mine = inPartition(partition);
        return {
          states: [...this.states].filter(([id]) => mine(id)),
          quarantined: [...this.quarantined].filter(([id]) => mine(id)),
        };
      },
    };
  }

  private drop(streamId: string): void {
    this.states.delete(streamId);
    this.submitted.delete(streamId);
  }
}

/** What a partition snapshot of the payment states holds (JSON). */
export interface PaymentStatesSnapshot {
  states: Array<[string, PaymentState]>;
  quarantined: Array<[string, string]>;
}
