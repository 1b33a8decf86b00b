import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK, type KeyLike } from 'jose';
import type { RevocationList } from '../revocation/revocation-list';
import { SESSION_TOKEN_ALGORITHMS, SESSION_TOKEN_TYPE } from '../session-guard.constants';
import { SessionGuardErrorCode, SessionGuardException } from '../session-guard.exception';
import type { JwksSource } from './jwks.source';
import { parseSessionClaims, type SessionTokenClaims } from './session-token.claims';

export interface TokenVerifierOptions {
  jwks: JwksSource;
  /** Expected `iss`. */
  issuer: string;
  /** Expected `aud`: this resource server's public origin. */
  audience: string;
  revocations?: RevocationList;
  /** Verified tokens kept for fast re-validation (default 10 000). */
  cacheSize?: number;
  /** Allowed clock skew for exp/iat (default 5 s). */
  clockToleranceSeconds?: number;
  /** Minimum time between two JWKS reloads caused by an unknown `kid` (default 10 s). */
  jwksRefreshCooldownMs?: number;
  now?: () => number;
}

/** A token whose signature and claims were verified here once. */
export interface VerifiedSessionToken {
  readonly token: string;
  readonly claims: SessionTokenClaims;
  /** exp in ms (+ tolerance) — checked on every use. */
  readonly expiresAtMs: number;
  readonly scope: ReadonlySet<string>;
}

/**
 * Validates session tokens locally. The first presentation of a token costs one signature verification (jose,
 * EdDSA/ES256 against the cached JWKS); the verified claims are then cached by the exact token string, so every
 * later use is a Map probe plus expiry, revocation and scope checks — microseconds, no round trip.
 */
export class TokenVerifier {
  private readonly keys = new Map<string, KeyLike | Uint8Array>();
  private readonly cache = new Map<string, VerifiedSessionToken>();
  private readonly cacheSize: number;
  private readonly toleranceMs: number;
  private readonly now: () => number;
  private lastJwksLoad = 0;
  private jwksLoading: Promise<void> | undefined;

  constructor(private readonly options: TokenVerifierOptions) {
    this.cacheSize = options.cacheSize ?? 10_000;
    this.toleranceMs = (options.clockToleranceSeconds ?? 5) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Loads the JWKS (call once before serving). */
  async start(): Promise<void> {
    await this.loadJwks(true);
  }

  /**
   * Fast path: the cached verification of `token`, or undefined when this token was never verified here (or fell
   * out of the cache). Does NOT check expiry, revocation or scope — use `check`.
   */
  cached(token: string): VerifiedSessionToken | undefined {
    return this.cache.get(token);
  }

  /** Expiry, revocation and scope checks of a verified token for one route key; null when access is allowed. */
  check(verified: VerifiedSessionToken, routeKey: string): SessionGuardErrorCode | null {
    if (this.now() >= verified.expiresAtMs) return SessionGuardErrorCode.TOKEN_EXPIRED;
    if (this.options.revocations?.isRevoked(verified.claims.sid)) return SessionGuardErrorCode.REVOKED;
    if (!verified.scope.has(routeKey)) return SessionGuardErrorCode.OUT_OF_SCOPE;
    return null;
  }

  /** Verifies signature, issuer, audience, type and claims (cached on success). Throws SessionGuardException. */
  async verify(token: string): Promise<VerifiedSessionToken> {
    const hit = this.cache.get(token);
    if (hit) return hit;
    if (typeof token !== 'string' || token.length > 8192 || token.split('.').length !== 3) {
      throw new SessionGuardException(SessionGuardErrorCode.INVALID_TOKEN, 'not a compact JWS');
    }
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch (error) {
      throw new SessionGuardException(SessionGuardErrorCode.INVALID_TOKEN, 'unreadable JWS header', { cause: error });
    }
    if (!kid) throw new SessionGuardException(SessionGuardErrorCode.INVALID_TOKEN, 'JWS header has no kid');
    const key = await this.keyFor(kid);
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...SESSION_TOKEN_ALGORITHMS],
        typ: SESSION_TOKEN_TYPE,
        clockTolerance: this.toleranceMs / 1000,
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      throw mapJoseError(error);
    }
    const claims = parseSessionClaims(payload);
    const verified: VerifiedSessionToken = {
      token,
      claims,
      expiresAtMs: claims.exp * 1000 + this.toleranceMs,
      scope: new Set(claims.scp),
    };
    if (this.cache.size >= this.cacheSize) this.evict();
    this.cache.set(token, verified);
    return verified;
  }

  /** Number of cached verifications (metrics). */
  get cachedCount(): number {
    return this.cache.size;
  }

  private evict(): void {
    const now = this.now();
    for (const [token, v] of this.cache) if (v.expiresAtMs <= now) this.cache.delete(token);
    // Still full: drop the oldest tenth (Map iteration order = insertion order).
    let drop = this.cache.size >= this.cacheSize ? Math.ceil(this.cacheSize / 10) : 0;
    for (const token of this.cache.keys()) {
      if (drop-- <= 0) break;
      this.cache.delete(token);
    }
  }

  private async keyFor(kid: string): Promise<KeyLike | Uint8Array> {
    let key = this.keys.get(kid);
    if (key) return key;
    await this.loadJwks(false);
    key = this.keys.get(kid);
    if (!key) throw new SessionGuardException(SessionGuardErrorCode.UNKNOWN_KEY, `no JWKS key with kid ${kid}`);
    return key;
  }

  /** Reloads the JWKS; a reload caused by an unknown kid is rate limited (cooldown), a forced one is not. */
  private loadJwks(force: boolean): Promise<void> {
    if (this.jwksLoading) return this.jwksLoading;
    const cooldown = this.options.jwksRefreshCooldownMs ?? 10_000;
    if (!force && this.now() - this.lastJwksLoad < cooldown) return Promise.resolve();
    this.jwksLoading = (async () => {
      try {
        const jwks = await this.options.jwks.fetch();
        const next = new Map<string, KeyLike | Uint8Array>();
        for (const jwk of jwks.keys) {
          if (typeof jwk.kid !== 'string') continue;
          const alg = typeof jwk.alg === 'string' ? jwk.alg : jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
          if (!(SESSION_TOKEN_ALGORITHMS as readonly string[]).includes(alg)) continue;
          next.set(jwk.kid, await importJWK(jwk as unknown as JWK, alg));
        }
        this.keys.clear();
        for (const [kid, key] of next) this.keys.set(kid, key);
        this.lastJwksLoad = this.now();
      } finally {
        this.jwksLoading = undefined;
      }
    })();
    return this.jwksLoading;
  }
}

function mapJoseError(error: unknown): SessionGuardException {
  if (error instanceof joseErrors.JWTExpired) {
    return new SessionGuardException(SessionGuardErrorCode.TOKEN_EXPIRED, 'session token expired', { cause: error });
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const claim = error.claim;
    const code =
      claim === 'aud' || claim === 'iss'
        ? SessionGuardErrorCode.WRONG_AUDIENCE
        : claim === 'nbf'
          ? SessionGuardErrorCode.TOKEN_EXPIRED
          : SessionGuardErrorCode.INVALID_TOKEN;
    return new SessionGuardException(code, `session token claim ${claim}: ${error.reason}`, { cause: error });
  }
  return new SessionGuardException(
    SessionGuardErrorCode.INVALID_TOKEN,
    `session token rejected: ${(error as Error).message}`,
    {
      cause: error,
    },
  );
}
