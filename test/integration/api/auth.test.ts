import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { createApiKey, listApiKeys, openApiKeyService, revokeApiKey } from '@x402-ledger/auth';
import { startApiTestApp, type ApiTestApp } from './support/api-test-app';
import { ACME_1, twoTenantScenario } from './support/scenario';
import { LedgerWriter } from './support/ledger-writer';

/** API keys (durable on the log, indexed in memory, rebuilt from the log) and wallet sign-in (SIWE → scoped token). */
describe('authentication', () => {
  const s = twoTenantScenario();
  let t: ApiTestApp;

  beforeAll(async () => {
    t = await startApiTestApp({ seed: s.writer.envelopes });
  });
  afterAll(async () => t?.close());

  const viewer = async (token: string | null) =>
    t.gql<{ viewer: Record<string, unknown> }>(`{ viewer { id role tenant payTo wallet } }`, {}, token);

  it('creates provider keys through GraphQL (admins only), lists them without secrets, revokes them at once', async () => {
    const created = await t.gql<{ createApiKey: { key: string; apiKey: Record<string, unknown> } }>(
      `mutation { createApiKey(input: { tenant: "acme", payTo: ["${ACME_1.toLowerCase()}"], label: "ci" }) { key apiKey { keyId role tenant payTo label createdBy revokedAt } } }`,
    );
    expect(created.body.errors).toBeUndefined();
    const { key, apiKey } = created.body.data!.createApiKey;
    expect(key).toMatch(/^x402_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(apiKey).toMatchObject({
      role: 'provider',
      tenant: 'acme',
      payTo: [ACME_1],
      label: 'ci',
      createdBy: 'admin:config',
      revokedAt: null,
    });
    expect((await viewer(key)).body.data!.viewer).toEqual({
      id: `key:${apiKey['keyId']}`,
      role: 'PROVIDER',
      tenant: 'acme',
      payTo: [ACME_1],
      wallet: null,
    });
    // Providers cannot mint keys.
    expect(
      (await t.gql(`mutation { createApiKey(input: { tenant: "acme", label: "x" }) { key } }`, {}, key)).body
        .errors?.[0]?.extensions?.['code'],
    ).toBe('FORBIDDEN');
    const listed = await t.gql<{ apiKeys: Record<string, unknown>[] }>(`{ apiKeys(tenant: "acme") { keyId label } }`);
    expect(listed.body.data!.apiKeys).toContainEqual({ keyId: apiKey['keyId'], label: 'ci' });
    expect(JSON.stringify(listed.body)).not.toContain(key.slice(-64));
    const revoked = await t.gql(
      `mutation($id: String!) { revokeApiKey(keyId: $id, reason: "rotated") { revokedAt } }`,
      { id: apiKey['keyId'] },
    );
    expect(revoked.body.errors).toBeUndefined();
    const after = await viewer(key);
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('stores keys as events on the log (hash only) and rebuilds the index from the log', async () => {
    const created = await createApiKey(t.log, {
      role: 'provider',
      tenant: 'globex',
      label: 'from the CLI',
      createdBy: 'cli:test',
    });
    // The running API sees a key created by another writer of the log within its poll interval.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await viewer(created.key)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
    const events: Record<string, unknown>[] = [];
    await t.log.replay(async (batch) => {
      for (const { envelope } of batch)
        if (envelope.type.startsWith('tenant.api_key_')) events.push(envelope as unknown as Record<string, unknown>);
    });
    const createdEvent = events.find((e) => (e['data'] as Record<string, unknown>)['keyId'] === created.record.keyId)!;
    expect(createdEvent).toMatchObject({
      type: 'tenant.api_key_created',
      streamType: 'tenant',
      tenant: 'globex',
      sequence: 1,
    });
    expect(JSON.stringify(events)).not.toContain(created.key);
    await revokeApiKey(t.log, created.record.keyId, { revokedBy: 'cli:test', reason: 'test' });
    // A fresh index (what every process builds on start) has both keys, with their revocations.
    const rebuilt = await openApiKeyService(t.log);
    expect(rebuilt.verify(created.key)).toBeNull();
    const all = await listApiKeys(t.log, { includeRevoked: true });
    expect(all.find((k) => k.keyId === created.record.keyId)).toMatchObject({
      tenant: 'globex',
      revokedBy: 'cli:test',
      revokeReason: 'test',
    });
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await viewer(created.key)).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });

  describe('wallet sign-in (SIWE)', () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const challenge = async () =>
      (
        await t.gql<{ createSignInChallenge: { nonce: string; domain: string } }>(
          `mutation { createSignInChallenge { nonce domain expiresAt } }`,
          {},
          null,
        )
      ).body.data!.createSignInChallenge;
    const message = (nonce: string, overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {}) =>
      createSiweMessage({
        address: account.address,
        chainId: 84532,
        domain: t.siweDomain,
        nonce,
        uri: `https://${t.siweDomain}/graphql`,
        version: '1',
        issuedAt: new Date(),
        ...overrides,
      });
    const signIn = (msg: string, signature: string, role: 'PAYER' | 'PROVIDER') =>
      t.gql<{ signInWithWallet: { token: string; viewer: Record<string, unknown> } }>(
        `mutation($m: String!, $s: String!, $r: WalletRole!) { signInWithWallet(message: $m, signature: $s, role: $r) { token expiresAt viewer { role wallet payTo } } }`,
        { m: msg, s: signature, r: role },
        null,
      );

    it('issues a payer token scoped to the wallet, and its payments are what it sees', async () => {
      const { nonce, domain } = await challenge();
      expect(domain).toBe(t.siweDomain);
      const msg = message(nonce);
      const r = await signIn(msg, await account.signMessage({ message: msg }), 'PAYER');
      expect(r.body.errors).toBeUndefined();
      const { token, viewer: v } = r.body.data!.signInWithWallet;
      expect(v).toEqual({ role: 'PAYER', wallet: account.address, payTo: [] });
      // This fresh wallet paid once: it sees exactly that payment.
      const w = new LedgerWriter();
      const paid = w.payment({
        tenant: 'acme',
        payTo: ACME_1,
        payer: account.address,
        amount: 5n,
        at: new Date('2026-03-05T00:00:00Z'),
      });
      await t.append(w.envelopes);
      await t.project();
      const mine = await t.gql<{ payments: { nodes: { id: string }[] } }>(`{ payments { nodes { id } } }`, {}, token);
      expect(mine.body.data!.payments.nodes).toEqual([{ id: paid.paymentId }]);
    });

    it('issues a provider token scoped to the payTo address', async () => {
      const { nonce } = await challenge();
      const msg = message(nonce);
      const r = await signIn(msg, await account.signMessage({ message: msg }), 'PROVIDER');
      expect(r.body.data!.signInWithWallet.viewer).toEqual({
        role: 'PROVIDER',
        wallet: null,
        payTo: [account.address],
      });
    });

    it('rejects replays, foreign domains, stale or expired messages, and signatures by another key', async () => {
      const codeOf = (r: Awaited<ReturnType<typeof signIn>>) => [
        r.body.errors?.[0]?.extensions?.['code'],
        r.body.errors?.[0]?.message,
      ];
      const first = await challenge();
      const msg = message(first.nonce);
      const sig = await account.signMessage({ message: msg });
      expect((await signIn(msg, sig, 'PAYER')).body.errors).toBeUndefined();
      expect(codeOf(await signIn(msg, sig, 'PAYER'))).toEqual([
        'UNAUTHENTICATED',
        'Sign-in rejected: unknown, used or expired nonce',
      ]);
      const foreign = message((await challenge()).nonce, { domain: 'evil.example' });
      expect(codeOf(await signIn(foreign, await account.signMessage({ message: foreign }), 'PAYER'))[1]).toMatch(
        /names domain evil.example/,
      );
      const expired = message((await challenge()).nonce, {
        issuedAt: new Date(Date.now() - 120_000),
        expirationTime: new Date(Date.now() - 60_000),
      });
      expect(codeOf(await signIn(expired, await account.signMessage({ message: expired }), 'PAYER'))[1]).toMatch(
        /expired or not yet valid/,
      );
      const stale = message((await challenge()).nonce, { issuedAt: new Date(Date.now() - 3_600_000) });
      expect(codeOf(await signIn(stale, await account.signMessage({ message: stale }), 'PAYER'))[1]).toMatch(/too old/);
      const other = privateKeyToAccount(generatePrivateKey());
      const forged = message((await challenge()).nonce);
      expect(codeOf(await signIn(forged, await other.signMessage({ message: forged }), 'PAYER'))[1]).toMatch(
        /does not match the address/,
      );
      expect(codeOf(await signIn('hello', sig, 'PAYER'))[0]).toBe('UNAUTHENTICATED');
    });

    it('refuses tampered or foreign tokens', async () => {
      const { nonce } = await challenge();
      const msg = message(nonce);
      const { token } = (await signIn(msg, await account.signMessage({ message: msg }), 'PAYER')).body.data!
        .signInWithWallet;
      const [h, p, sig] = token.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, role: 'provider' })).toString('base64url')}.${sig}`;
      expect((await viewer(forged)).status).toBe(401);
      expect((await viewer('not.a.token')).status).toBe(401);
      expect((await viewer(token)).status).toBe(200);
    });
  });
});
