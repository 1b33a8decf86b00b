import { z } from 'zod';
import { DiscoveryErrorCode, DiscoveryException } from './discovery.exception';

const refreshSchema = z.strictObject({
  /** Re-fetch period of an active resource, ms (default 15 min). 0 disables the background loop. */
  intervalMs: z
    .number()
    .int()
    .min(0)
    .default(15 * 60_000),
  /** How often the loop looks for due resources, ms (default 5 s). */
  tickMs: z.number().int().min(10).default(5_000),
  /** Consecutive failed re-fetches after which a stale resource is marked gone (default 5). */
  goneAfterFailures: z.number().int().min(1).default(5),
  /** Per-request timeout, ms (default 5 s). */
  timeoutMs: z.number().int().min(1).default(5_000),
  /** Largest response body read, bytes (default 64 KiB). */
  maxBodyBytes: z
    .number()
    .int()
    .min(1)
    .default(64 * 1024),
  /** Largest PAYMENT-REQUIRED header, bytes (default 32 KiB). */
  maxHeaderBytes: z
    .number()
    .int()
    .min(1)
    .default(32 * 1024),
  /** Outbound requests in flight (default 4). */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Requests per second per host (default 2). */
  perHostPerSecond: z.number().positive().default(2),
  /** Resources re-fetched per tick at most (default 200). */
  maxPerTick: z.number().int().min(1).default(200),
});

export const discoveryOptionsSchema = z.strictObject({
  /** `dev`: loopback targets allowed and key-less loopback callers act as tenant `dev`; `production`: neither. */
  mode: z.enum(['dev', 'production']),
  /** Folder of the LMDB read model (`<dataDir>/discovery`); omit for an in-memory catalog (tests, benchmarks). */
  dataDir: z.string().min(1).optional(),
  refresh: refreshSchema.default({}),
  /** Largest bazaar extension (JSON bytes) accepted for cataloguing (default 16 KiB). */
  maxMetadataBytes: z
    .number()
    .int()
    .min(256)
    .default(16 * 1024),
  /** Quality stats are cached per resource this long, ms (default 30 s; 0 = no cache). */
  qualityCacheMs: z.number().int().min(0).default(30_000),
  /** Search re-ranks at most this many text matches by quality; more sets `partialResults` (default 200). */
  searchCandidates: z.number().int().min(1).max(10_000).default(200),
  /** Key that may register any URL for any tenant (`Authorization: Bearer <adminKey>`). */
  adminKey: z.string().min(16).optional(),
  /** `producer` of the events (default `discovery@0.1.0`). */
  producer: z.string().min(1).max(100).default('discovery@0.1.0'),
});

export type DiscoveryOptionsInput = z.input<typeof discoveryOptionsSchema>;
export type DiscoveryOptions = z.output<typeof discoveryOptionsSchema>;
export type RefreshOptions = DiscoveryOptions['refresh'];

export const DISCOVERY_OPTIONS = Symbol('DISCOVERY_OPTIONS');

/** Validates the options once at start. */
export function parseDiscoveryOptions(input: DiscoveryOptionsInput): DiscoveryOptions {
  const result = discoveryOptionsSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new DiscoveryException(DiscoveryErrorCode.INVALID_CONFIG, `invalid discovery options: ${issues}`);
  }
  return result.data;
}
