import type { LoggedEvent } from '@x402-ledger/event-log';
import { canSeePayment, type PaymentOwnership, type Principal } from '@x402-ledger/auth';
import type { EventEnvelope } from '@x402-ledger/ledger';
import type { DisputeUpdatedEvent, PaymentSettledEvent, RefundUpdatedEvent } from '../models/subscription-events.model';
import { checksum } from '../models/presenters';
import { EventQueue } from './event-queue';

export type Topic = 'paymentSettled' | 'refundUpdated' | 'disputeUpdated';

export interface Notification {
  topic: Topic;
  paymentId: string;
  ownership: PaymentOwnership;
  payload: PaymentSettledEvent | RefundUpdatedEvent | DisputeUpdatedEvent;
}

/** Finds who owns a payment when an event does not say (refund.* / dispute.* carry no payTo/payer). */
export type OwnershipLookup = (tenant: string, paymentId: string) => Promise<PaymentOwnership | null>;

interface Subscriber {
  principal: Principal;
  topic: Topic;
  /** Narrowing asked for by the client (on top of its scope). */
  matches: (n: Notification) => boolean;
  queue: EventQueue<Record<string, unknown>>;
}

const REFUND_STATUS: Record<string, string> = {
  'refund.requested': 'requested',
  'refund.approved': 'approved',
  'refund.submitted': 'submitted',
  'refund.succeeded': 'succeeded',
  'refund.failed': 'failed',
  'refund.canceled': 'canceled',
};
const DISPUTE_STATUS: Record<string, string> = {
  'dispute.opened': 'needs_response',
  'dispute.under_review': 'under_review',
  'dispute.won': 'won',
  'dispute.lost': 'lost',
  'dispute.withdrawn': 'withdrawn',
};

/**
 * In-process fan-out of live log events to GraphQL subscriptions, filtered by each subscriber's scope
 * (canSeePayment) before anything is pushed. Fed by the auth module's EventLogTail (live phase), so a fact reaches
 * subscribers as soon as it is durable on the log — no ClickHouse round trip.
 */
export class PaymentNotifier {
  private readonly subscribers = new Set<Subscriber>();
  private readonly owners = new Map<string, PaymentOwnership>();

  constructor(
    private readonly lookup: OwnershipLookup,
    private readonly options: { queueCapacity?: number; ownerCache?: number } = {},
  ) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  subscribe(
    principal: Principal,
    topic: Topic,
    matches: (n: Notification) => boolean = () => true,
  ): AsyncIterableIterator<Record<string, unknown>> {
    const subscriber: Subscriber = {
      principal,
      topic,
      matches,
      queue: new EventQueue(this.options.queueCapacity ?? 1000, () => this.subscribers.delete(subscriber)),
    };
    this.subscribers.add(subscriber);
    return subscriber.queue;
  }

  /** Tail listener: turns payment-stream envelopes into notifications and delivers them. */
  async onBatch(batch: readonly LoggedEvent[]): Promise<void> {
    for (const { envelope } of batch) {
      if (envelope.streamType !== 'payment') continue;
      this.remember(envelope);
      if (this.subscribers.size === 0) continue;
      const notification = await this.toNotification(envelope);
      if (notification) this.deliver(notification);
    }
  }

  deliver(notification: Notification): void {
    for (const s of this.subscribers) {
      if (s.topic !== notification.topic) continue;
      if (!canSeePayment(s.principal, notification.ownership)) continue;
      if (!s.matches(notification)) continue;
      s.queue.push({ [notification.topic]: notification.payload });
    }
  }

  private remember(e: EventEnvelope): void {
    const d = e.data;
    if (!e.type.startsWith('payment.') || typeof d['paymentId'] !== 'string' || typeof d['payTo'] !== 'string') return;
    if (this.owners.has(d['paymentId'])) return;
    if (this.owners.size >= (this.options.ownerCache ?? 100_000)) {
      const oldest = this.owners.keys().next().value;
      if (oldest !== undefined) this.owners.delete(oldest);
    }
    this.owners.set(d['paymentId'], {
      tenant: e.tenant,
      payTo: (d['payTo'] as string).toLowerCase(),
      payer: typeof d['payer'] === 'string' ? d['payer'].toLowerCase() : null,
    });
  }

  private async owner(tenant: string, paymentId: string): Promise<PaymentOwnership | null> {
    const known = this.owners.get(paymentId);
    if (known && known.tenant === tenant) return known;
    const found = await this.lookup(tenant, paymentId);
    if (found && found.tenant === tenant) this.owners.set(paymentId, found);
    return found && found.tenant === tenant ? found : null;
  }

  private async toNotification(e: EventEnvelope): Promise<Notification | null> {
    const d = e.data;
    if (e.type === 'payment.settled') {
      const ownership = await this.owner(e.tenant, e.streamId);
      if (!ownership) return null;
      return {
        topic: 'paymentSettled',
        paymentId: e.streamId,
        ownership,
        payload: {
          eventId: e.id,
          paymentId: e.streamId,
          tenant: e.tenant,
          network: String(d['network']),
          asset: checksum(String(d['asset'])) ?? String(d['asset']),
          amount: String(d['amount']),
          payer: checksum(String(d['payer'])) ?? String(d['payer']),
          payTo: checksum(String(d['payTo'])) ?? String(d['payTo']),
          resource: typeof d['resourceUrl'] === 'string' ? d['resourceUrl'] : null,
          transaction: String(d['txHash']),
          blockNumber: String(d['blockNumber']),
          settledAt: e.occurredAt,
        },
      };
    }
    if (e.type in REFUND_STATUS) {
      const ownership = await this.owner(e.tenant, e.streamId);
      if (!ownership) return null;
      return {
        topic: 'refundUpdated',
        paymentId: e.streamId,
        ownership,
        payload: {
          eventId: e.id,
          type: e.type,
          refundId: String(d['refundId']),
          paymentId: e.streamId,
          status: REFUND_STATUS[e.type],
          sequence: e.sequence,
          amount: typeof d['amount'] === 'string' ? d['amount'] : null,
          transaction: typeof d['txHash'] === 'string' ? d['txHash'] : null,
          occurredAt: e.occurredAt,
        },
      };
    }
    if (e.type.startsWith('dispute.')) {
      const ownership = await this.owner(e.tenant, e.streamId);
      if (!ownership) return null;
      return {
        topic: 'disputeUpdated',
        paymentId: e.streamId,
        ownership,
        payload: {
          eventId: e.id,
          type: e.type,
          disputeId: String(d['disputeId']),
          paymentId: e.streamId,
          status: DISPUTE_STATUS[e.type] ?? 'unchanged',
          sequence: e.sequence,
          occurredAt: e.occurredAt,
        },
      };
    }
    return null;
  }

  close(): void {
    for (const s of [...this.subscribers]) void s.queue.return();
  }
}
