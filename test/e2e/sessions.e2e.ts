import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSIWxClientExtension } from '@x402/extensions/sign-in-with-x';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { startDevChain, TEST_USDC_ABI, type DevChain } from '@x402-ledger/evm';
import { LedgerSIWxStorage, SESSION_HEADER, SIWX_HEADER, peekSessionClaims } from '@x402-ledger/session-guard';
import { importJWK, SignJWT, type JWK } from 'jose';
import { parseEventLogs } from 'viem';
import {
  PRICE,
  SESS_KEY,
  buyer,
  eventually,
  logEvents,
  recordingFetch,
  resourceServer,
  sessionBuyer,
  startStack,
  usdcBalance,
  type WireRecord,
} from '../integration/sessions/support/session-stack';

type Stack = Awaited<ReturnType<typeof startStack>>;
type Server = Awaited<ReturnType<typeof resourceServer>>;

describe('sessions end to end: official buyer and resource server, facilitator + sessions modules, dev chain', () => {
  let dev: DevChain;
  let stack: Stack;
  let rs: Server;

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    stack = await startStack(dev);
    rs = await resourceServer(dev, stack, 'session');
  });
  afterAll(async () => {
    await rs?.close();
    await stack?.close();
    await dev?.close();
  });

  const api = (path: string, body?: unknown) =>
    fetch(`${stack.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${SESS_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('pays once (one transfer on chain), then serves 100 calls on the session: no 402, no settlement', async () => {
    const account = buyer(dev, 0);
    const wire: WireRecord[] = [];
    const client = sessionBuyer(account, { wire: recordingFetch(wire) });
    const payTo = dev.providers[0].address;
    const before = await usdcBalance(dev, payTo);

    const first = await client.fetch(rs.url('/weather'));
    expect(first.status).toBe(200);
    const receipt = decodePaymentResponseHeader(first.headers.get('PAYMENT-RESPONSE')!);
    expect(receipt.success).toBe(true);
    expect(first.headers.get(SESSION_HEADER)).toEqual(expect.any(String));
    // The token also travels inside the official receipt, for servers without the session middleware.
    expect(receipt.extensions?.['sign-in-with-x']).toMatchObject({
      session: { token: first.headers.get(SESSION_HEADER) },
    });
    expect(wire.map((w) => w.status)).toEqual([402, 200]);
    expect(wire[1].request['payment-signature']).toBeDefined();
    expect(wire[1].request[SIWX_HEADER.toLowerCase()]).toBeDefined();

    for (let i = 0; i < 100; i++) {
      const res = await client.fetch(rs.url(i % 2 ? '/weather' : `/weather/city-${i}`));
      expect(res.status).toBe(200);
      expect(res.headers.get('PAYMENT-RESPONSE')).toBeNull();
      await res.arrayBuffer();
    }
    const after = wire.slice(2);
    expect(after).toHaveLength(100);
    expect(after.every((w) => w.status === 200 && w.request[SESSION_HEADER.toLowerCase()] !== undefined)).toBe(true);
    expect(after.some((w) => w.request['payment-signature'] !== undefined)).toBe(false);

    // On chain: exactly one transfer buyer → provider, for the price.
    expect(await usdcBalance(dev, payTo)).toBe(before + BigInt(PRICE));
    const tx = await dev.publicClient.getTransactionReceipt({ hash: receipt.transaction as `0x${string}` });
    const transfers = parseEventLogs({ abi: TEST_USDC_ABI, eventName: 'Transfer', logs: tx.logs });
    expect(transfers).toHaveLength(1);

    // Ledger: 1 payment settled, 1 session bought by it, 100 uses (usage batches).
    await rs.guard!.meter.flush();
    const events = await logEvents(stack);
    const settled = events.filter((e) => e.type === 'payment.settled' && e.data.payer === account.address);
    expect(settled).toHaveLength(1);
    const paymentId = settled[0].data.paymentId as string;
    const issued = events.filter((e) => e.type === 'session.issued' && e.data.paymentId === paymentId);
    expect(issued).toHaveLength(1);
    const sessionId = issued[0].data.sessionId as string;
    const used = events.filter((e) => e.type === 'session.used' && e.data.sessionId === sessionId);
    expect(used.reduce((n, e) => n + (e.data.calls as number), 0)).toBe(100);
    expect(used.every((e) => e.correlationId === paymentId)).toBe(true);
    expect(issued[0]).toMatchObject({ correlationId: paymentId, causationId: settled[0].id, tenant: 'acme' });
    const consumed = events.filter((e) => e.type === 'session.nonce_consumed' && e.data.sessionId === sessionId);
    expect(consumed).toHaveLength(1);
    expect(rs.handlerCalls()).toBeGreaterThanOrEqual(101);
  });

  it('refuses a replayed SIWx proof, forged/expired/foreign tokens, and a revoked session within 5 s', async () => {
    const account = buyer(dev, 1);
    const wire: WireRecord[] = [];
    const client = sessionBuyer(account, { wire: recordingFetch(wire) });
    expect((await client.fetch(rs.url('/weather'))).status).toBe(200);
    const proof = wire[1].request[SIWX_HEADER.toLowerCase()];
    const token = wire[1].response[SESSION_HEADER.toLowerCase()];
    const claims = peekSessionClaims(token)!;
    const plain = (path: string, headers: Record<string, string>, method = 'GET') =>
      fetch(rs.url(path), { method, headers });

    // Replayed SIWx proof: to the service, and to the resource server (proof alone).
    const replay = await api('/sessions', {
      siwx: proof,
      paymentId: claims.pid,
      resource: { method: 'GET', url: rs.url('/weather') },
    });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'SIWX_REJECTED', reason: 'invalid_siwx_nonce' });
    expect((await plain('/weather', { [SIWX_HEADER]: proof })).status).toBe(402);

    // The valid token works; tampered, re-signed by a stranger, out of scope, or for another method: 402.
    expect((await plain('/weather', { [SESSION_HEADER]: token })).status).toBe(200);
    const [h, p, s] = token.split('.');
    const widened = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scp: ['GET /report'] }),
    ).toString('base64url');
    expect((await plain('/report', { [SESSION_HEADER]: `${h}.${widened}.${s}` })).status).toBe(402);
    expect((await plain('/report', { [SESSION_HEADER]: token })).status).toBe(402);
    expect((await plain('/weather', { [SESSION_HEADER]: token }, 'POST')).status).toBe(402);

    // Tokens signed with the service's own key but expired, or for another audience: 402.
    const { keys } = JSON.parse(readFileSync(join(stack.dataDir, 'sessions', 'signing-keys.json'), 'utf8')) as {
      keys: { kid: string; privateJwk: Record<string, unknown> }[];
    };
    const key = await importJWK(keys[keys.length - 1].privateJwk as unknown as JWK, 'EdDSA');
    const resign = (overrides: Record<string, unknown>) => {
      const { iss, iat, exp, jti, ...rest } = { ...claims, ...overrides };
      return new SignJWT(rest)
        .setProtectedHeader({ alg: 'EdDSA', kid: keys[keys.length - 1].kid, typ: 'x402-session+jwt' })
        .setIssuer(iss)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(key);
    };
    const now = Math.floor(Date.now() / 1000);
    expect((await plain('/weather', { [SESSION_HEADER]: await resign({ jti: 'control' }) })).status).toBe(200);
    expect(
      (await plain('/weather', { [SESSION_HEADER]: await resign({ iat: now - 400, exp: now - 60 }) })).status,
    ).toBe(402);
    expect((await plain('/weather', { [SESSION_HEADER]: await resign({ aud: 'http://127.0.0.1:1' }) })).status).toBe(
      402,
    );

    // Revocation reaches the resource server within 5 s.
    const revoked = await api(`/sessions/${claims.sid}/revoke`, { reason: 'e2e' });
    expect(revoked.status).toBe(200);
    const ms = await eventually(
      async () => (await plain('/weather', { [SESSION_HEADER]: token })).status === 402,
      5000,
    );
    expect(ms).toBeLessThan(5000);
  });

  it('answers an exhausted session with 402 and the client pays again (strict enforcement, 3 calls)', async () => {
    const account = buyer(dev, 2);
    const wire: WireRecord[] = [];
    const client = sessionBuyer(account, { wire: recordingFetch(wire) });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await client.fetch(rs.url('/report'))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    // pay, 3 session calls, then the 4th session call is refused (402) and the client pays again.
    expect(wire.map((w) => w.status)).toEqual([402, 200, 200, 200, 200, 402, 200]);
    expect(wire.filter((w) => w.request['payment-signature'] !== undefined)).toHaveLength(2);
    const events = await logEvents(stack);
    const settled = events.filter((e) => e.type === 'payment.settled' && e.data.payer === account.address);
    expect(settled).toHaveLength(2);
    const sessions = events.filter(
      (e) => e.type === 'session.issued' && settled.some((s) => s.data.paymentId === e.data.paymentId),
    );
    expect(sessions).toHaveLength(2);
    const used = events.filter((e) => e.type === 'session.used' && e.data.sessionId === sessions[0].data.sessionId);
    expect(used.reduce((n, e) => n + (e.data.calls as number), 0)).toBe(3);
  });
});

describe('the official SIWx extension wired to the ledger storage', () => {
  let dev: DevChain;

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
  });
  afterAll(async () => {
    await dev?.close();
  });

  it('keeps the entitlement across a restart and refuses a replayed SIGN-IN-WITH-X header', async () => {
    const account = buyer(dev, 3);
    const wire: WireRecord[] = [];
    const siwxBuyer = wrapFetchWithPayment(
      recordingFetch(wire),
      new x402Client()
        .register('eip155:*', new ExactEvmScheme(account))
        .setSpendControls(false)
        .registerExtension(createSIWxClientExtension({ signers: [account] })),
    );
    let stack = await startStack(dev);
    const storage = () => new LedgerSIWxStorage({ baseUrl: stack.url, apiKey: SESS_KEY });
    let rs = await resourceServer(dev, stack, 'official-siwx', { siwxStorage: storage() });

    expect((await siwxBuyer(rs.url('/weather'))).status).toBe(200); // 402 → SIWx (not paid) 402 → pay → 200
    expect(wire.filter((w) => w.request['payment-signature']).length).toBe(1);
    const second = await siwxBuyer(rs.url('/weather'));
    expect(second.status).toBe(200);
    expect(second.headers.get('PAYMENT-RESPONSE')).toBeNull();
    const granted = wire[wire.length - 1];
    expect(granted.request[SIWX_HEADER.toLowerCase()]).toBeDefined();

    // The same header again: the nonce is used → no access.
    expect(
      (await fetch(rs.url('/weather'), { headers: { [SIWX_HEADER]: granted.request[SIWX_HEADER.toLowerCase()] } }))
        .status,
    ).toBe(402);

    // Restart everything (new processes' state comes from the log only).
    const dataDir = stack.dataDir;
    await rs.close();
    await stack.close();
    stack = await startStack(dev, { dataDir });
    rs = await resourceServer(dev, stack, 'official-siwx', { siwxStorage: storage() });
    const afterRestart = await siwxBuyer(rs.url('/weather'));
    expect(afterRestart.status).toBe(200);
    expect(afterRestart.headers.get('PAYMENT-RESPONSE')).toBeNull();
    expect(wire.filter((w) => w.request['payment-signature']).length).toBe(1);
    const events = await logEvents(stack);
    expect(events.filter((e) => e.type === 'payment.settled' && e.data.payer === account.address)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'session.issued' && e.data.wallet === account.address)).toHaveLength(1);
    await rs.close();
    await stack.close();
  });
});
