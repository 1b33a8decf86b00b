import type { EventLog } from '@x402-ledger/event-log';
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

  async load(log: EventLog): Promise<void> {
    await log.replay(async (batch) => this.apply(batch.map((b) => b.envelope)));
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
