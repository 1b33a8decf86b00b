import { RevocationList } from '../revocation/revocation-list';
import { SessionGuardErrorCode, SessionGuardException } from '../session-guard.exception';
import { claims, signToken, testKey } from '../testing/test-tokens';
import { StaticJwksSource } from './jwks.source';
import { TokenVerifier } from './token-verifier';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const NOW_S = NOW / 1000;

async function setup() {
  const key = await testKey();
  let now = NOW;
  const revocations = new RevocationList();
  const jwks = new StaticJwksSource(key.jwks);
  const sut = new TokenVerifier({
    jwks,
    issuer: 'x402-ledger',
    audience: 'http://127.0.0.1:4021',
    revocations,
    now: () => now,
    jwksRefreshCooldownMs: 0,
  });
  await sut.start();
  return { sut, key, jwks, revocations, advance: (ms: number) => (now += ms) };
}

async function code(p: Promise<unknown>): Promise<SessionGuardErrorCode> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SessionGuardException);
  return (e as SessionGuardException).code;
}

describe('TokenVerifier', () => {
  it('verifies once, then validates from the cache; checks expiry, revocation and method+route scope', async () => {
    const { sut, key, revocations, advance } = await setup();
    const token = await signToken(key, claims(NOW_S));
    expect(sut.cached(token)).toBeUndefined();
    const verified = await sut.verify(token);
    expect(sut.cached(token)).toBe(verified);
    expect(sut.check(verified, 'GET /weather/:city')).toBeNull();
    expect(sut.check(verified, 'POST /weather/:city')).toBe(SessionGuardErrorCode.OUT_OF_SCOPE);
    expect(sut.check(verified, 'GET /admin')).toBe(SessionGuardErrorCode.OUT_OF_SCOPE);
    revocations.add({ sessionId: 'a'.repeat(64), relevantUntil: new Date(NOW + 60_000).toISOString() });
    expect(sut.check(verified, 'GET /weather')).toBe(SessionGuardErrorCode.REVOKED);
    revocations.prune(NOW + 60_000);
    expect(sut.check(verified, 'GET /weather')).toBeNull();
    advance(305_001);
    expect(sut.check(verified, 'GET /weather')).toBe(SessionGuardErrorCode.TOKEN_EXPIRED);
  });

  it('refuses forged, expired, foreign-audience, wrong-type and unknown-key tokens', async () => {
    const { sut, key } = await setup();
    const other = await testKey('k1');
    expect(await code(sut.verify(await signToken(other, claims(NOW_S))))).toBe(SessionGuardErrorCode.INVALID_TOKEN);
    const good = await signToken(key, claims(NOW_S));
    const [h, , s] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims(NOW_S), lim: { calls: null, budget: null, ppc: '0', enf: 'local' } })).toString('base64url')}.${s}`;
    expect(await code(sut.verify(tampered))).toBe(SessionGuardErrorCode.INVALID_TOKEN);
    expect(await code(sut.verify(await signToken(key, claims(NOW_S - 1000))))).toBe(
      SessionGuardErrorCode.TOKEN_EXPIRED,
    );
    expect(await code(sut.verify(await signToken(key, claims(NOW_S, { aud: 'https://other.example' }))))).toBe(
      SessionGuardErrorCode.WRONG_AUDIENCE,
    );
    expect(await code(sut.verify(await signToken(key, claims(NOW_S), { typ: 'JWT' })))).toBe(
      SessionGuardErrorCode.INVALID_TOKEN,
    );
    expect(await code(sut.verify(await signToken(key, claims(NOW_S), { kid: 'nope' })))).toBe(
      SessionGuardErrorCode.UNKNOWN_KEY,
    );
    expect(await code(sut.verify('not.a.jws'))).toBe(SessionGuardErrorCode.INVALID_TOKEN);
    expect(await code(sut.verify(await signToken(key, { ...claims(NOW_S), sid: 'short' })))).toBe(
      SessionGuardErrorCode.INVALID_TOKEN,
    );
    expect(sut.cachedCount).toBe(0);
  });

  it('picks up a rotated key from the JWKS on first sight of its kid', async () => {
    const { sut, key, jwks } = await setup();
    const next = await testKey('k2');
    jwks.set({ keys: [...key.jwks.keys, ...next.jwks.keys] });
    const verified = await sut.verify(await signToken(next, claims(NOW_S)));
    expect(verified.claims.sid).toBe('a'.repeat(64));
  });

  it('bounds its cache', async () => {
    const key = await testKey();
    const sut = new TokenVerifier({
      jwks: new StaticJwksSource(key.jwks),
      issuer: 'x402-ledger',
      audience: 'http://127.0.0.1:4021',
      cacheSize: 10,
      now: () => NOW,
    });
    await sut.start();
    for (let i = 0; i < 25; i++) await sut.verify(await signToken(key, claims(NOW_S, { jti: `j${i}` })));
    expect(sut.cachedCount).toBeLessThanOrEqual(10);
  });
});
