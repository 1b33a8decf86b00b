import { z } from 'zod';
import { WebhooksErrorCode, WebhooksException } from './webhooks.exception';

/** The webhooks module's configuration, validated once (resolveWebhooksOptions). */
export interface WebhooksOptions {
  /** Folder of the LMDB store (endpoints, deliveries, attempts). */
  stateDir: string;
  /** Consumer group of the scheduler on the event log. */
  consumerGroup: string;
  /** How often the dispatcher looks for due deliveries; 0 = no loop (tests call `tick()`). */
  dispatchIntervalMs: number;
  /** Deliveries attempted at once. */
  concurrency: number;
  /** Per-attempt HTTP timeout. */
  requestTimeoutMs: number;
  /** First retry delay; doubles per attempt up to maxDelaySeconds. */
  initialDelaySeconds: number;
  maxDelaySeconds: number;
  /** Retries stop (status failed) once the next attempt would fall this long after the first. */
  retryWindowSeconds: number;
  /** Allow endpoint URLs on loopback/private addresses (dev and tests; refuse in production). */
  allowPrivateUrls: boolean;
  maxEndpointsPerTenant: number;
}

export const WEBHOOKS_OPTIONS = Symbol('WEBHOOKS_OPTIONS');

const schema = z.strictObject({
  stateDir: z.string().min(1),
  consumerGroup: z.string().min(1).max(200).default('webhooks'),
  dispatchIntervalMs: z.number().int().min(0).default(250),
  concurrency: z.number().int().min(1).max(256).default(8),
  requestTimeoutMs: z.number().int().min(100).default(10_000),
  initialDelaySeconds: z.number().int().min(1).default(10),
  maxDelaySeconds: z.number().int().min(1).default(3600),
  retryWindowSeconds: z
    .number()
    .int()
    .min(1)
    .default(24 * 3600),
  allowPrivateUrls: z.boolean().default(false),
  maxEndpointsPerTenant: z.number().int().min(1).default(20),
});

export type WebhooksOptionsInput = z.input<typeof schema>;

export function resolveWebhooksOptions(input: WebhooksOptionsInput): WebhooksOptions {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new WebhooksException(WebhooksErrorCode.INVALID_INPUT, `invalid webhooks options: ${problems.join('; ')}`);
  }
  if (parsed.data.maxDelaySeconds < parsed.data.initialDelaySeconds) {
    throw new WebhooksException(
      WebhooksErrorCode.INVALID_INPUT,
      'invalid webhooks options: maxDelaySeconds < initialDelaySeconds',
    );
  }
  return parsed.data;
}
