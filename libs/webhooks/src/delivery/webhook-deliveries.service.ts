import { Injectable } from '@nestjs/common';
import { Clock } from '@x402-ledger/ledger';
import { WebhookStore, type WebhookAttemptRecord, type WebhookDeliveryRecord } from '../store/webhook.records';
import { WebhooksErrorCode, WebhooksException } from '../webhooks.exception';
import { WebhookDispatcher } from './webhook.dispatcher';

/** A delivery as the API shows it (the body is included: it is what the receiver got). */
export type WebhookDeliveryView = WebhookDeliveryRecord;

/** The delivery log per endpoint, the attempts of a delivery, and manual redelivery. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly store: WebhookStore,
    private readonly dispatcher: WebhookDispatcher,
    private readonly clock: Clock,
  ) {}

  /** Deliveries of one of the tenant's endpoints, newest first. */
  list(tenant: string, endpointId: string, options: { limit?: number } = {}): WebhookDeliveryView[] {
    const endpoint = this.store.endpoint(endpointId);
    if (!endpoint || endpoint.tenant !== tenant) {
      throw new WebhooksException(WebhooksErrorCode.NOT_FOUND, `webhook endpoint ${endpointId} not found`);
    }
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new WebhooksException(WebhooksErrorCode.INVALID_INPUT, 'limit must be 1..1000');
    }
    return this.store.deliveriesOf(endpointId, limit);
  }

  get(tenant: string, deliveryId: string): WebhookDeliveryView {
    return this.record(tenant, deliveryId);
  }

  attempts(tenant: string, deliveryId: string): WebhookAttemptRecord[] {
    this.record(tenant, deliveryId);
    return this.store.attemptsOf(deliveryId);
  }

  /**
   * Sends a delivery again now (whatever its state) with a fresh retry window. It keeps its delivery id: a receiver
   * that already processed it will see the same id (re-processing is the receiver's choice).
   */
  async redeliver(tenant: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const current = this.record(tenant, deliveryId);
    const now = this.clock.now().toISOString();
    const next: WebhookDeliveryRecord = {
      ...current,
      status: 'pending',
      nextAttemptAt: now,
      windowStartedAt: now,
      redelivery: true,
    };
    await this.store.update(next, null);
    this.dispatcher.wake();
    return next;
  }

  private record(tenant: string, deliveryId: string): WebhookDeliveryRecord {
    const record = this.store.delivery(deliveryId);
    if (!record || record.tenant !== tenant) {
      throw new WebhooksException(WebhooksErrorCode.NOT_FOUND, `webhook delivery ${deliveryId} not found`);
    }
    return record;
  }
}
