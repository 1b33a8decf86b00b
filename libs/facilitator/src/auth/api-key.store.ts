import { createHash, timingSafeEqual } from 'node:crypto';

/** Who called: the tenant every event of the request is tagged with. */
export interface ApiPrincipal {
  tenant: string;
  /** Stable id of the key (never the key itself); rate limits are kept per key. */
  keyId: string;
  /** Requests per minute allowed for this key; the module default applies when absent. */
  rateLimitPerMinute?: number;
}

/**
 * Resolves provider API keys (sent by HTTPFacilitatorClient as `Authorization: Bearer <key>` via createAuthHeaders).
 * Key management lives elsewhere; the facilitator only asks who a key belongs to.
 */
export abstract class ApiKeyStore {
  /** The principal of a presented key, or null when the key is unknown or revoked. */
  abstract authenticate(apiKey: string): Promise<ApiPrincipal | null>;
}

/** An ApiKeyStore over a fixed key → tenant map (tests, single-provider deployments). Compares in constant time. */
export class StaticApiKeyStore extends ApiKeyStore {
  private readonly entries: { digest: Buffer; principal: ApiPrincipal }[];

  constructor(keys: Record<string, string | Omit<ApiPrincipal, 'keyId'>>) {
    super();
    this.entries = Object.entries(keys).map(([key, value]) => {
      const digest = createHash('sha256').update(key).digest();
      const principal = typeof value === 'string' ? { tenant: value } : value;
      return { digest, principal: { ...principal, keyId: digest.toString('hex').slice(0, 16) } };
    });
  }

  async authenticate(apiKey: string): Promise<ApiPrincipal | null> {
    const digest = createHash('sha256').update(apiKey).digest();
    return this.entries.find((e) => timingSafeEqual(e.digest, digest))?.principal ?? null;
  }
}
