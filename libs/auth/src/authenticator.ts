import { ApiKeyService } from './api-keys/api-key.service';
import { AuthErrorCode, AuthException } from './auth.exception';
import type { Principal } from './principal/principal';
import { AccessTokenService } from './tokens/access-token.service';

/**
 * Turns an `Authorization` header into a Principal: `Bearer x402_…` is an API key (or the configured admin key),
 * any other bearer value a wallet sign-in token. No header → null (anonymous); a header that does not verify →
 * AuthException UNAUTHENTICATED (never silently anonymous).
 */
export class Authenticator {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly tokens: AccessTokenService,
  ) {}

  async authenticate(authorization: string | undefined | null): Promise<Principal | null> {
    if (authorization === undefined || authorization === null || authorization.trim() === '') return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match)
      throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'use "Authorization: Bearer <api key or token>"');
    const credential = match[1];
    if (credential.startsWith('x402_')) {
      const principal = this.keys.verify(credential);
      if (!principal) throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'unknown or revoked API key');
      return principal;
    }
    return this.tokens.verify(credential);
  }
}
