import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import type { Jwks } from '../service/session-api.types';
import { SESSION_TOKEN_TYPE } from '../session-guard.constants';
import type { SessionTokenClaims } from '../token/session-token.claims';

/** A signing key + JWKS for SDK unit tests (the real issuer lives in the session service). */
export async function testKey(kid = 'k1'): Promise<{ kid: string; privateKey: KeyLike; jwks: Jwks }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { kid, privateKey, jwks: { keys: [jwk as Jwks['keys'][number]] } };
}

export function claims(nowSeconds: number, overrides: Partial<SessionTokenClaims> = {}): SessionTokenClaims {
  return {
    iss: 'x402-ledger',
    sub: '0x5B38Da6a701c568545dCfcB03FcB875f56beddC4',
    aud: 'http://127.0.0.1:4021',
    iat: nowSeconds,
    exp: nowSeconds + 300,
    jti: 'j1',
    sid: 'a'.repeat(64),
    pid: 'b'.repeat(64),
    ten: 'default',
    scp: ['GET /weather', 'GET /weather/:city'],
    lim: { calls: 3, budget: null, ppc: '0', enf: 'local' },
    sexp: nowSeconds + 3600,
    pol: 'weather@1',
    ...overrides,
  };
}

export async function signToken(
  key: { kid: string; privateKey: KeyLike },
  c: SessionTokenClaims,
  header: { typ?: string; kid?: string } = {},
): Promise<string> {
  const { iss, iat, exp, jti, ...rest } = c;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'EdDSA', kid: header.kid ?? key.kid, typ: header.typ ?? SESSION_TOKEN_TYPE })
    .setIssuer(iss)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(key.privateKey);
}
