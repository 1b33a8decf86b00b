import { isLoopbackAddress } from '@x402-ledger/observability';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyStore, type ApiPrincipal } from '../auth/api-key.store';
import { RateLimiter } from '../auth/rate-limiter';
import { FacilitatorErrorCode, FacilitatorException } from '../facilitator.exception';
import { DEFAULTS, FACILITATOR_OPTIONS, type FacilitatorOptions } from '../facilitator.options';

export const DEV_TENANT = 'dev';

export type PrincipalRequest = Request & { x402Principal?: ApiPrincipal };

/**
 * Authenticates `Authorization: Bearer <api key>` (what HTTPFacilitatorClient's createAuthHeaders sends) to a
 * tenant, then applies the key's rate limit. Without a key, only dev mode on a loopback connection is let in, as
 * tenant `dev`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyStore,
    private readonly limiter: RateLimiter,
    @Inject(FACILITATOR_OPTIONS) private readonly options: FacilitatorOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PrincipalRequest>();
    const principal = await this.authenticate(request);
    const wait = this.limiter.take(
      principal.keyId,
      principal.rateLimitPerMinute ?? this.options.rateLimitPerMinute ?? DEFAULTS.rateLimitPerMinute,
    );
    if (wait > 0) {
      throw new FacilitatorException(FacilitatorErrorCode.RATE_LIMITED, 'rate limit exceeded for this API key', {
        retryAfterSeconds: wait,
      });
    }
    request.x402Principal = principal;
    return true;
  }

  private async authenticate(request: Request): Promise<ApiPrincipal> {
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = match ? await this.keys.authenticate(match[1]) : null;
      if (!principal) throw new FacilitatorException(FacilitatorErrorCode.UNAUTHENTICATED, 'invalid API key');
      return principal;
    }
    const remote = request.socket.remoteAddress ?? '';
    if (this.options.mode === 'dev' && isLoopbackAddress(remote)) return { tenant: DEV_TENANT, keyId: `dev:${remote}` };
    throw new FacilitatorException(
      FacilitatorErrorCode.UNAUTHENTICATED,
      'missing API key (Authorization: Bearer <key>)',
    );
  }
}
