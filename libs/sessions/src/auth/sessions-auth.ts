import { isLoopbackAddress } from '@x402-ledger/observability';
import { timingSafeEqual } from 'node:crypto';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';
import type { Principal } from './principal';

/** What authentication may look at. */
export interface AuthRequest {
  /** The Authorization header. */
  authorization: string | undefined;
  /** X-Tenant: an admin acts for this tenant. */
  tenant: string | undefined;
  /** The peer address (for the dev-mode loopback rule). */
  remoteAddress: string | undefined;
}

/**
 * Turns a request's credentials into a Principal. A port: the daemon may bind it to the facilitator's API-key store
 * so that both modules tag the same provider with the same tenant.
 */
export abstract class SessionsAuth {
  abstract authenticate(request: AuthRequest): Principal | Promise<Principal>;
}

export interface ApiKeyAuthOptions {
  /** The admin key (any tenant, via X-Tenant; default tenant otherwise). */
  adminApiKey?: string;
  /** Provider keys → tenant. */
  apiKeys?: Record<string, string>;
  /**
   * Another key source, asked when a key is not in `apiKeys` (e.g. the facilitator's ApiKeyStore, so that both
   * modules tag a provider with the same tenant). Resolves null for an unknown key.
   */
  lookup?: (apiKey: string) => Promise<{ tenant: string } | null>;
  defaultTenant?: string;
  /**
   * Dev mode only: a request WITHOUT an Authorization header from a loopback address acts as this tenant (the
   * facilitator does the same with tenant `dev`). Absent = a key is always required.
   */
  devLoopbackTenant?: string;
}

/** Bearer API keys compared in constant time. Keys are never logged or echoed. */
export class ApiKeySessionsAuth extends SessionsAuth {
  private readonly providers: { key: Buffer; tenant: string; index: number }[];
  private readonly admin: Buffer | undefined;
  private readonly defaultTenant: string;

  constructor(private readonly options: ApiKeyAuthOptions) {
    super();
    this.admin = options.adminApiKey ? Buffer.from(options.adminApiKey) : undefined;
    this.providers = Object.entries(options.apiKeys ?? {}).map(([key, tenant], index) => ({
      key: Buffer.from(key),
      tenant,
      index,
    }));
    this.defaultTenant = options.defaultTenant ?? 'default';
  }

  authenticate({ authorization, tenant: tenantHeader, remoteAddress }: AuthRequest): Principal | Promise<Principal> {
    if (
      authorization === undefined &&
      this.options.devLoopbackTenant !== undefined &&
      isLoopbackAddress(remoteAddress)
    ) {
      return { tenant: this.options.devLoopbackTenant, admin: false, subject: 'dev-loopback' };
    }
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new SessionsException(SessionsErrorCode.UNAUTHORIZED, 'missing Bearer API key');
    const presented = Buffer.from(m[1]);
    if (this.admin && same(presented, this.admin)) {
      const tenant = tenantHeader?.trim() || this.defaultTenant;
      if (tenant.length > 100) throw new SessionsException(SessionsErrorCode.INVALID_REQUEST, 'X-Tenant too long');
      return { tenant, admin: true, subject: 'admin' };
    }
    for (const p of this.providers) {
      if (same(presented, p.key)) return { tenant: p.tenant, admin: false, subject: `provider:${p.tenant}#${p.index}` };
    }
    const lookup = this.options.lookup;
    if (!lookup) throw new SessionsException(SessionsErrorCode.UNAUTHORIZED, 'unknown API key');
    return lookup(m[1]).then((found) => {
      if (!found) throw new SessionsException(SessionsErrorCode.UNAUTHORIZED, 'unknown API key');
      return { tenant: found.tenant, admin: false, subject: `provider:${found.tenant}` };
    });
  }
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
