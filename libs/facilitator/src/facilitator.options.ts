import type { NetworkConfig } from '@x402-ledger/evm';

/** Everything the FacilitatorModule needs, validated by the composition root (one typed config object). */
export interface FacilitatorOptions {
  networks: NetworkConfig[];
  /** `dev`: requests without an API key from loopback run as tenant `dev`. `production`: a key is always required. */
  mode: 'dev' | 'production';
  /** Folder of the facilitator's local durable state (signed transactions, answered settlements, payment ids). */
  stateDir: string;
  /** Largest accepted body, bytes (default 64 KiB). */
  bodyLimitBytes?: number;
  /** Requests per minute per API key (default 6000; 0 = unlimited). */
  rateLimitPerMinute?: number;
  /** Time budget of a /verify call, ms (default 30 s). */
  verifyTimeoutMs?: number;
  /** Seconds a validBefore may exceed now + maxTimeoutSeconds (buyer clock skew; default 30). */
  validBeforeSkewSeconds?: number;
  /** `producer` of every envelope (default `facilitator@<version>`). */
  producer?: string;
  /** Verifications per probe call and probe calls in flight (tuning; defaults 16 / 4). */
  probeMaxBatch?: number;
  probeMaxInFlight?: number;
}

export const FACILITATOR_OPTIONS = Symbol('FACILITATOR_OPTIONS');

export const DEFAULTS = {
  bodyLimitBytes: 64 * 1024,
  rateLimitPerMinute: 6000,
  verifyTimeoutMs: 30_000,
  validBeforeSkewSeconds: 30,
  producer: 'facilitator@0.1.0',
} as const;
