import { SESSION_TOKEN_TYPE, type Jwks, type SessionTokenClaims } from '@x402-ledger/session-guard';
import type { Clock } from '@x402-ledger/ledger';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type KeyLike } from 'jose';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';
import type { SigningKeyStore, StoredSigningKey } from './signing-key.store';

export interface SessionTokenIssuerOptions {
  issuer: string;
  algorithm: 'EdDSA' | 'ES256';
  /** Token lifetime (seconds). */
  tokenTtlSeconds: number;
  /** A new signing key after this long (seconds). */
  rotateAfterSeconds: number;
}

/** Claims the issuer fills itself. */
export type TokenClaimsInput = Omit<SessionTokenClaims, 'iss' | 'iat' | 'exp' | 'jti'> & { jti: string };

/**
 * Signs session tokens (compact JWS via jose: EdDSA/Ed25519 or ES256, `kid` = JWK thumbprint, `typ`
 * x402-session+jwt) and publishes the public keys as a JWKS. Keys rotate: the newest key signs; retired keys stay in
 * the JWKS until every token they signed has expired (retiredAt + token TTL + 60 s), then they are dropped.
 */
export class SessionTokenIssuer {
  private keys: StoredSigningKey[] = [];
  private signingKey: { kid: string; alg: 'EdDSA' | 'ES256'; key: KeyLike | Uint8Array } | undefined;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly clock: Clock,
    private readonly options: SessionTokenIssuerOptions,
  ) {}

  get issuer(): string {
    return this.options.issuer;
  }

  get tokenTtlSeconds(): number {
    return this.options.tokenTtlSeconds;
  }

  /** Loads the keys; creates the first key, or rotates when the current one is too old. */
  async init(): Promise<void> {
    this.keys = await this.store.load();
    await this.rotateIfDue();
    if (!this.signingKey) await this.useCurrent();
  }

  /** Rotates when the current key is older than rotateAfterSeconds (or there is none). Returns true when it did. */
  async rotateIfDue(): Promise<boolean> {
    const current = this.current();
    const age = current ? this.clock.now().getTime() - Date.parse(current.createdAt) : Infinity;
    if (age < this.options.rotateAfterSeconds * 1000) return false;
    await this.rotate();
    return true;
  }

  /** Makes a new key the signing key now. */
  async rotate(): Promise<void> {
    const now = this.clock.now();
    const { privateKey, publicKey } = await generateKeyPair(this.options.algorithm, {
      crv: this.options.algorithm === 'EdDSA' ? 'Ed25519' : undefined,
      extractable: true,
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: this.options.algorithm };
    const retireBefore = now.getTime() - (this.options.tokenTtlSeconds + 60) * 1000;
    this.keys = [
      ...this.keys
        .map((k) => (k.retiredAt === null ? { ...k, retiredAt: now.toISOString() } : k))
        .filter((k) => k.retiredAt === null || Date.parse(k.retiredAt) > retireBefore),
      {
        kid,
        alg: this.options.algorithm,
        privateJwk,
        publicJwk: { ...publicJwk, kid, alg: this.options.algorithm, use: 'sig' },
        createdAt: now.toISOString(),
        retiredAt: null,
      },
    ];
    await this.store.save(this.keys);
    await this.useCurrent();
  }

  /** The JWKS: public halves of the signing key and of retired keys whose tokens may still be valid. */
  jwks(): Jwks {
    const cutoff = this.clock.now().getTime() - (this.options.tokenTtlSeconds + 60) * 1000;
    return {
      keys: this.keys
        .filter((k) => k.retiredAt === null || Date.parse(k.retiredAt) > cutoff)
        .map((k) => ({ ...k.publicJwk }) as Jwks['keys'][number]),
    };
  }

  /** Signs claims; `exp` = min(now + token TTL, session end). Returns the token and its expiry. */
  async sign(input: TokenClaimsInput): Promise<{ token: string; expiresAt: Date }> {
    const key = this.signingKey;
    if (!key) throw new SessionsException(SessionsErrorCode.UNAVAILABLE, 'no signing key (init() not called)');
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    const exp = Math.min(iat + this.options.tokenTtlSeconds, input.sexp);
    if (exp <= iat) throw new SessionsException(SessionsErrorCode.SESSION_ENDED, 'the session has ended');
    const { jti, ...rest } = input;
    const token = await new SignJWT({ ...rest })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: SESSION_TOKEN_TYPE })
      .setIssuer(this.options.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  private current(): StoredSigningKey | undefined {
    return this.keys.find((k) => k.retiredAt === null);
  }

  private async useCurrent(): Promise<void> {
    const current = this.current();
    if (!current) throw new SessionsException(SessionsErrorCode.UNAVAILABLE, 'no current signing key');
    this.signingKey = { kid: current.kid, alg: current.alg, key: await importJWK(current.privateJwk, current.alg) };
  }
}
