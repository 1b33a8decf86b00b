import { SettledPayments, type SettledPayment } from '../payments/settled-payments.port';

/** SettledPayments from a list (unit tests). */
export class MemorySettledPayments extends SettledPayments {
  readonly payments = new Map<string, SettledPayment>();

  add(payment: SettledPayment): void {
    this.payments.set(payment.paymentId, payment);
  }

  async find(paymentId: string): Promise<SettledPayment | undefined> {
    return this.payments.get(paymentId);
  }

  async byPayer(tenant: string, payer: string): Promise<SettledPayment[]> {
    return [...this.payments.values()]
      .filter((p) => p.tenant === tenant && p.payer.toLowerCase() === payer.toLowerCase())
      .reverse();
  }
}
