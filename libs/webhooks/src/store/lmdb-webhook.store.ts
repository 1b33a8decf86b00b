import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import {
  WebhookStore,
  type WebhookAttemptRecord,
  type WebhookDeliveryRecord,
  type WebhookEndpointRecord,
} from './webhook.records';

type Key = (string | number)[];

/**
 * WebhookStore in one LMDB environment:
 *
 * | sub-database | key                                   | value                  |
 * |--------------|---------------------------------------|------------------------|
 * | `endpoints`  | endpointId                            | WebhookEndpointRecord  |
 * | `deliveries` | deliveryId                            | WebhookDeliveryRecord  |
 * | `due`        | [nextAttemptAt ms, deliveryId]        | '' (pending only)      |
 * | `byEndpoint` | [endpointId, createdAt ms, deliveryId]| ''                     |
 * | `attempts`   | [deliveryId, attempt]                 | WebhookAttemptRecord   |
 *
 * Each write is one LMDB transaction, resolved after commit + fsync (`root.flushed`).
 */
export class LmdbWebhookStore extends WebhookStore {
  private readonly root: RootDatabase;
  private readonly endpointsDb: Database<WebhookEndpointRecord, string>;
  private readonly deliveries: Database<WebhookDeliveryRecord, string>;
  private readonly dueDb: Database<string, Key>;
  private readonly byEndpoint: Database<string, Key>;
  private readonly attempts: Database<WebhookAttemptRecord, Key>;

  constructor(path: string) {
    super();
    mkdirSync(path, { recursive: true });
    this.root = open({ path, maxDbs: 8 });
    this.endpointsDb = this.root.openDB<WebhookEndpointRecord, string>('endpoints', {});
    this.deliveries = this.root.openDB<WebhookDeliveryRecord, string>('deliveries', {});
    this.dueDb = this.root.openDB<string, Key>('due', {});
    this.byEndpoint = this.root.openDB<string, Key>('byEndpoint', {});
    this.attempts = this.root.openDB<WebhookAttemptRecord, Key>('attempts', {});
  }

  private async durable(write: Promise<unknown>): Promise<void> {
    await write;
    await this.root.flushed;
  }

  putEndpoint(endpoint: WebhookEndpointRecord): Promise<void> {
    return this.durable(this.endpointsDb.put(endpoint.endpointId, endpoint));
  }

  endpoint(endpointId: string): WebhookEndpointRecord | undefined {
    return this.endpointsDb.get(endpointId);
  }

  endpoints(tenant: string | null): WebhookEndpointRecord[] {
    const out: WebhookEndpointRecord[] = [];
    for (const { value } of this.endpointsDb.getRange())
      if (tenant === null || value.tenant === tenant) out.push(value);
    return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  async schedule(deliveries: readonly WebhookDeliveryRecord[]): Promise<WebhookDeliveryRecord[]> {
    if (deliveries.length === 0) return [];
    const created: WebhookDeliveryRecord[] = [];
    await this.durable(
      this.root.transaction(() => {
        for (const d of deliveries) {
          if (this.deliveries.doesExist(d.deliveryId)) continue;
          this.deliveries.put(d.deliveryId, d);
          this.byEndpoint.put([d.endpointId, Date.parse(d.createdAt), d.deliveryId], '');
          if (d.status === 'pending' && d.nextAttemptAt !== null)
            this.dueDb.put([Date.parse(d.nextAttemptAt), d.deliveryId], '');
          created.push(d);
        }
      }),
    );
    return created;
  }

  delivery(deliveryId: string): WebhookDeliveryRecord | undefined {
    return this.deliveries.get(deliveryId);
  }

  due(now: Date, limit: number): WebhookDeliveryRecord[] {
    const out: WebhookDeliveryRecord[] = [];
    for (const key of this.dueDb.getKeys({ start: [0], end: [now.getTime(), '\uffff'], limit })) {
      const d = this.deliveries.get(key[1] as string);
      if (d && d.status === 'pending') out.push(d);
    }
    return out;
  }

  nextDueAt(): Date | null {
    for (const key of this.dueDb.getKeys({ limit: 1 })) return new Date(key[0] as number);
    return null;
  }

  async update(next: WebhookDeliveryRecord, attempt: WebhookAttemptRecord | null): Promise<void> {
    await this.durable(
      this.root.transaction(() => {
        const previous = this.deliveries.get(next.deliveryId);
        if (previous?.nextAttemptAt) this.dueDb.remove([Date.parse(previous.nextAttemptAt), previous.deliveryId]);
        this.deliveries.put(next.deliveryId, next);
        if (next.status === 'pending' && next.nextAttemptAt !== null) {
          this.dueDb.put([Date.parse(next.nextAttemptAt), next.deliveryId], '');
        }
        if (attempt) this.attempts.put([attempt.deliveryId, attempt.attempt], attempt);
      }),
    );
  }

  deliveriesOf(endpointId: string, limit: number): WebhookDeliveryRecord[] {
    const out: WebhookDeliveryRecord[] = [];
    for (const key of this.byEndpoint.getKeys({
      start: [endpointId, Number.MAX_SAFE_INTEGER],
      end: [endpointId, -1],
      reverse: true,
      limit,
    })) {
      const d = this.deliveries.get(key[2] as string);
      if (d) out.push(d);
    }
    return out;
  }

  attemptsOf(deliveryId: string): WebhookAttemptRecord[] {
    return [...this.attempts.getRange({ start: [deliveryId, 0], end: [deliveryId, Number.MAX_SAFE_INTEGER] })].map(
      (e) => e.value,
    );
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
