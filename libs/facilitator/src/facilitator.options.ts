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

/** One answered /verify or /settle call, as seen by the facilitator's extensions. */
export interface FacilitatorExtensionCall {
  route: 'verify' | 'settle';
  /** The request body exactly as received (`{x402Version, paymentPayload, paymentRequirements}`). */
  body: unknown;
  /** True when the answer was `isValid: true` (verify) or `success: true` (settle). */
  accepted: boolean;
  tenant: string;
  correlationId: string;
}

/**
 * The facilitator's one extension port (e.g. bazaar discovery): called after a /verify or /settle answer is known,
 * it returns the extension responses (keyed by extension key) that go into the `EXTENSION-RESPONSES` header. It never
 * changes the payment answer; a failing extension is logged and the answer is sent without the header.
 */
export abstract class FacilitatorExtensions {
  /** Extension responses to report, e.g. `{ bazaar: { status: 'success' } }`; an empty object sends no header. */
  abstract afterAnswer(call: FacilitatorExtensionCall): Promise<Record<string, unknown>>;

  /** Extension keys implemented, for `/supported.extensions` (e.g. `['bazaar']`). */
  keys(): string[] {
    return [];
  }

  /** The `EXTENSION-RESPONSES` header value (base64 JSON) for a call, or null when there is nothing to report. */
  async headerFor(call: FacilitatorExtensionCall): Promise<string | null> {
    const responses = await this.afterAnswer(call);
    return Object.keys(responses).length > 0 ? Buffer.from(JSON.stringify(responses)).toString('base64') : null;
  }
}

export const EXTENSION_RESPONSES_HEADER = 'EXTENSION-RESPONSES';

/** The default: no extensions, no header. */
export class NoFacilitatorExtensions extends FacilitatorExtensions {
  async afterAnswer(): Promise<Record<string, unknown>> {
    return {};
  }
}

export const DEFAULTS = {
  bodyLimitBytes: 64 * 1024,
  rateLimitPerMinute: 6000,
  verifyTimeoutMs: 30_000,
  validBeforeSkewSeconds: 30,
  producer: 'facilitator@0.1.0',
} as const;
