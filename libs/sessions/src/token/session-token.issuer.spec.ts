import { StaticJwksSource, TokenVerifier } from '@x402-ledger/session-guard';
import { TestClock } from '../testing/test-clock';
import { SessionTokenIssuer } from './session-token.issuer';
import { MemorySigningKeyStore } from './signing-key.store';

const claims = (sexp: number) => ({
  sub: '0x5B38Da6a701c568545dCfcB03FcB875f56beddC4',
  aud: 'http://127.0.0.1:4021',
  jti: 'j1',
  sid: 'a'.repeat(64),
  pid: 'b'.repeat(64),
  ten: 'default',
  scp: ['GET /weather'],
  lim: { calls: null, budget: null, ppc: '0', enf: 'local' as const },
  sexp,
  pol: 'weather@1',
});

describe('SessionTokenIssuer', () => {
  it.each(['EdDSA', 'ES256'] as const)(
    'signs %s tokens that validators accept, never past the session end',
    async (algorithm) => {
      const clock = new TestClock();
      const sut = new SessionTokenIssuer(new MemorySigningKeyStore(), clock, {
        issuer: 'x402-ledger',
        algorithm,
        tokenTtlSeconds: 300,
        rotateAfterSeconds: 86_400,
      });
      await sut.init();
      const now = clock.now().getTime() / 1000;
      const { token, expiresAt } = await sut.sign(claims(now + 100));
      expect(expiresAt.getTime() / 1000).toBe(now + 100);
      const jwks = sut.jwks();
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).not.toHaveProperty('d');
      expect(jwks.keys[0]).toMatchObject({ alg: algorithm, use: 'sig', kid: expect.any(String) });
      const verifier = new TokenVerifier({
        jwks: new StaticJwksSource(jwks),
        issuer: 'x402-ledger',
        audience: 'http://127.0.0.1:4021',
        now: () => clock.now().getTime(),
      });
      await verifier.start();
      expect((await verifier.verify(token)).claims.exp).toBe(now + 100);
      await expect(sut.sign(claims(now))).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    },
  );

  it('rotates keys, keeps retired public keys while their tokens live, and reloads keys from its store', async () => {
    const clock = new TestClock();
    const store = new MemorySigningKeyStore();
    const options = {
      issuer: 'x402-ledger',
      algorithm: 'EdDSA' as const,
      tokenTtlSeconds: 300,
      rotateAfterSeconds: 3600,
    };
    const sut = new SessionTokenIssuer(store, clock, options);
    await sut.init();
    const old = await sut.sign(claims(clock.now().getTime() / 1000 + 3600));
    const firstKid = sut.jwks().keys[0].kid;
    expect(await sut.rotateIfDue()).toBe(false);
    clock.advance(3600_000);
    expect(await sut.rotateIfDue()).toBe(true);
    expect(sut.jwks().keys.map((k) => k.kid)).toEqual([firstKid, expect.not.stringMatching(firstKid!)]);
    const fresh = await sut.sign(claims(clock.now().getTime() / 1000 + 3600));
    expect(JSON.parse(Buffer.from(fresh.token.split('.')[0], 'base64url').toString()).kid).not.toBe(firstKid);
    expect(JSON.parse(Buffer.from(old.token.split('.')[0], 'base64url').toString()).kid).toBe(firstKid);

    const reloaded = new SessionTokenIssuer(store, clock, options);
    await reloaded.init();
    expect(reloaded.jwks()).toEqual(sut.jwks());
    clock.advance(361_000);
    expect(reloaded.jwks().keys.map((k) => k.kid)).not.toContain(firstKid);
  });
});
