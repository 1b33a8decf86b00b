import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import { AuthException, Authenticator, type Principal } from '@x402-ledger/auth';
import { RateLimiter } from '../limits/rate-limiter';
import { ApiLoaders } from '../loaders/api-loaders';
import { scopeOf } from '../queries/read-scope';
import { ApiReadModel } from '../queries/read-model';
import type { ApiContext } from './api-context';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What graphql-ws keeps per connection (set by onConnect). */
export interface WsExtra {
  principal?: Principal | null;
  request?: { socket?: { remoteAddress?: string } };
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function rateLimited(): GraphQLError {
  return new GraphQLError('Too many requests: slow down', {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds: 1,
      http: { status: 429, headers: new Map([['retry-after', '1']]) },
    },
  });
}

/**
 * Builds the per-request ApiContext: authenticates the Authorization header (HTTP) or the connection (graphql-ws),
 * applies the caller's rate limit, and hands out scoped DataLoaders.
 */
export class ContextFactory {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly limiter: RateLimiter,
    private readonly read: ApiReadModel,
  ) {}

  /** Apollo context for an HTTP request. Throws GraphQLErrors (401/429) that Apollo answers with. */
  async http(req: Request): Promise<ApiContext> {
    let principal: Principal | null;
    try {
      principal = await this.authenticator.authenticate(req.headers.authorization);
    } catch (error) {
      if (error instanceof AuthException) throw unauthenticated(error.message);
      throw error;
    }
    if (!this.limiter.take(principal ? principal.id : `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`))
      throw rateLimited();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    return this.build(principal, requestId);
  }

  /** graphql-ws onConnect: authenticates `connectionParams.authorization`; false refuses the socket (4403). */
  async wsConnect(connectionParams: Record<string, unknown> | undefined, extra: WsExtra): Promise<boolean> {
    const header = connectionParams?.['authorization'] ?? connectionParams?.['Authorization'];
    try {
      extra.principal = await this.authenticator.authenticate(typeof header === 'string' ? header : undefined);
    } catch {
      return false;
    }
    return true;
  }

  /** graphql-ws: rate limit per subscribe message. */
  wsAllow(extra: WsExtra): boolean {
    const principal = extra.principal ?? null;
    return this.limiter.take(principal ? principal.id : `ip:${extra.request?.socket?.remoteAddress ?? 'unknown'}`);
  }

  ws(extra: WsExtra): ApiContext {
    return this.build(extra.principal ?? null, randomUUID());
  }

  private build(principal: Principal | null, requestId: string): ApiContext {
    let loaders: ApiLoaders | undefined;
    return {
      principal,
      requestId,
      loaders: () => {
        if (!principal) throw unauthenticated('Authentication required');
        loaders ??= new ApiLoaders(this.read, scopeOf(principal));
        return loaders;
      },
    };
  }
}
