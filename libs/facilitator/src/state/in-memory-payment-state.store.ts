import type { EventLog } from '@x402-ledger/event-log';
import type { EventEnvelope, PaymentState } from '@x402-ledger/ledger';
import { PaymentStateStore, type PaymentIdentifierBinding } from './payment-state.store';
import { PaymentStates } from './payment-states';

/** PaymentStateStore kept only in memory (unit tests; a restart forgets the non-ledger bookkeeping). */
export class InMemoryPaymentStateStore extends PaymentStateStore {
  private readonly states = new PaymentStates();
  private readonly answered = new Set<string>();
  private readonly bindings = new Map<string, PaymentIdentifierBinding>();

  load(log: EventLog): Promise<void> {
    return this.ownership ? this.ownership.start(this.states.foldFor(this.ownership)) : this.states.load(log);
  }
  get(streamId: string): PaymentState | undefined {
    return this.states.get(streamId);
  }
  apply(envelopes: readonly EventEnvelope[]): void {
    this.states.apply(envelopes);
  }
  inFlight(): PaymentState[] {
    return this.states.inFlight();
  }
  successAnswered(paymentId: string): boolean {
    return this.answered.has(paymentId);
  }
  async markSuccessAnswered(paymentId: string): Promise<void> {
    this.answered.add(paymentId);
  }
  async bindPaymentIdentifier(key: string, binding: PaymentIdentifierBinding): Promise<PaymentIdentifierBinding> {
    const existing = this.bindings.get(key);
    if (existing) return existing;
    this.bindings.set(key, binding);
    return binding;
  }
  async close(): Promise<void> {}
}
