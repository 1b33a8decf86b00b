import { isLoopbackAddress } from '@x402-ledger/observability';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiKeyStore } from '@x402-ledger/facilitator';
import type { Request } from 'express';
import { DiscoveryErrorCode, DiscoveryException } from '../discovery.exception';
import { DISCOVERY_OPTIONS, type DiscoveryOptions } from '../discovery.options';

export type DiscoveryCaller = { tenant: string; admin: boolean };
export type DiscoveryRequest = Request & { discoveryCaller?: DiscoveryCaller };

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Provider endpoints (registering resource URLs): `Authorization: Bearer <key>` with the admin key or a provider
 * API key (the facilitator's ApiKeyStore, so the same keys that call /verify and /settle). Dev mode lets key-less
 * loopback callers in as tenant `dev`, like the facilitator.
 */
@Injectable()
export class ProviderKeyGuard implements CanActivate {
  private readonly adminDigest: Buffer | null;

  constructor(
    private readonly keys: ApiKeyStore,
    @Inject(DISCOVERY_OPTIONS) private readonly options: DiscoveryOptions,
  ) {
    this.adminDigest = options.adminKey ? digest(options.adminKey) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<DiscoveryRequest>();
    request.discoveryCaller = await this.authenticate(request);
    return true;
  }

  private async authenticate(request: Request): Promise<DiscoveryCaller> {
    const header = request.headers.authorization;
    if (header) {
      const key = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
      if (key && this.adminDigest && timingSafeEqual(digest(key), this.adminDigest))
        return { tenant: 'admin', admin: true };
      const principal = key ? await this.keys.authenticate(key) : null;
      if (!principal) throw new DiscoveryException(DiscoveryErrorCode.UNAUTHENTICATED, 'invalid API key');
      return { tenant: principal.tenant, admin: false };
    }
    if (this.options.mode === 'dev' && isLoopbackAddress(request.socket.remoteAddress))
      return { tenant: 'dev', admin: false };
    throw new DiscoveryException(DiscoveryErrorCode.UNAUTHENTICATED, 'missing API key (Authorization: Bearer <key>)');
  }
}
