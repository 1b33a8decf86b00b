import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@x402-ledger/ledger';
import { signWebhook, WEBHOOK_HEADERS } from '../signing/webhook-signature';
import { WebhookStore, type WebhookAttemptRecord, type WebhookDeliveryRecord } from '../store/webhook.records';
import { WEBHOOKS_OPTIONS, type WebhooksOptions } from '../webhooks.options';
import { nextAttemptAt } from './webhook-retry.policy';
import { WebhookTransport } from './webhook-transport.port';

export interface DispatchReport {
  attempted: number;
  delivered: number;
  /** Failed this time, retried later. */
  retrying: number;
  /** Given up (retry window over, or the endpoint is gone/disabled). */
  failed: number;
}

const MAX_ERROR = 500;

/**
 * Sends due deliveries: signs each attempt (fresh timestamp, same id and body), POSTs it, and records the attempt and
 * the delivery's next state in one durable write — delivered on 2xx, else retried with exponential backoff until the
 * retry window (a day) is over. State lives in the store, so a restart resumes exactly where it stopped; an attempt
 * cut by a crash is simply made again (the receiver dedupes on the delivery id).
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<DispatchReport> | null = null;
  private stopped = true;
  private wakeRequested = false;

  constructor(
    private readonly store: WebhookStore,
    private readonly transport: WebhookTransport,
    private readonly clock: Clock,
    @Inject(WEBHOOKS_OPTIONS) private readonly options: WebhooksOptions,
  ) {}

  /** Starts the polling loop (no-op when dispatchIntervalMs = 0). */
  start(): void {
    if (this.options.dispatchIntervalMs <= 0 || !this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** New work arrived: run a pass soon instead of at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Attempts every delivery due now (up to a few hundred). Concurrent calls share the pass in progress. */
  tick(): Promise<DispatchReport> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<DispatchReport> {
    const now = this.clock.now();
    const due = this.store.due(now, 500);
    const report: DispatchReport = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const delivery = due[next++];
        const outcome = await this.attempt(delivery, now);
        report.attempted += outcome === 'skipped' ? 0 : 1;
        if (outcome !== 'skipped') report[outcome] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, due.length) }, worker));
    return report;
  }

  private async attempt(
    delivery: WebhookDeliveryRecord,
    now: Date,
  ): Promise<keyof Omit<DispatchReport, 'attempted'> | 'skipped'> {
    const endpoint = this.store.endpoint(delivery.endpointId);
    if (!endpoint || !endpoint.enabled) {
      await this.store.update(
        { ...delivery, status: 'failed', nextAttemptAt: null, lastError: 'endpoint disabled or removed' },
        null,
      );
      return 'failed';
    }
    const attempt = delivery.attempts + 1;
    const timestamp = Math.floor(now.getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'x402-ledger-webhooks/1',
      [WEBHOOK_HEADERS.id]: delivery.deliveryId,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: signWebhook({
        secret: endpoint.secret,
        id: delivery.deliveryId,
        timestamp,
        body: delivery.body,
      }),
      [WEBHOOK_HEADERS.eventId]: delivery.eventId,
      [WEBHOOK_HEADERS.eventType]: delivery.eventType,
      [WEBHOOK_HEADERS.attempt]: String(attempt),
    };
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = (
        await this.transport.post({
          url: endpoint.url,
          headers,
          body: delivery.body,
          timeoutMs: this.options.requestTimeoutMs,
        })
      ).status;
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      error = String(cause?.code ?? cause?.message ?? (e as Error).message ?? e).slice(0, MAX_ERROR);
    }
    const at = now.toISOString();
    const record: WebhookAttemptRecord = {
      deliveryId: delivery.deliveryId,
      attempt,
      at,
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
      manual: delivery.redelivery,
    };
    const base = {
      ...delivery,
      attempts: attempt,
      lastAttemptAt: at,
      lastStatusCode: statusCode,
      lastError: error,
      redelivery: false,
    };
    if (error === null) {
      await this.store.update({ ...base, status: 'delivered', nextAttemptAt: null, deliveredAt: at }, record);
      return 'delivered';
    }
    const retryAt = nextAttemptAt(this.options, attempt, now, new Date(delivery.windowStartedAt));
    if (retryAt === null) {
      await this.store.update({ ...base, status: 'failed', nextAttemptAt: null }, record);
      this.logger.warn(
        `webhook delivery ${delivery.deliveryId} to ${endpoint.endpointId} failed for good after ${attempt} attempts`,
      );
      return 'failed';
    }
    await this.store.update({ ...base, status: 'pending', nextAttemptAt: retryAt.toISOString() }, record);
    return 'retrying';
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick()
        .catch((e: unknown) => this.logger.warn(`webhook dispatch failed: ${String(e)}`))
        .finally(() => {
          const again = this.wakeRequested;
          this.wakeRequested = false;
          this.schedule(again ? 0 : this.options.dispatchIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
