import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { Clock } from '@x402-ledger/ledger';
import { AuthErrorCode, AuthException } from '../auth.exception';
import { payerPrincipal, providerPrincipal, type PayerPrincipal, type ProviderPrincipal } from '../principal/principal';

export const ACCESS_TOKEN_ISSUER = 'x402-ledger';
export const ACCESS_TOKEN_AUDIENCE = 'x402-ledger-api';

/** A wallet-proven principal: a provider scoped to its payTo address, or a payer scoped to its wallet. */
export type WalletPrincipal = ProviderPrincipal | PayerPrincipal;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/**
 * Short-lived bearer tokens (JWT, HS256) for wallet sign-ins. Claims: `sub` = lowercase address, `role` = provider |
 * payer. The secret comes from configuration (≥ 32 bytes); tokens do not survive a secret change.
 */
export class AccessTokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly clock: Clock,
    private readonly ttlSeconds = 3600,
  ) {
    if (Buffer.byteLength(secret, 'utf8') < 32) {
      throw new AuthException(AuthErrorCode.INVALID_INPUT, 'the token secret must be at least 32 bytes');
    }
    this.key = new TextEncoder().encode(secret);
  }

  async issue(principal: WalletPrincipal, notAfter?: Date): Promise<IssuedToken> {
    const now = this.clock.now();
    let expires = new Date(now.getTime() + this.ttlSeconds * 1000);
    if (notAfter && notAfter.getTime() < expires.getTime()) expires = notAfter;
    const subject = principal.kind === 'payer' ? principal.wallet : principal.payTo[0];
    const token = await new SignJWT({ role: principal.kind })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(subject)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expires.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt: new Date(Math.floor(expires.getTime() / 1000) * 1000) };
  }

  /** The principal of a valid token; throws UNAUTHENTICATED otherwise (bad signature, expired, wrong audience). */
  async verify(token: string): Promise<WalletPrincipal> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        algorithms: ['HS256'],
        currentDate: this.clock.now(),
      });
      const address = typeof payload.sub === 'string' ? payload.sub : '';
      if (payload['role'] === 'payer') return payerPrincipal(`wallet:${address}`, address);
      if (payload['role'] === 'provider') return providerPrincipal(`wallet:${address}`, null, [address]);
      throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'token has no valid role');
    } catch (error) {
      if (error instanceof AuthException) {
        throw new AuthException(AuthErrorCode.UNAUTHENTICATED, 'invalid token', { cause: error });
      }
      const expired = error instanceof joseErrors.JWTExpired;
      throw new AuthException(AuthErrorCode.UNAUTHENTICATED, expired ? 'token expired' : 'invalid token', {
        cause: error,
      });
    }
  }
}
