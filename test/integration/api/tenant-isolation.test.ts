import { startApiTestApp, TOKEN_SECRET, type ApiTestApp } from './support/api-test-app';
import { ACME_1, ACME_2, at, GLOBEX_1, PAYER_1, PAYER_2, PAYER_3, twoTenantScenario } from './support/scenario';
import { subscribe } from './support/ws-client';
import { AccessTokenService, payerPrincipal, providerPrincipal, SystemClock } from '@x402-ledger/auth';
import { LedgerWriter } from './support/ledger-writer';

type Node = Record<string, unknown>;

/**
 * Two providers (acme, globex), a payTo-limited key, wallet-proven providers and payers: every path — by id, by
 * filter, through nested fields, by subscription — shows only what the caller's scope covers.
 */
describe('tenant isolation', () => {
  const s = twoTenantScenario();
  const p = s.payments;
  let t: ApiTestApp;
  let acme: string;
  let globex: string;
  let acme2Only: string;
  const tokens = new AccessTokenService(TOKEN_SECRET, new SystemClock());
  const walletToken = async (kind: 'payer' | 'provider', address: string) =>
    (await tokens.issue(kind === 'payer' ? payerPrincipal('w', address) : providerPrincipal('w', null, [address])))
      .token;

  beforeAll(async () => {
    t = await startApiTestApp({ seed: s.writer.envelopes });
    acme = (await t.keys.create({ role: 'provider', tenant: 'acme', label: 'acme', createdBy: 'test' })).key;
    globex = (await t.keys.create({ role: 'provider', tenant: 'globex', label: 'globex', createdBy: 'test' })).key;
    acme2Only = (
      await t.keys.create({
        role: 'provider',
        tenant: 'acme',
        payTo: [ACME_2],
        label: 'acme payTo 2',
        createdBy: 'test',
      })
    ).key;
  });
  afterAll(async () => t?.close());

  const paymentIds = async (token: string, filter: Node = {}) => {
    const r = await t.gql<{ payments: { nodes: Node[]; totalCount: number } }>(
      `query($f: PaymentFilter) { payments(first: 100, filter: $f) { totalCount nodes { id } } }`,
      { f: filter },
      token,
    );
    expect(r.body.errors).toBeUndefined();
    return { ids: r.body.data!.payments.nodes.map((n) => n['id']).sort(), total: r.body.data!.payments.totalCount };
  };

  it('lists only the scope: tenant, payTo-limited key, wallet provider, payer', async () => {
    const sorted = (xs: string[]) => [...xs].sort();
    expect((await paymentIds(acme)).ids).toEqual(
      sorted([p.a, p.b, p.c, p.d, p.e, p.f].map((x) => x.paymentId).concat(s.failedAcme1, s.failedAcme2)),
    );
    expect((await paymentIds(globex)).ids).toEqual(sorted([p.g.paymentId, p.h.paymentId, s.failedGlobex]));
    expect((await paymentIds(acme2Only)).ids).toEqual(
      sorted([p.d.paymentId, p.e.paymentId, p.f.paymentId, s.failedAcme2]),
    );
    expect((await paymentIds(await walletToken('provider', GLOBEX_1))).ids).toEqual(
      sorted([p.g.paymentId, p.h.paymentId, s.failedGlobex]),
    );
    // A payer sees its payments in every tenant, and no one else's.
    expect((await paymentIds(await walletToken('payer', PAYER_1))).ids).toEqual(
      sorted([p.a.paymentId, p.c.paymentId, p.f.paymentId, p.g.paymentId, s.failedGlobex]),
    );
    expect((await paymentIds(await walletToken('payer', PAYER_3))).ids).toEqual(
      sorted([p.d.paymentId, p.e.paymentId, s.failedAcme2]),
    );
  });

  it('cross reads by id return nothing (payment, by transaction, refund, dispute)', async () => {
    const query = `query($p: ID!, $tx: String!, $refund: ID!, $dispute: ID!) {
         payment(id: $p) { id } byTx: payment(transaction: $tx) { id } refund(id: $refund) { id } dispute(id: $dispute) { id } }`;
    const globexThings = { p: p.g.paymentId, tx: p.h.txHash, refund: s.refundH, dispute: s.disputeB };
    const asAcme = await t.gql<Record<string, Node | null>>(query, { ...globexThings, dispute: s.disputeB }, acme);
    expect(asAcme.body.errors).toBeUndefined();
    // acme sees its own dispute b, but none of globex's things.
    expect(asAcme.body.data).toEqual({ payment: null, byTx: null, refund: null, dispute: { id: s.disputeB } });
    const asGlobex = await t.gql<Record<string, Node | null>>(
      query,
      { p: p.a.paymentId, tx: p.d.txHash, refund: s.refundA, dispute: s.disputeB },
      globex,
    );
    expect(asGlobex.body.data).toEqual({ payment: null, byTx: null, refund: null, dispute: null });
    // …while the owner sees them.
    const own = await t.gql<Record<string, Node | null>>(query, globexThings, globex);
    expect(own.body.data).toEqual({
      payment: { id: p.g.paymentId },
      byTx: { id: p.h.paymentId },
      refund: { id: s.refundH },
      dispute: null,
    });
    const cross = await t.gql<Record<string, Node | null>>(
      `query($a: ID!, $d: ID!, $r: ID!) { payment(id: $a) { id } dispute(id: $d) { id } refund(id: $r) { id } }`,
      { a: p.a.paymentId, d: s.disputeB, r: s.refundA },
      acme2Only,
    );
    expect(cross.body.data).toEqual({ payment: null, dispute: null, refund: null });
  });

  it('cross reads by filter return nothing (tenant, payTo, payment id, revenue, balances, failures, discovery)', async () => {
    expect(await paymentIds(acme, { tenant: 'globex' })).toEqual({ ids: [], total: 0 });
    expect(await paymentIds(acme, { payTo: GLOBEX_1 })).toEqual({ ids: [], total: 0 });
    expect(await paymentIds(acme2Only, { payTo: ACME_1 })).toEqual({ ids: [], total: 0 });
    expect(await paymentIds(await walletToken('payer', PAYER_3), { payer: PAYER_1 })).toEqual({ ids: [], total: 0 });
    const r = await t.gql<Record<string, Node>>(
      `query($h: String!, $g: String!) {
         refunds(filter: { paymentId: $h }) { nodes { id } }
         disputes(filter: { tenant: "globex" }) { nodes { id } }
         sessions(filter: { paymentId: $g }) { nodes { id } }
         verificationFailures(filter: { tenant: "globex" }) { nodes { id } byReason { reason } }
         discoveryResources(tenant: "globex") { nodes { resourceUrl } }
         balances(filter: { tenant: "globex" }) { payTo }
         revenue(range: { from: "2026-03-01T00:00:00Z", to: "2026-03-10T00:00:00Z" }, filter: { payTo: "${GLOBEX_1}" }) { series { key } } }`,
      { h: p.h.paymentId, g: p.g.paymentId },
      acme,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({
      refunds: { nodes: [] },
      disputes: { nodes: [] },
      sessions: { nodes: [] },
      verificationFailures: { nodes: [], byReason: [] },
      discoveryResources: { nodes: [] },
      balances: [],
      revenue: { series: [] },
    });
  });

  it('nested fields are scoped too (refunds, disputes, sessions of payments; payments of refunds and sessions)', async () => {
    const nested = `{ payments(first: 100) { nodes { id refunds { id payment { id } } disputes { id payment { id } } sessions { id payment { id } } timeline { id } } }
                     refunds { nodes { id payment { id } } } sessions { nodes { id payment { id } } } }`;
    const collect = (data: Record<string, { nodes: Node[] }>) => {
      const refunds = new Set<unknown>();
      const disputes = new Set<unknown>();
      const sessions = new Set<unknown>();
      for (const n of data['payments'].nodes) {
        for (const r of n['refunds'] as Node[]) refunds.add(r['id']);
        for (const d of n['disputes'] as Node[]) disputes.add(d['id']);
        for (const x of n['sessions'] as Node[]) sessions.add(x['id']);
      }
      for (const r of data['refunds'].nodes) refunds.add(r['id']);
      for (const x of data['sessions'].nodes) sessions.add(x['id']);
      return { refunds: [...refunds].sort(), disputes: [...disputes].sort(), sessions: [...sessions].sort() };
    };
    const forAcme = await t.gql<Record<string, { nodes: Node[] }>>(nested, {}, acme);
    expect(forAcme.body.errors).toBeUndefined();
    expect(collect(forAcme.body.data!)).toEqual({
      refunds: [s.refundA],
      disputes: [s.disputeB],
      sessions: [s.sessionA],
    });
    const forGlobex = await t.gql<Record<string, { nodes: Node[] }>>(nested, {}, globex);
    expect(collect(forGlobex.body.data!)).toEqual({ refunds: [s.refundH], disputes: [], sessions: [s.sessionG] });
    const forAcme2 = await t.gql<Record<string, { nodes: Node[] }>>(nested, {}, acme2Only);
    expect(collect(forAcme2.body.data!)).toEqual({ refunds: [], disputes: [], sessions: [] });
    const forPayer2 = await t.gql<Record<string, { nodes: Node[] }>>(nested, {}, await walletToken('payer', PAYER_2));
    expect(collect(forPayer2.body.data!)).toEqual({ refunds: [s.refundH], disputes: [s.disputeB], sessions: [] });
    // The timeline of a visible payment never contains another stream's events.
    for (const n of forAcme.body.data!['payments'].nodes) expect((n['timeline'] as Node[]).length).toBeGreaterThan(0);
  });

  it('payers get no revenue or balances view (FORBIDDEN), anonymous callers nothing at all', async () => {
    const payer = await walletToken('payer', PAYER_1);
    const r = await t.gql(`{ balances { payTo } }`, {}, payer);
    expect(r.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const anon = await t.gql(`{ payments { nodes { id } } }`, {}, null);
    expect(anon.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(anon.body.data).toBeNull();
    const bad = await t.gql(`{ viewer { id } }`, {}, 'x402_0123456789abcdef_' + '0'.repeat(64));
    expect(bad.status).toBe(401);
    expect(bad.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('subscriptions deliver only events of payments in scope', async () => {
    const q = `subscription { paymentSettled { paymentId tenant payTo amount } }`;
    const acmeSub = await subscribe<{ paymentSettled: Node }>(t.url, acme, q);
    const globexSub = await subscribe<{ paymentSettled: Node }>(t.url, globex, q);
    const payer3Sub = await subscribe<{ paymentSettled: Node }>(t.url, await walletToken('payer', PAYER_3), q);
    try {
      const w = new LedgerWriter();
      const gx = w.payment({ tenant: 'globex', payTo: GLOBEX_1, payer: PAYER_3, amount: 11n, at: at(30) });
      const ax = w.payment({ tenant: 'acme', payTo: ACME_2, payer: PAYER_1, amount: 12n, at: at(31) });
      await t.append(w.envelopes);
      await globexSub.waitFor(1);
      await acmeSub.waitFor(1);
      await payer3Sub.waitFor(1);
      // Give a leaked event every chance to arrive before looking.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(acmeSub.received.map((e) => e.paymentSettled['paymentId'])).toEqual([ax.paymentId]);
      expect(globexSub.received.map((e) => e.paymentSettled['paymentId'])).toEqual([gx.paymentId]);
      expect(payer3Sub.received.map((e) => e.paymentSettled['paymentId'])).toEqual([gx.paymentId]);
      expect(acmeSub.received[0].paymentSettled).toMatchObject({ tenant: 'acme', payTo: ACME_2, amount: '12' });
    } finally {
      await Promise.all([acmeSub.close(), globexSub.close(), payer3Sub.close()]);
    }
  });

  it('refuses a subscription socket with bad credentials', async () => {
    const sub = await subscribe(
      t.url,
      'x402_0123456789abcdef_' + '1'.repeat(64),
      `subscription { paymentSettled { paymentId } }`,
    );
    expect(sub.closeCode()).toBe(4403);
    await expect(sub.waitFor(1, 2000)).rejects.toThrow(/subscription failed/);
    await sub.close();
  });
});
