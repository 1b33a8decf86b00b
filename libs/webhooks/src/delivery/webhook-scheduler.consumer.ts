import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventLog, type LoggedEvent, type Subscription } from '@x402-ledger/event-log';
import { canonicalJson, sha256Hex, type EventEnvelope } from '@x402-ledger/ledger';
import { matchesEventTypes } from '../endpoints/webhook-event-types';
import { WebhookStore, type WebhookDeliveryRecord, type WebhookEndpointRecord } from '../store/webhook.records';
import { WEBHOOKS_OPTIONS, type WebhooksOptions } from '../webhooks.options';

/** The delivery id of one event to one endpoint (stable across attempts, redeliveries and restarts). */
export function webhookDeliveryId(endpointId: string, eventId: string): string {
  return sha256Hex(`webhook|${endpointId}|${eventId}`);
}

/** The body every attempt of an event carries (canonical JSON: the same bytes on every attempt). */
export function webhookBody(envelope: EventEnvelope): string {
  return canonicalJson({
    id: envelope.id,
    type: envelope.type,
    version: envelope.version,
    tenant: envelope.tenant,
    streamId: envelope.streamId,
    sequence: envelope.sequence,
    occurredAt: envelope.occurredAt,
    recordedAt: envelope.recordedAt,
    data: envelope.data,
  });
}

/**
 * Turns the event log into durable delivery jobs: a consumer group on the log; for each event, one delivery per
 * enabled endpoint of the event's tenant that subscribes to its type and existed when the event was recorded. The
 * jobs are written (fsync'd) BEFORE the handler resolves, and the log commits the group's position only after that,
 * so no event is lost across a crash; a redelivered batch creates nothing twice (deterministic delivery ids).
 */
@Injectable()
export class WebhookSchedulerConsumer {
  private readonly logger = new Logger(WebhookSchedulerConsumer.name);
  private subscription: Subscription | null = null;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly log: EventLog,
    private readonly store: WebhookStore,
    @Inject(WEBHOOKS_OPTIONS) private readonly options: WebhooksOptions,
  ) {}

  /** Called after new deliveries are scheduled (the dispatcher wakes up). */
  onScheduled(listener: () => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    if (this.subscription) return;
    this.subscription = await this.log.subscribe(
      { group: this.options.consumerGroup, fromBeginning: true },
      async (batch) => void (await this.handle(batch)),
    );
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.close();
  }

  /** Schedules the deliveries of one batch (public for tests and replays). */
  async handle(batch: readonly LoggedEvent[]): Promise<WebhookDeliveryRecord[]> {
    const endpoints = this.store.endpoints(null).filter((e) => e.enabled);
    if (endpoints.length === 0) return [];
    const byTenant = new Map<string, WebhookEndpointRecord[]>();
    for (const e of endpoints) byTenant.set(e.tenant, [...(byTenant.get(e.tenant) ?? []), e]);
    const jobs: WebhookDeliveryRecord[] = [];
    for (const { envelope } of batch) {
      for (const endpoint of byTenant.get(envelope.tenant) ?? []) {
        if (envelope.recordedAt < endpoint.createdAt || !matchesEventTypes(endpoint.eventTypes, envelope.type))
          continue;
        jobs.push({
          deliveryId: webhookDeliveryId(endpoint.endpointId, envelope.id),
          endpointId: endpoint.endpointId,
          tenant: envelope.tenant,
          eventId: envelope.id,
          eventType: envelope.type,
          body: webhookBody(envelope),
          status: 'pending',
          attempts: 0,
          createdAt: envelope.recordedAt,
          windowStartedAt: envelope.recordedAt,
          nextAttemptAt: envelope.recordedAt,
          lastAttemptAt: null,
          lastStatusCode: null,
          lastError: null,
          deliveredAt: null,
          redelivery: false,
        });
      }
    }
    const created = await this.store.schedule(jobs);
    if (created.length > 0) {
      this.logger.debug?.(`scheduled ${created.length} webhook deliveries`);
      for (const listener of this.listeners) listener();
    }
    return created;
  }
}
