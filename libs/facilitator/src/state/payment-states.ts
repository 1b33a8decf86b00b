import type { EventLog } from '@x402-ledger/event-log';
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
}
