import { StaticJwksSource, TokenVerifier, type SessionGrant } from '@x402-ledger/session-guard';
import { privateKeyToAccount } from 'viem/accounts';
import type { Principal } from './auth/principal';
import { VersionedPolicyRepository } from './policy/policy.repository';
import type { SessionPolicyInput } from './policy/session-policy';
import { DEFAULT_SESSIONS_CONFIG } from './sessions.config';
import { SessionsErrorCode, SessionsException } from './sessions.exception';
import { SessionsService } from './sessions.service';
import { ViemSignatureVerifier } from './siwx/viem-signature.verifier';
import { CryptoRandomSource } from './store/random-source.port';
import { MemoryEventLog } from './testing/memory-event-log';
import { MemorySettledPayments } from './testing/memory-settled-payments';
import { encodeProof, rawSiwxHeader, siwxHeader } from './testing/siwx-test-signer';
import { TestClock } from './testing/test-clock';
import { MemorySigningKeyStore } from './token/signing-key.store';
import { SessionTokenIssuer } from './token/session-token.issuer';

const BUYER = privateKeyToAccount(`0x${'11'.repeat(32)}`);
const OTHER = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const PAY_TO = '0x209693Bc6afc0C5328bA36FaF03C514EF312287C';
const ASSET = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const NETWORK = 'eip155:31337';
const ORIGIN = 'http://127.0.0.1:4021';
const PAYMENT_ID = 'a'.repeat(64);
const P: Principal = { tenant: 'default', admin: false, subject: 'provider:test' };

const POLICY: SessionPolicyInput = {
  id: 'weather',
  routes: ['GET /weather', 'GET /weather/:city'],
  accepts: [{ network: NETWORK, asset: ASSET, payTo: PAY_TO, minAmount: '1000' }],
  durationSeconds: 3600,
  maxCalls: 3,
};

interface Harness {
  sut: SessionsService;
  log: MemoryEventLog;
  clock: TestClock;
  settled: MemorySettledPayments;
  keys: MemorySigningKeyStore;
  policies: VersionedPolicyRepository;
}

async function harness(shared?: Partial<Harness>): Promise<Harness> {
  const log = shared?.log ?? new MemoryEventLog();
  const clock = shared?.clock ?? new TestClock();
  const settled = shared?.settled ?? new MemorySettledPayments();
  const keys = shared?.keys ?? new MemorySigningKeyStore();
  const policies = shared?.policies ?? new VersionedPolicyRepository(clock);
  await policies.put(POLICY);
  const config = { ...DEFAULT_SESSIONS_CONFIG, tokenTtlSeconds: 120 };
  const tokens = new SessionTokenIssuer(keys, clock, {
    issuer: config.issuer,
    algorithm: 'EdDSA',
    tokenTtlSeconds: config.tokenTtlSeconds,
    rotateAfterSeconds: config.keyRotationSeconds,
  });
  const sut = new SessionsService(
    log,
    clock,
    new CryptoRandomSource(),
    new ViemSignatureVerifier(),
    settled,
    policies,
    tokens,
    config,
  );
  await sut.init();
  sut.close();
  return { sut, log, clock, settled, keys, policies };
}

function settle(
  h: Harness,
  overrides: Partial<{ paymentId: string; amount: string; payer: string; resourceUrl: string }> = {},
) {
  h.settled.add({
    paymentId: overrides.paymentId ?? PAYMENT_ID,
    tenant: 'default',
    payer: overrides.payer ?? BUYER.address,
    payTo: PAY_TO,
    amount: overrides.amount ?? '1000',
    asset: ASSET,
    network: NETWORK,
    resourceUrl: overrides.resourceUrl ?? `${ORIGIN}/weather`,
    settledEventId: 'e'.repeat(64),
    settledAt: h.clock.now().toISOString(),
  });
}

async function proof(h: Harness, overrides: Partial<Parameters<typeof siwxHeader>[1]> = {}, account = BUYER) {
  const { nonces } = await h.sut.issueNonces(P, ORIGIN, 1);
  const fields = {
    domain: '127.0.0.1:4021',
    uri: `${ORIGIN}/weather`,
    nonce: nonces[0].nonce,
    issuedAt: h.clock.now().toISOString(),
    chainId: NETWORK,
    expirationTime: nonces[0].expiresAt,
    ...overrides,
  };
  return (await siwxHeader(account, fields, fields.uri)).header;
}

const resource = { method: 'GET', url: `${ORIGIN}/weather` };

async function rejection(promise: Promise<unknown>): Promise<SessionsException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionsException);
  return error as SessionsException;
}

describe('SessionsService', () => {
  it('turns a settled payment + a SIWx proof into a session and a token a resource server validates locally', async () => {
    const h = await harness();
    settle(h);
    const grant = await h.sut.createSession(P, { siwx: await proof(h), paymentId: PAYMENT_ID, resource });
    expect(grant).toMatchObject({ paymentId: PAYMENT_ID, wallet: BUYER.address, maxCalls: 3, policyId: 'weather' });
    expect(grant.scope).toEqual(['GET /weather', 'GET /weather/:city']);

    const verifier = new TokenVerifier({
      jwks: new StaticJwksSource(h.sut.jwks()),
      issuer: 'x402-ledger',
      audience: ORIGIN,
      now: () => h.clock.now().getTime(),
    });
    await verifier.start();
    const verified = await verifier.verify(grant.token!);
    expect(verified.claims).toMatchObject({
      sid: grant.sessionId,
      pid: PAYMENT_ID,
      sub: BUYER.address,
      ten: 'default',
    });
    expect(verified.claims.lim).toEqual({ calls: 3, budget: null, ppc: '0', enf: 'local' });
    expect(verified.claims.exp - verified.claims.iat).toBe(120);
    expect(verifier.check(verified, 'GET /weather/:city')).toBeNull();
    expect(verifier.check(verified, 'POST /weather')).toBe('OUT_OF_SCOPE');

    const types = h.log.records.map((e) => e.type);
    expect(types).toEqual(['session.nonce_issued', 'session.nonce_consumed', 'session.issued']);
    const issued = h.log.ofType('session.issued')[0];
    expect(issued).toMatchObject({ correlationId: PAYMENT_ID, causationId: 'e'.repeat(64), tenant: 'default' });
    expect(h.log.ofType('session.nonce_consumed')[0].data).toMatchObject({ sessionId: grant.sessionId });
  });

  it('refuses a replayed proof, a nonce it never issued, and concurrent double use of one nonce', async () => {
    const h = await harness();
    settle(h);
    const header = await proof(h);
    await h.sut.createSession(P, { siwx: header, paymentId: PAYMENT_ID, resource });
    const replay = await rejection(h.sut.createSession(P, { siwx: header, paymentId: PAYMENT_ID, resource }));
    expect(replay).toMatchObject({ code: SessionsErrorCode.SIWX_REJECTED, reason: 'invalid_siwx_nonce' });

    const foreign = (
      await siwxHeader(BUYER, {
        domain: '127.0.0.1:4021',
        uri: `${ORIGIN}/weather`,
        nonce: 'f'.repeat(32),
        issuedAt: h.clock.now().toISOString(),
        chainId: NETWORK,
      })
    ).header;
    expect(await rejection(h.sut.createSession(P, { siwx: foreign, paymentId: PAYMENT_ID, resource }))).toMatchObject({
      reason: 'invalid_siwx_nonce',
    });

    settle(h, { paymentId: 'b'.repeat(64) });
    const once = await proof(h);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => h.sut.createSession(P, { siwx: once, paymentId: 'b'.repeat(64), resource })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: SessionsErrorCode.SIWX_REJECTED, reason: 'invalid_siwx_nonce' });
    }
    expect(h.log.ofType('session.nonce_consumed')).toHaveLength(2);
  });

  it('refuses wrong domain or URI, expired and not-yet-valid messages, stale issuedAt, and bad signatures', async () => {
    const h = await harness();
    settle(h);
    const now = h.clock.now().getTime();
    const cases: [Partial<Parameters<typeof siwxHeader>[1]>, string][] = [
      [{ domain: 'evil.example:4021', uri: 'http://evil.example:4021/weather' }, 'invalid_siwx_domain_mismatch'],
      [{ uri: 'http://127.0.0.1:9999/weather' }, 'invalid_siwx_uri_mismatch'],
      [{ expirationTime: new Date(now - 1000).toISOString() }, 'invalid_siwx_expired'],
      [{ notBefore: new Date(now + 600_000).toISOString() }, 'invalid_siwx_not_yet_valid'],
      [{ issuedAt: new Date(now - 10 * 60_000).toISOString() }, 'invalid_siwx_issued_at_too_old'],
      [{ issuedAt: new Date(now + 10 * 60_000).toISOString() }, 'invalid_siwx_issued_at_in_future'],
    ];
    for (const [overrides, reason] of cases) {
      const { nonces } = await h.sut.issueNonces(P, ORIGIN, 1);
      const fields = {
        domain: '127.0.0.1:4021',
        uri: `${ORIGIN}/weather`,
        nonce: nonces[0].nonce,
        issuedAt: new Date(now).toISOString(),
        chainId: NETWORK,
        ...overrides,
      };
      const header = await rawSiwxHeader(BUYER, fields);
      const error = await rejection(h.sut.createSession(P, { siwx: header, paymentId: PAYMENT_ID, resource }));
      expect({ code: error.code, reason: error.reason }).toEqual({ code: SessionsErrorCode.SIWX_REJECTED, reason });
    }
    // Signed by another key than the claimed address.
    const { nonces } = await h.sut.issueNonces(P, ORIGIN, 1);
    const { payload } = await siwxHeader(OTHER, {
      domain: '127.0.0.1:4021',
      uri: `${ORIGIN}/weather`,
      nonce: nonces[0].nonce,
      issuedAt: new Date(now).toISOString(),
      chainId: NETWORK,
    });
    const forged = encodeProof({ ...payload, address: BUYER.address });
    expect(await rejection(h.sut.createSession(P, { siwx: forged, paymentId: PAYMENT_ID, resource }))).toMatchObject({
      reason: 'invalid_siwx_signature',
    });
    // A valid proof by a wallet that did not pay.
    expect(
      await rejection(h.sut.createSession(P, { siwx: await proof(h, {}, OTHER), paymentId: PAYMENT_ID, resource })),
    ).toMatchObject({ code: SessionsErrorCode.PAYER_MISMATCH });
    expect(h.log.ofType('session.issued')).toHaveLength(0);
  });

  it('needs a settled payment the policy covers, and gives one payment one session', async () => {
    const h = await harness();
    expect(
      await rejection(h.sut.createSession(P, { siwx: await proof(h), paymentId: PAYMENT_ID, resource })),
    ).toMatchObject({ code: SessionsErrorCode.PAYMENT_NOT_SETTLED });
    settle(h, { paymentId: 'c'.repeat(64), amount: '999' });
    expect(
      await rejection(h.sut.createSession(P, { siwx: await proof(h), paymentId: 'c'.repeat(64), resource })),
    ).toMatchObject({ code: SessionsErrorCode.POLICY_NOT_COVERED });
    settle(h, { paymentId: 'd'.repeat(64), resourceUrl: `${ORIGIN}/other` });
    expect(
      await rejection(h.sut.createSession(P, { siwx: await proof(h), paymentId: 'd'.repeat(64), resource })),
    ).toMatchObject({ code: SessionsErrorCode.POLICY_NOT_COVERED });
    settle(h);
    expect(
      await rejection(
        h.sut.createSession(P, {
          siwx: await proof(h),
          paymentId: PAYMENT_ID,
          resource: { method: 'POST', url: `${ORIGIN}/weather` },
        }),
      ),
    ).toMatchObject({ code: SessionsErrorCode.POLICY_NOT_FOUND });

    const first = await h.sut.createSession(P, { siwx: await proof(h), paymentId: PAYMENT_ID, resource });
    const second = await h.sut.createSession(P, { siwx: await proof(h), paymentId: PAYMENT_ID, resource });
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.token).not.toBe(first.token);
    expect(h.log.ofType('session.issued')).toHaveLength(1);
  });

  it('records usage batches within the limits and reports overshoot; strict reservations stop at the limit', async () => {
    const h = await harness();
    settle(h);
    const grant = await h.sut.createSession(P, { siwx: await proof(h), paymentId: PAYMENT_ID, resource });
    const at = h.clock.now().toISOString();
    const report = (calls: number) => ({
      sessionId: grant.sessionId,
      calls,
      spend: '0',
      windowStart: at,
      windowEnd: at,
    });
    const first = await h.sut.reportUsage(P, { reports: [report(2)], batchId: 'b1' });
    expect(first.sessions[0]).toMatchObject({ status: 'active', calls: 2, overshootCalls: 0 });
    const again = await h.sut.reportUsage(P, { reports: [report(2)], batchId: 'b1' });
    expect(again).toEqual(first);
    const over = await h.sut.reportUsage(P, { reports: [report(5)], batchId: 'b2' });
    expect(over.sessions[0]).toMatchObject({ status: 'exhausted', calls: 3, overshootCalls: 4 });
    expect(h.log.ofType('session.used').map((e) => e.data.calls)).toEqual([2, 1]);
    expect(await rejection(h.sut.reserve(P, grant.sessionId, { calls: 1, spend: '0' }))).toMatchObject({
      code: SessionsErrorCode.SESSION_EXHAUSTED,
    });
  });

  it('revokes by session and by wallet into the feed, and expires sessions past their end', async () => {
    const h = await harness();
    settle(h);
    settle(h, { paymentId: 'b'.repeat(64) });
    const one = await h.sut.createSession(P, { siwx: await proof(h), paymentId: PAYMENT_ID, resource });
    const two = await h.sut.createSession(P, { siwx: await proof(h), paymentId: 'b'.repeat(64), resource });
    const empty = h.sut.revocations(undefined);
    expect(empty).toMatchObject({ revocations: [], reset: true, cursor: '0' });

    await h.sut.revokeSession(P, one.sessionId, 'abuse');
    const page = h.sut.revocations(empty.cursor);
    expect(page.revocations.map((r) => r.sessionId)).toEqual([one.sessionId]);
    expect(page.reset).toBe(false);
    expect(await h.sut.revokeWallet(P, BUYER.address, 'lost key')).toEqual({ revoked: [two.sessionId] });
    expect(h.sut.revocations(page.cursor).revocations.map((r) => r.sessionId)).toEqual([two.sessionId]);
    expect(await rejection(h.sut.refreshToken(P, one.sessionId))).toMatchObject({
      code: SessionsErrorCode.SESSION_ENDED,
    });
    expect(h.log.ofType('session.revoked').map((e) => e.data.revokedBy)).toEqual(['provider:test', 'provider:test']);

    settle(h, { paymentId: 'c'.repeat(64) });
    const three = await h.sut.createSession(P, { siwx: await proof(h), paymentId: 'c'.repeat(64), resource });
    h.clock.advance(3600_000);
    expect(await h.sut.sweepExpired()).toBe(1);
    expect(h.log.ofType('session.expired').map((e) => e.data.sessionId)).toEqual([three.sessionId]);
    // Entries leave the feed once no token of the session can be valid any more.
    expect(h.sut.revocations(undefined).revocations).toEqual([]);
  });

  it('rebuilds everything from the log after a restart', async () => {
    const h = await harness();
    settle(h);
    const header = await proof(h);
    const grant = await h.sut.createSession(P, { siwx: header, paymentId: PAYMENT_ID, resource });
    await h.sut.revokeSession(P, grant.sessionId, 'test');

    const restarted = await harness({
      log: h.log,
      clock: h.clock,
      settled: h.settled,
      keys: h.keys,
      policies: h.policies,
    });
    expect(await restarted.sut.getSession(P, grant.sessionId)).toMatchObject({
      status: 'revoked',
      paymentId: PAYMENT_ID,
    });
    expect(restarted.sut.revocations(undefined).revocations.map((r) => r.sessionId)).toEqual([grant.sessionId]);
    expect(
      await rejection(restarted.sut.createSession(P, { siwx: header, paymentId: PAYMENT_ID, resource })),
    ).toMatchObject({ reason: 'invalid_siwx_nonce' });
    expect(restarted.sut.jwks()).toEqual(h.sut.jwks());
  });

  it('exchanges a proof alone for a token of an active session (one counted call), or refuses', async () => {
    const h = await harness();
    settle(h);
    expect(await rejection(h.sut.exchangeSiwx(P, { siwx: await proof(h), resource }))).toMatchObject({
      code: SessionsErrorCode.NO_ENTITLEMENT,
    });
    const entitlement = await h.sut.createSession(P, { paymentId: PAYMENT_ID, resource });
    expect(entitlement.token).toBeNull();
    const grant: SessionGrant = await h.sut.exchangeSiwx(P, { siwx: await proof(h), resource });
    expect(grant.sessionId).toBe(entitlement.sessionId);
    expect(typeof grant.token).toBe('string');
    expect(await h.sut.getSession(P, grant.sessionId)).toMatchObject({ calls: 1 });
  });

  it('implements the official SIWx storage: persistent entitlements and single-use nonces', async () => {
    const h = await harness();
    settle(h);
    expect(h.sut.siwxHasPaid(P, '/weather', BUYER.address)).toBe(false);
    const { sessionId } = await h.sut.siwxRecordPayment(P, '/weather', BUYER.address);
    expect(await h.sut.siwxRecordPayment(P, '/weather', BUYER.address)).toEqual({ sessionId });
    expect(h.sut.siwxHasPaid(P, '/weather', BUYER.address.toLowerCase())).toBe(true);
    expect(h.sut.siwxHasPaid(P, '/weather/paris', BUYER.address)).toBe(true);
    expect(h.sut.siwxHasPaid(P, '/other', BUYER.address)).toBe(false);
    expect(h.sut.siwxHasPaid(P, '/weather', OTHER.address)).toBe(false);
    await expect(h.sut.siwxRecordPayment(P, '/other', BUYER.address)).rejects.toMatchObject({
      code: SessionsErrorCode.PAYMENT_NOT_SETTLED,
    });

    const nonce = '0123456789abcdef0123456789abcdef';
    expect(await h.sut.siwxHasUsedNonce(nonce)).toBe(false);
    const both = await Promise.allSettled([h.sut.siwxRecordNonce(P, nonce), h.sut.siwxRecordNonce(P, nonce)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: SessionsErrorCode.NONCE_REPLAYED,
    });
    expect(await h.sut.siwxHasUsedNonce(nonce)).toBe(true);
    expect(await h.sut.siwxHasUsedNonce('bad nonce!')).toBe(true);
  });

  it('does not move state when the append fails', async () => {
    const h = await harness();
    settle(h);
    const header = await proof(h);
    h.log.failAppends = true;
    await expect(h.sut.createSession(P, { siwx: header, paymentId: PAYMENT_ID, resource })).rejects.toThrow(
      'append failed',
    );
    h.log.failAppends = false;
    const grant = await h.sut.createSession(P, { siwx: header, paymentId: PAYMENT_ID, resource });
    expect(grant.paymentId).toBe(PAYMENT_ID);
  });
});
