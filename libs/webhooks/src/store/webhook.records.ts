/** A provider's webhook endpoint. */
export interface WebhookEndpointRecord {
  endpointId: string;
  tenant: string;
  url: string;
  /** Exact event types (`refund.succeeded`), prefixes (`refund.*`) or `*`. */
  eventTypes: string[];
  description: string | null;
  /** `whsec_…`; shown once at registration/rotation, never logged. */
  secret: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint, from scheduling to its final state. */
export interface WebhookDeliveryRecord {
  /** sha256(endpointId|eventId): the same on every attempt and redelivery (the receiver dedupes on it). */
  deliveryId: string;
  endpointId: string;
  tenant: string;
  eventId: string;
  eventType: string;
  /** The JSON body, fixed once (what is signed on every attempt). */
  body: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  createdAt: string;
  /** Start of the current retry window (createdAt, or the last manual redelivery). */
  windowStartedAt: string;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  /** Set by a manual redelivery until its first attempt. */
  redelivery: boolean;
}

export interface WebhookAttemptRecord {
  deliveryId: string;
  /** 1-based. */
  attempt: number;
  at: string;
  /** HTTP status, or null when no response came (refused, timeout). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** True for the first attempt after a manual redelivery. */
  manual: boolean;
}

/**
 * Durable webhook state: endpoints, deliveries, the due queue and the attempt log. Every write resolves once it is
 * on disk, so a delivery scheduled (and the log position committed after it) survives a crash.
 */
export abstract class WebhookStore {
  abstract putEndpoint(endpoint: WebhookEndpointRecord): Promise<void>;
  abstract endpoint(endpointId: string): WebhookEndpointRecord | undefined;
  /** Endpoints of a tenant (all tenants when null). */
  abstract endpoints(tenant: string | null): WebhookEndpointRecord[];
  /** Creates, in one durable transaction, the deliveries that do not exist yet; returns those created. */
  abstract schedule(deliveries: readonly WebhookDeliveryRecord[]): Promise<WebhookDeliveryRecord[]>;
  abstract delivery(deliveryId: string): WebhookDeliveryRecord | undefined;
  /** Pending deliveries whose nextAttemptAt ≤ now, earliest first. */
  abstract due(now: Date, limit: number): WebhookDeliveryRecord[];
  /** The earliest nextAttemptAt of any pending delivery, or null. */
  abstract nextDueAt(): Date | null;
  /** Replaces a delivery's state (and its place in the due queue), with an attempt record when one was made. */
  abstract update(next: WebhookDeliveryRecord, attempt: WebhookAttemptRecord | null): Promise<void>;
  /** Deliveries of an endpoint, newest first. */
  abstract deliveriesOf(endpointId: string, limit: number): WebhookDeliveryRecord[];
  abstract attemptsOf(deliveryId: string): WebhookAttemptRecord[];
  abstract close(): Promise<void>;
}
