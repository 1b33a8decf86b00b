import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { startApiTestApp, type ApiTestApp } from './support/api-test-app';
import { ACME_1, ACME_2, at, PAYER_1, twoTenantScenario } from './support/scenario';

type Node = Record<string, unknown>;
const ids = (nodes: Node[]) => nodes.map((n) => n['id']);
const byIdOf = (nodes: Node[], id: string) => nodes.find((n) => n['id'] === id);

/** Successful reads of every query, over HTTP, on data projected from real ledger envelopes into chDB. */
describe('GraphQL queries (successful)', () => {
  const s = twoTenantScenario();
  const p = s.payments;
  let t: ApiTestApp;
  let acme: string;

  beforeAll(async () => {
    t = await startApiTestApp({ seed: s.writer.envelopes });
    acme = (await t.keys.create({ role: 'provider', tenant: 'acme', label: 'acme ops', createdBy: 'test' })).key;
  });
  afterAll(async () => t?.close());

  it('lists payments newest first with derived statuses, amounts and addresses', async () => {
    const r = await t.gql<{ payments: { nodes: Node[]; pageInfo: Node } }>(
      `{ payments(first: 100) { nodes { id tenant status amount formattedAmount payer payTo refundedAmount transaction blockNumber
           createdAt settledAt links { transaction payTo } } pageInfo { hasNextPage } } }`,
    );
    expect(r.body.errors).toBeUndefined();
    const nodes = r.body.data!.payments.nodes;
    expect(ids(nodes)).toEqual([
      s.failedGlobex,
      s.failedAcme2,
      s.failedAcme1,
      ...['f', 'e', 'd', 'c', 'h', 'b', 'g', 'a'].map((k) => p[k as keyof typeof p].paymentId),
    ]);
    expect(byIdOf(nodes, s.failedAcme1)).toMatchObject({ status: 'VERIFICATION_FAILED', tenant: 'acme' });
    const byId = new Map(nodes.map((n) => [n['id'], n]));
    expect(byId.get(p.a.paymentId)).toMatchObject({
      status: 'PARTIALLY_REFUNDED',
      amount: '1000000',
      formattedAmount: '1',
      refundedAmount: '400000',
      payer: PAYER_1,
      payTo: ACME_1,
    });
    expect(byId.get(p.b.paymentId)).toMatchObject({ status: 'DISPUTED' });
    expect(byId.get(p.c.paymentId)).toMatchObject({ status: 'SETTLED', formattedAmount: '0.5' });
    expect(byId.get(p.e.paymentId)).toMatchObject({ status: 'SETTLEMENT_FAILED', settledAt: null });
    expect(byId.get(p.f.paymentId)).toMatchObject({ status: 'VERIFIED', transaction: null });
    expect(byId.get(p.h.paymentId)).toMatchObject({ status: 'REFUNDED', tenant: 'globex' });
    expect(byId.get(p.d.paymentId)).toMatchObject({
      transaction: p.d.txHash,
      links: {
        transaction: `https://sepolia.basescan.org/tx/${p.d.txHash}`,
        payTo: `https://sepolia.basescan.org/address/${ACME_2}`,
      },
    });
    expect(r.body.data!.payments.pageInfo).toEqual({ hasNextPage: false });
  });

  it('paginates with stable cursors: pages concatenate to the full order, no duplicates', async () => {
    const all = (await t.gql<{ payments: { nodes: Node[] } }>(`{ payments(first: 100) { nodes { id } } }`, {}, acme))
      .body.data!.payments.nodes;
    const seen: unknown[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r: Awaited<
        ReturnType<
          typeof t.gql<{
            payments: {
              edges: { cursor: string; node: Node }[];
              pageInfo: { hasNextPage: boolean; endCursor: string | null };
            };
          }>
        >
      > = await t.gql(
        `query($after: String) { payments(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
        acme,
      );
      const page = r.body.data!.payments;
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1]?.cursor ?? null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids(all));
    expect(seen).toHaveLength(8);
  });

  it('filters by status, payer, payTo, amount range, time range; counts', async () => {
    const q = async (filter: Node, extra = '') =>
      (
        await t.gql<{ payments: { nodes: Node[]; totalCount: number } }>(
          `query($f: PaymentFilter) { payments(first: 50, filter: $f ${extra}) { totalCount nodes { id } } }`,
          { f: filter },
          acme,
        )
      ).body;
    const settled = await q({ status: ['SETTLED'] });
    expect(settled.errors).toBeUndefined();
    expect(ids(settled.data!.payments.nodes)).toEqual([p.d.paymentId, p.c.paymentId]);
    expect(settled.data!.payments.totalCount).toBe(2);
    expect(ids((await q({ payer: PAYER_1.toLowerCase() })).data!.payments.nodes)).toEqual(
      [p.f, p.c, p.a].map((x) => x.paymentId),
    );
    expect(ids((await q({ payTo: ACME_2 })).data!.payments.nodes)).toEqual([
      s.failedAcme2,
      p.f.paymentId,
      p.e.paymentId,
      p.d.paymentId,
    ]);
    expect(
      ids((await q({ payTo: ACME_2, status: ['VERIFICATION_FAILED', 'SETTLEMENT_FAILED'] })).data!.payments.nodes),
    ).toEqual([s.failedAcme2, p.e.paymentId]);
    expect(ids((await q({ minAmount: '900000', maxAmount: '2000000' })).data!.payments.nodes)).toEqual(
      [p.f, p.b, p.a].map((x) => x.paymentId),
    );
    expect(
      ids((await q({ createdAt: { from: at(1.9).toISOString(), to: at(3.5).toISOString() } })).data!.payments.nodes),
    ).toEqual([p.c, p.b].map((x) => x.paymentId));
    expect(
      ids(
        (
          await q({
            resource: 'https://api.example.com/weather',
            network: 'eip155:84532',
            status: ['DISPUTED', 'REFUNDED', 'PARTIALLY_REFUNDED'],
          })
        ).data!.payments.nodes,
      ),
    ).toEqual([p.b, p.a].map((x) => x.paymentId));
    // Default (creation) order with a settlement window: checked on the merged states, order kept.
    expect(ids((await q({ settledAt: { from: '2026-03-02T00:00:00Z' } })).data!.payments.nodes)).toEqual(
      [p.d, p.c, p.b, p.a].map((x) => x.paymentId),
    );
    const all = await q({});
    expect(all.data!.payments.totalCount).toBe(8);
  });

  it('orders by settlement time from the settlement index (settled payments only)', async () => {
    const r = await t.gql<{ payments: { nodes: Node[] } }>(
      `{ payments(first: 10, orderBy: SETTLED_AT, filter: { settledAt: { from: "2026-03-02T00:00:00Z" } }) { nodes { id settledAt } } }`,
      {},
      acme,
    );
    expect(r.body.errors).toBeUndefined();
    expect(ids(r.body.data!.payments.nodes)).toEqual([p.d, p.c, p.b, p.a].map((x) => x.paymentId));
    // Statuses derived from refunds and disputes, and the fields the settlement index lacks, are filled in.
    const derived = await t.gql<{ payments: { nodes: Node[] } }>(
      `{ payments(first: 10, orderBy: SETTLED_AT, filter: { status: [DISPUTED, PARTIALLY_REFUNDED] }) {
           nodes { id status scheme createdAt verifiedAt submittedAt refundedAmount refundCount disputeStatus } } }`,
      {},
      acme,
    );
    expect(derived.body.errors).toBeUndefined();
    expect(derived.body.data!.payments.nodes).toEqual([
      {
        id: p.b.paymentId,
        status: 'DISPUTED',
        scheme: 'exact',
        createdAt: new Date(at(2).getTime() - 3000).toISOString(),
        verifiedAt: new Date(at(2).getTime() - 3000).toISOString(),
        submittedAt: new Date(at(2).getTime() - 1500).toISOString(),
        refundedAmount: '0',
        refundCount: 0,
        disputeStatus: 'NEEDS_RESPONSE',
      },
      {
        id: p.a.paymentId,
        status: 'PARTIALLY_REFUNDED',
        scheme: 'exact',
        createdAt: new Date(at(1).getTime() - 3000).toISOString(),
        verifiedAt: new Date(at(1).getTime() - 3000).toISOString(),
        submittedAt: new Date(at(1).getTime() - 1500).toISOString(),
        refundedAmount: '400000',
        refundCount: 1,
        disputeStatus: null,
      },
    ]);
  });

  it('reads one payment by id and by transaction, with its timeline, refunds and sessions', async () => {
    const r = await t.gql<{ byId: Node; byTx: Node; none: Node | null }>(
      `query($id: ID!, $tx: String!) {
         byId: payment(id: $id) { id status timeline { type sequence } refunds { id status amount refundedAmount transaction payment { id } }
               disputes { id } sessions { id calls status } }
         byTx: payment(transaction: $tx) { id }
         none: payment(id: "${'0'.repeat(64)}") { id } }`,
      { id: p.a.paymentId, tx: p.d.txHash },
      acme,
    );
    expect(r.body.errors).toBeUndefined();
    const byId = r.body.data!.byId;
    expect((byId['timeline'] as Node[]).map((e) => e['type'])).toEqual([
      'payment.verified',
      'payment.settlement_submitted',
      'payment.settled',
      'refund.requested',
      'refund.approved',
      'refund.submitted',
      'refund.succeeded',
    ]);
    expect((byId['timeline'] as Node[]).map((e) => e['sequence'])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(byId['refunds']).toEqual([
      {
        id: s.refundA,
        status: 'SUCCEEDED',
        amount: '400000',
        refundedAmount: '400000',
        transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        payment: { id: p.a.paymentId },
      },
    ]);
    expect(byId['disputes']).toEqual([]);
    expect(byId['sessions']).toEqual([{ id: s.sessionA, calls: '5', status: 'EXPIRED' }]);
    expect(r.body.data!.byTx).toEqual({ id: p.d.paymentId });
    expect(r.body.data!.none).toBeNull();
  });

  it('batches nested fields with DataLoader: one query per nested field, whatever the page size', async () => {
    const query = `{ payments(first: 8) { nodes { id refunds { id } disputes { id } timeline { type } sessions { id } } } }`;
    const before = t.readCount;
    const r = await t.gql(query, {}, acme);
    expect(r.body.errors).toBeUndefined();
    // phase 1 + phase 2 of the page, then one batch each for refunds, disputes, timeline, sessions (counted before
    // the read cache, which may answer some of them from an earlier test's identical read).
    expect(t.readCount - before).toBe(6);
  });

  it('computes revenue per bucket and group (30 days hourly and daily)', async () => {
    const r = await t.gql<{ daily: { series: Node[] }; hourly: { series: Node[] }; hourlyAll: { series: Node[] } }>(
      `{ hourlyAll: revenue(range: { from: "2026-03-01T00:00:00Z", to: "2026-03-31T00:00:00Z" }, interval: HOUR) {
           series { key totals { gross refunds count refundCount uniquePayers } buckets { start gross } } }
         daily: revenue(range: { from: "2026-03-01T00:00:00Z", to: "2026-03-31T00:00:00Z" }, interval: DAY) {
           series { key network asset decimals totals { gross refunds net count refundCount uniquePayers } buckets { start gross count } } }
         hourly: revenue(range: { from: "2026-03-01T00:00:00Z", to: "2026-03-31T00:00:00Z" }, interval: HOUR, groupBy: PAY_TO) {
           series { key totals { gross count uniquePayers } buckets { start gross uniquePayers } } } }`,
      {},
      acme,
    );
    expect(r.body.errors).toBeUndefined();
    const daily = r.body.data!.daily.series;
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({
      key: null,
      network: 'eip155:84532',
      decimals: 6,
      totals: { gross: '6500000', refunds: '400000', net: '6100000', count: 4, refundCount: 1, uniquePayers: 3 },
    });
    expect(daily[0]['buckets']).toHaveLength(30);
    expect((daily[0]['buckets'] as Node[])[1]).toMatchObject({
      start: '2026-03-02T00:00:00.000Z',
      gross: '6500000',
      count: 4,
    });
    const hourly = r.body.data!.hourly.series;
    expect(hourly.map((x) => x['key'])).toEqual([ACME_1, ACME_2]);
    expect(hourly[0]['totals']).toMatchObject({ gross: '3500000', count: 3, uniquePayers: 2 });
    expect(hourly[0]['buckets']).toHaveLength(720);
    // Ungrouped, the tenant-level rollup answers: the same figures as the per-payTo rollup, summed.
    const all = r.body.data!.hourlyAll.series;
    expect(all).toHaveLength(1);
    expect(all[0]['totals']).toEqual({
      gross: '6500000',
      refunds: '400000',
      count: 4,
      refundCount: 1,
      uniquePayers: 3,
    });
    const byHour = (series: Node[]) => {
      const sums = new Map<string, bigint>();
      for (const x of series)
        for (const b of x['buckets'] as Node[])
          sums.set(b['start'] as string, (sums.get(b['start'] as string) ?? 0n) + BigInt(b['gross'] as string));
      return sums;
    };
    expect(byHour(all)).toEqual(byHour(hourly));
    expect((hourly[0]['buckets'] as Node[]).find((b) => b['start'] === '2026-03-02T01:00:00.000Z')).toMatchObject({
      gross: '1000000',
      uniquePayers: 1,
    });
  });

  it('lists refunds, disputes, sessions, verification failures, discovery resources and balances', async () => {
    const r = await t.gql<Record<string, Node>>(
      `{ refunds { nodes { id status amount payment { id } } }
         disputes(orderBy: RESPOND_BY) { nodes { id status reason evidenceCount payment { id status } } }
         sessions { nodes { id wallet calls payment { id } } }
         verificationFailures { nodes { reason payTo } byReason { reason count } }
         discoveryResources { nodes { resourceUrl type accepts } }
         balances { payTo received refunded net formattedNet payments refunds } }`,
      {},
      acme,
    );
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data!;
    expect(d['refunds']['nodes']).toEqual([
      { id: s.refundA, status: 'SUCCEEDED', amount: '400000', payment: { id: p.a.paymentId } },
    ]);
    expect(d['disputes']['nodes']).toEqual([
      {
        id: s.disputeB,
        status: 'NEEDS_RESPONSE',
        reason: 'NOT_RECEIVED',
        evidenceCount: 1,
        payment: { id: p.b.paymentId, status: 'DISPUTED' },
      },
    ]);
    expect(d['sessions']['nodes']).toEqual([
      { id: s.sessionA, wallet: PAYER_1, calls: '5', payment: { id: p.a.paymentId } },
    ]);
    expect(d['verificationFailures']['nodes']).toEqual([
      { reason: 'invalid_exact_evm_signature', payTo: ACME_2 },
      { reason: 'insufficient_funds', payTo: ACME_1 },
    ]);
    expect(d['verificationFailures']['byReason']).toEqual([
      { reason: 'insufficient_funds', count: 1 },
      { reason: 'invalid_exact_evm_signature', count: 1 },
    ]);
    expect((d['discoveryResources']['nodes'] as unknown as Node[]).map((x) => x['resourceUrl'])).toEqual([
      'https://acme.example/weather',
    ]);
    expect(d['balances']).toEqual(
      [
        {
          payTo: ACME_1,
          received: '3500000',
          refunded: '400000',
          net: '3100000',
          formattedNet: '3.1',
          payments: 3,
          refunds: 1,
        },
        {
          payTo: ACME_2,
          received: '3000000',
          refunded: '0',
          net: '3000000',
          formattedNet: '3',
          payments: 1,
          refunds: 0,
        },
      ].sort((x, y) => x.payTo.toLowerCase().localeCompare(y.payTo.toLowerCase())),
    );
  });

  it('serves exactly the committed SDL (schema.graphql)', () => {
    // Both sides through graphql-js' printer (the committed file is additionally prettier-formatted).
    const live = printSchema(lexicographicSortSchema(t.app.get(GraphQLSchemaHost).schema));
    const committed = printSchema(
      lexicographicSortSchema(buildSchema(readFileSync(join(__dirname, '../../../schema.graphql'), 'utf8'))),
    );
    expect(live).toBe(committed);
  });

  it('answers viewer for each kind of credential', async () => {
    expect((await t.gql(`{ viewer { role tenant payTo } }`, {}, acme)).body.data).toEqual({
      viewer: { role: 'PROVIDER', tenant: 'acme', payTo: [] },
    });
    expect((await t.gql(`{ viewer { role } }`)).body.data).toEqual({ viewer: { role: 'ADMIN' } });
  });
});
