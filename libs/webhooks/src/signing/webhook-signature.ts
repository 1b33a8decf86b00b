import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhooksErrorCode, WebhooksException } from '../webhooks.exception';

/**
 * Webhook signing, Standard Webhooks style (standardwebhooks.com): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 with the endpoint secret (`whsec_` + base64 key), sent as
 * `webhook-signature: v1,<base64>` (several space-separated signatures while a secret is being rotated).
 *
 * This file has no dependency beyond node:crypto so SDKs and receivers can use `verifyWebhook` as is.
 */
export const WEBHOOK_HEADERS = {
  /** The delivery id: the same on every attempt and redelivery of one event to one endpoint (dedupe on it). */
  id: 'webhook-id',
  /** Unix seconds when this attempt was signed. */
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
  /** The event id (sha256 of stream|type|sequence): also unique per fact. */
  eventId: 'x402-event-id',
  eventType: 'x402-event-type',
  /** 1-based attempt number (informational, not signed). */
  attempt: 'x402-delivery-attempt',
} as const;

const SECRET_PREFIX = 'whsec_';
/** Default accepted clock difference between sender and receiver. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new endpoint secret from 32 random bytes (as hex from the caller's random source). */
export function webhookSecretFromHex(randomHex: string): string {
  if (!/^[0-9a-f]{64}$/.test(randomHex)) throw new RangeError('webhook secrets need 32 random bytes (64 hex chars)');
  return SECRET_PREFIX + Buffer.from(randomHex, 'hex').toString('base64');
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 16) throw new WebhooksException(WebhooksErrorCode.INVALID_INPUT, 'the webhook secret is too short');
  return key;
}

/** `v1,<base64 HMAC-SHA256(id.timestamp.body)>` */
export function signWebhook(input: { secret: string; id: string; timestamp: number; body: string }): string {
  const mac = createHmac('sha256', secretKey(input.secret))
    .update(`${input.id}.${input.timestamp}.${input.body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

/** A verified webhook: dedupe on `deliveryId` (or `event.id`), then process `event`. */
export interface VerifiedWebhook<TData = Record<string, unknown>> {
  deliveryId: string;
  timestamp: number;
  event: {
    id: string;
    type: string;
    version: number;
    tenant: string;
    streamId: string;
    sequence: number;
    occurredAt: string;
    recordedAt: string;
    data: TData;
  };
}

/**
 * Verifies a delivery on the receiver side and returns the event. Throws WebhooksException: MISSING_HEADERS,
 * TIMESTAMP_OUT_OF_TOLERANCE (older or newer than `toleranceSeconds`: replays of captured requests fail here),
 * SIGNATURE_INVALID (tampered body or wrong secret; compared in constant time), MALFORMED_BODY.
 *
 * Pass the body exactly as received (the raw text, before any JSON parsing). Replay-safe use: verify, then skip a
 * `deliveryId` you already processed (a delivery is retried until your endpoint answers 2xx).
 */
export function verifyWebhook(input: {
  secret: string;
  headers: WebhookHeaders;
  body: string | Buffer;
  now?: Date;
  toleranceSeconds?: number;
}): VerifiedWebhook {
  const id = header(input.headers, WEBHOOK_HEADERS.id);
  const timestampText = header(input.headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(input.headers, WEBHOOK_HEADERS.signature);
  if (!id || !timestampText || !signatures) {
    throw new WebhooksException(
      WebhooksErrorCode.MISSING_HEADERS,
      'webhook-id, webhook-timestamp and webhook-signature are required',
    );
  }
  if (!/^[0-9]{1,12}$/.test(timestampText)) {
    throw new WebhooksException(WebhooksErrorCode.MISSING_HEADERS, 'webhook-timestamp must be unix seconds');
  }
  const timestamp = Number(timestampText);
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhooksException(
      WebhooksErrorCode.TIMESTAMP_OUT_OF_TOLERANCE,
      `webhook timestamp ${timestamp} is more than ${tolerance} s from now`,
    );
  }
  const body = typeof input.body === 'string' ? input.body : input.body.toString('utf8');
  const expected = Buffer.from(signWebhook({ secret: input.secret, id, timestamp, body }).slice(3), 'base64');
  const matches = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .some((s) => {
      const given = Buffer.from(s.slice(3), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matches)
    throw new WebhooksException(WebhooksErrorCode.SIGNATURE_INVALID, 'no webhook signature matches the body');
  let event: VerifiedWebhook['event'];
  try {
    event = JSON.parse(body) as VerifiedWebhook['event'];
  } catch (error) {
    throw new WebhooksException(WebhooksErrorCode.MALFORMED_BODY, 'the webhook body is not JSON', { cause: error });
  }
  if (typeof event?.id !== 'string' || typeof event.type !== 'string' || typeof event.data !== 'object') {
    throw new WebhooksException(WebhooksErrorCode.MALFORMED_BODY, 'the webhook body is not an event');
  }
  return { deliveryId: id, timestamp, event };
}
