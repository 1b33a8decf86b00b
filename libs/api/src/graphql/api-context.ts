import type { Principal } from '@x402-ledger/auth';
import { AuthErrorCode, AuthException } from '@x402-ledger/auth';
import { ApiErrorCode, ApiException } from '../api.exception';
import type { ApiLoaders } from '../loaders/api-loaders';
import { scopeOf, type ReadScope } from '../queries/read-scope';

/** What every resolver gets: who is calling, its read scope, per-request loaders. */
export interface ApiContext {
  principal: Principal | null;
  requestId: string;
  /** Per-request loaders (scoped to the principal); created lazily. */
  loaders(): ApiLoaders;
}

export function requirePrincipal(ctx: ApiContext): Principal {
  if (!ctx.principal)
    throw new AuthException(
      AuthErrorCode.UNAUTHENTICATED,
      'Authentication required: send Authorization: Bearer <API key or token>',
    );
  return ctx.principal;
}

export function requireRole<K extends Principal['kind']>(
  ctx: ApiContext,
  ...kinds: K[]
): Extract<Principal, { kind: K }> {
  const principal = requirePrincipal(ctx);
  if (!kinds.includes(principal.kind as K)) {
    throw new ApiException(ApiErrorCode.FORBIDDEN, `This operation is for ${kinds.join(' or ')} principals`);
  }
  return principal as Extract<Principal, { kind: K }>;
}

export function scopeOfContext(ctx: ApiContext): ReadScope {
  return scopeOf(requirePrincipal(ctx));
}
