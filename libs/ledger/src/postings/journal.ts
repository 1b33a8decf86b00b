import { evolvePayment } from '../aggregates/payment/payment.aggregate';
import { initialPaymentState, type PaymentState } from '../aggregates/payment/payment.state';
import type { EventEnvelope } from '../envelope/event-envelope';
import { Balances } from './balances';
import type { Posting } from './posting';
import { postingsFor } from './postings';

/**
 * In-memory double-entry journal: feed it every envelope in log order (per stream in sequence); it keeps each
 * payment's state (to price refund/dispute events) and the balances. Pure data, no I/O; memory grows with the number
 * of payment streams, so use it for reconciliation runs, tests and small books, not as a long-lived store.
 */
export class LedgerJournal {
  readonly balances = new Balances();
  private readonly payments = new Map<string, PaymentState>();

  /** Posts one envelope; on error nothing changes (neither the state nor the balances). */
  record(envelope: EventEnvelope): Posting[] {
    if (envelope.streamType !== 'payment') return [];
    const before = this.payments.get(envelope.streamId) ?? initialPaymentState();
    const postings = postingsFor(envelope, before);
    const after = evolvePayment(before, envelope);
    this.balances.apply(postings);
    this.payments.set(envelope.streamId, after);
    return postings;
  }

  paymentState(streamId: string): PaymentState | undefined {
    return this.payments.get(streamId);
  }
}
