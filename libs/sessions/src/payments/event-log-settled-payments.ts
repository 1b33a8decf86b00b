import type { EventLog, LogPosition } from '@x402-ledger/event-log';
import type { EventEnvelope, PaymentSettledData } from '@x402-ledger/ledger';
import { SettledPayments, type SettledPayment } from './settled-payments.port';

/**
 * SettledPayments over the EventLog: an index of `payment.settled` events, filled by the initial replay and caught
 * up from the last position seen whenever a lookup misses (the facilitator appends `payment.settled` before it
 * answers /settle, so a catch-up after a miss finds a payment the resource server just settled).
 */
export class EventLogSettledPayments extends SettledPayments {
  private readonly byId = new Map<string, SettledPayment>();
  private readonly byPayerKey = new Map<string, string[]>();
  private readonly next = new Map<number, bigint>();
  private catchingUp: Promise<void> | undefined;

  constructor(private readonly log: EventLog) {
    super();
  }

  /** Feeds one logged envelope (initial replay and catch-up). */
  observe(envelope: EventEnvelope, position?: LogPosition): void {
    if (position) {
      const offset = BigInt(position.offset) + 1n;
      if ((this.next.get(position.partition) ?? 0n) < offset) this.next.set(position.partition, offset);
    }
    if (envelope.type !== 'payment.settled') return;
    const d = envelope.data as unknown as PaymentSettledData;
    if (this.byId.has(d.paymentId)) return;
    this.byId.set(d.paymentId, {
      paymentId: d.paymentId,
      tenant: envelope.tenant,
      payer: d.payer,
      payTo: d.payTo,
      amount: d.amount,
      asset: d.asset,
      network: d.network,
      resourceUrl: d.resourceUrl,
      settledEventId: envelope.id,
      settledAt: envelope.occurredAt,
    });
    const key = `${envelope.tenant}|${d.payer.toLowerCase()}`;
    const list = this.byPayerKey.get(key) ?? [];
    list.push(d.paymentId);
    this.byPayerKey.set(key, list);
  }

  async find(paymentId: string): Promise<SettledPayment | undefined> {
    const hit = this.byId.get(paymentId);
    if (hit) return hit;
    await this.catchUp();
    return this.byId.get(paymentId);
  }

  async byPayer(tenant: string, payer: string): Promise<SettledPayment[]> {
    await this.catchUp();
    const ids = this.byPayerKey.get(`${tenant}|${payer.toLowerCase()}`) ?? [];
    return ids.map((id) => this.byId.get(id)!).reverse();
  }

  /** Reads what was appended since the last position seen (single-flight). */
  catchUp(): Promise<void> {
    if (!this.catchingUp) {
      const from: LogPosition[] = [...this.next].map(([partition, offset]) => ({
        partition,
        offset: offset.toString(),
      }));
      this.catchingUp = this.log
        .replay(
          async (batch) => {
            for (const { envelope, position } of batch) this.observe(envelope, position);
          },
          from.length ? from : undefined,
        )
        .finally(() => (this.catchingUp = undefined));
    }
    return this.catchingUp;
  }

  get size(): number {
    return this.byId.size;
  }
}
