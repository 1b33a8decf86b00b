import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSIWxPayload, encodeSIWxHeader } from '@x402/extensions/sign-in-with-x';
import { EventFactory, paymentId as paymentIdOf, type EventEnvelope } from '@x402-ledger/ledger';
import { SystemClock, type SessionPolicyInput } from '@x402-ledger/sessions';
import { privateKeyToAccount } from 'viem/accounts';
import { startSessionsApp, type SessionsApp } from '../../../libs/sessions/src/testing/sessions-app';

const KEY = 'provider_key_acme_0123456789';
const OTHER_KEY = 'provider_key_beta_0123456789';
const ADMIN = 'admin_key_0123456789abcdefgh';
const NETWORK = 'eip155:31337';
const ASSET = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PAY_TO = '0x209693Bc6afc0C5328bA36FaF03C514EF312287C';
const ORIGIN = 'http://127.0.0.1:4021';
const BUYER = privateKeyToAccount(`0x${'31'.repeat(32)}`);

const POLICY: SessionPolicyInput = {
  id: 'weather',
  tenant: 'acme',
  routes: ['GET /weather'],
  accepts: [{ network: NETWORK, asset: ASSET, payTo: PAY_TO, minAmount: '1000' }],
  durationSeconds: 600,
  maxCalls: 5,
};

describe('SessionsModule over HTTP (embedded LMDB log)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'x402-sessions-api-'));
  let app: SessionsApp;

  const start = () =>
    startSessionsApp({
      dataDir,
      sessions: {
        dataDir,
        policies: [POLICY],
        auth: { adminApiKey: ADMIN, apiKeys: { [KEY]: 'acme', [OTHER_KEY]: 'beta' } },
      },
    });
  const call = (
    method: string,
    path: string,
    body?: unknown,
    key: string | null = KEY,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const events = async (): Promise<EventEnvelope[]> => {
    const out: EventEnvelope[] = [];
    await app.eventLog.replay(async (batch) => {
      for (const { envelope } of batch) out.push(envelope);
    });
    return out;
  };
  /** What the facilitator does after a settlement: a payment.settled event on the log. */
  const appendSettled = async (nonce: string) => {
    const id = paymentIdOf({ network: NETWORK, asset: ASSET, payer: BUYER.address, nonce });
    const [envelope] = new EventFactory(new SystemClock()).create(
      { streamType: 'payment', streamId: id, lastSequence: 0 },
      [
        {
          type: 'payment.settled',
          data: {
            paymentId: id,
            scheme: 'exact',
            network: NETWORK,
            asset: ASSET,
            amount: '1000',
            payer: BUYER.address,
            payTo: PAY_TO,
            resourceUrl: `${ORIGIN}/weather`,
            txHash: `0x${'ab'.repeat(32)}`,
            blockNumber: '7',
            blockTimestamp: new Date().toISOString(),
            logIndex: 0,
            gasUsed: '52000',
            effectiveGasPrice: '1000000000',
            signer: PAY_TO,
          },
        },
      ],
      { tenant: 'acme', correlationId: id, causationId: null, producer: 'facilitator-test' },
    );
    await app.eventLog.append([envelope]);
    return id;
  };
  const proof = async () => {
    const issued = (await (await call('POST', '/sessions/nonce', { origin: ORIGIN })).json()) as {
      nonces: { nonce: string; expiresAt: string }[];
    };
    const payload = await createSIWxPayload(
      {
        domain: '127.0.0.1:4021',
        uri: `${ORIGIN}/weather`,
        version: '1',
        nonce: issued.nonces[0].nonce,
        issuedAt: new Date().toISOString(),
        expirationTime: issued.nonces[0].expiresAt,
        resources: [`${ORIGIN}/weather`],
        chainId: NETWORK,
        type: 'eip191',
      },
      BUYER,
      `${ORIGIN}/weather`,
    );
    return encodeSIWxHeader(payload);
  };

  beforeAll(async () => {
    app = await start();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('authenticates providers, validates bodies, and serves public keys and the revocation feed without a key', async () => {
    expect((await call('POST', '/sessions/nonce', { origin: ORIGIN }, null)).status).toBe(401);
    expect(
      await (await call('POST', '/sessions/nonce', { origin: ORIGIN }, 'wrong_key_0123456789abcdef')).json(),
    ).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    const bad = await call('POST', '/sessions/nonce', { origin: ORIGIN, count: 1000 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('count') });
    expect((await call('POST', '/sessions', '{not json')).status).toBe(400);
    expect((await call('POST', '/sessions', { paymentId: 'x', resource: { method: 'GET', url: ORIGIN } })).status).toBe(
      400,
    );

    const jwks = (await (await call('GET', '/.well-known/jwks.json', undefined, null)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: expect.any(String) });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const feed = await call('GET', '/sessions/revocations', undefined, null);
    expect(feed.status).toBe(200);
    expect(await feed.json()).toMatchObject({ revocations: [], reset: true, pollAfterMs: 1000 });
  });

  it('issues nonces durably, and keeps a nonce single-use under concurrent use', async () => {
    const res = await call('POST', '/sessions/nonce', { origin: `${ORIGIN}/ignored/path`, count: 5 });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { domain: string; origin: string; nonces: { nonce: string }[] };
    expect(body).toMatchObject({ domain: '127.0.0.1:4021', origin: ORIGIN });
    expect(body.nonces).toHaveLength(5);
    const logged = (await events()).filter((e) => e.type === 'session.nonce_issued').map((e) => e.data.nonce);
    expect(logged).toEqual(expect.arrayContaining(body.nonces.map((n) => n.nonce)));

    const nonce = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', `/sessions/siwx-storage/nonces/${nonce}`, {})),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([204, ...Array(9).fill(409)]);
    expect(await (await call('GET', `/sessions/siwx-storage/nonces/${nonce}`)).json()).toEqual({ used: true });
  });

  it('finds a payment settled after start, issues a session, reserves and reports usage, and revokes it', async () => {
    const paymentId = await appendSettled(`0x${'01'.repeat(32)}`);
    const created = await call('POST', '/sessions', {
      siwx: await proof(),
      paymentId,
      resource: { method: 'GET', url: `${ORIGIN}/weather` },
    });
    expect(created.status).toBe(201);
    const grant = (await created.json()) as { sessionId: string; token: string; maxCalls: number };
    expect(grant).toMatchObject({ maxCalls: 5, token: expect.stringMatching(/^ey/) });

    // Another tenant sees nothing.
    expect((await call('GET', `/sessions/${grant.sessionId}`, undefined, OTHER_KEY)).status).toBe(404);

    const reserved = await call('POST', `/sessions/${grant.sessionId}/reserve`, { calls: 2, spend: '0' });
    expect(await reserved.json()).toMatchObject({ calls: 2, remainingCalls: 3 });
    const at = new Date().toISOString();
    const usage = await call('POST', '/sessions/usage', {
      reports: [{ sessionId: grant.sessionId, calls: 4, spend: '0', windowStart: at, windowEnd: at }],
    });
    expect(await usage.json()).toEqual({
      sessions: [
        {
          sessionId: grant.sessionId,
          status: 'exhausted',
          calls: 5,
          spend: '0',
          overshootCalls: 1,
          overshootSpend: '0',
        },
      ],
    });
    const exhausted = await call('POST', `/sessions/${grant.sessionId}/reserve`, { calls: 1, spend: '0' });
    expect(exhausted.status).toBe(402);
    expect(await exhausted.json()).toMatchObject({ code: 'SESSION_EXHAUSTED' });

    expect((await call('POST', `/sessions/${grant.sessionId}/revoke`, { reason: 'test' }, OTHER_KEY)).status).toBe(404);
    const revoked = await call('POST', `/sessions/${grant.sessionId}/revoke`, { reason: 'test' });
    expect(await revoked.json()).toEqual({ revoked: [grant.sessionId] });
    const feed = (await (await call('GET', '/sessions/revocations?since=0', undefined, null)).json()) as {
      revocations: { sessionId: string; wallet: string }[];
      cursor: string;
    };
    expect(feed.revocations).toEqual([expect.objectContaining({ sessionId: grant.sessionId, wallet: BUYER.address })]);
    const next = (await (await call('GET', `/sessions/revocations?since=${feed.cursor}`, undefined, null)).json()) as {
      revocations: unknown[];
    };
    expect(next.revocations).toEqual([]);
    expect((await call('POST', `/sessions/${grant.sessionId}/token`, {})).status).toBe(410);
  });

  it('versions policies set through the API, per tenant', async () => {
    const list = (await (await call('GET', '/sessions/policies')).json()) as {
      policies: { id: string; version: number }[];
    };
    expect(list.policies.map((p) => [p.id, p.version])).toEqual([['weather', 1]]);
    const { id: _id, tenant: _tenant, ...terms } = POLICY;
    const same = await call('PUT', '/sessions/policies/weather', terms);
    expect(await same.json()).toMatchObject({ id: 'weather', version: 1 });
    const changed = await call('PUT', '/sessions/policies/weather', {
      ...terms,
      maxCalls: 50,
      pricing: 'per_call',
      pricePerCall: '10',
      budget: 'payment',
    });
    expect(await changed.json()).toMatchObject({ version: 2, maxCalls: 50, pricing: 'per_call', budget: 'payment' });
    const invalid = await call('PUT', '/sessions/policies/weather', { ...terms, routes: ['GET weather'] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: 'INVALID_POLICY' });
    expect((await call('PUT', '/sessions/policies/x', { ...terms, tenant: 'acme' }, OTHER_KEY)).status).toBe(403);
    const asAdmin = await call('PUT', '/sessions/policies/beta-weather', terms, ADMIN, { 'x-tenant': 'beta' });
    expect(await asAdmin.json()).toMatchObject({ tenant: 'beta', version: 1 });
  });

  it('comes back after a restart with its sessions, nonces, policy versions and signing keys', async () => {
    const paymentId = await appendSettled(`0x${'02'.repeat(32)}`);
    const header = await proof();
    const created = (await (
      await call('POST', '/sessions', {
        siwx: header,
        paymentId,
        resource: { method: 'GET', url: `${ORIGIN}/weather` },
      })
    ).json()) as { sessionId: string };
    const jwksBefore = await (await call('GET', '/.well-known/jwks.json', undefined, null)).json();
    await app.close();
    expect(statSync(join(dataDir, 'sessions', 'signing-keys.json')).mode & 0o777).toBe(0o600);

    app = await start();
    expect(await (await call('GET', '/.well-known/jwks.json', undefined, null)).json()).toEqual(jwksBefore);
    const session = (await (await call('GET', `/sessions/${created.sessionId}`)).json()) as Record<string, unknown>;
    expect(session).toMatchObject({ paymentId, status: 'active', policyVersion: 2 });
    const replay = await call('POST', '/sessions', {
      siwx: header,
      paymentId,
      resource: { method: 'GET', url: `${ORIGIN}/weather` },
    });
    expect(await replay.json()).toMatchObject({ code: 'SIWX_REJECTED', reason: 'invalid_siwx_nonce' });
    const list = (await (await call('GET', '/sessions/policies')).json()) as { policies: { version: number }[] };
    expect(list.policies[0].version).toBe(2);
  });
});
