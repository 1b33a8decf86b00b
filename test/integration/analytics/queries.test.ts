import { AnalyticsErrorCode, AnalyticsQueries, Projector, SILENT_ANALYTICS_LOGGER } from '@x402-ledger/analytics';

import { openTestDb, type TestDb } from './support/chdb-test-db';
import { asLogged, LedgerScenario } from './support/ledger-scenario';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const T0 = new Date('2026-03-02T00:00:00.000Z'); // a Monday
const at = (ms: number) => new Date(T0.getTime() + ms);
const A = 'tenant-a';
const MERCHANT_2 = '0x00000000000000000000000000000000000000b2';

/**
 * A known dataset (tenant-a unless said otherwise):
 * - day 0: p1 100 @01:10 (r/weather), p2 200 @01:40 (r/weather, same payer as p1), p3 300 @03:05 (r/news, payTo M2)
 * - day 1: p4 1000 @10:00 (r/news) refunded 400 @day1 12:00; p5 50 @11:00 (r/maps) settlement failed
 * - day 8: p6 7 @00:30 (r/weather)
 * - verification failures: 3 × invalid_signature, 1 × insufficient_funds (day 0)
 * - disputes on p2 (lost, decided day 2), p3 (open, respond by day 3), p4 (won)
 * - session on p1: 2 uses (3 calls / 30, 2 calls / 20), revoked; session on p2: expired, no use
 * - tenant-b: one payment of 999999 (must never show up for tenant-a)
 */
async function seed(db: TestDb) {
  const s = new LedgerScenario(A);
  const payer1 = '0x00000000000000000000000000000000000000a1';
  const p1 = s.payment({
    amount: 100n,
    at: at(HOUR + 10 * 60_000),
    payer: payer1,
    resource: 'r/weather',
    latencyMs: 1000,
  });
  const p2 = s.payment({
    amount: 200n,
    at: at(HOUR + 40 * 60_000),
    payer: payer1,
    resource: 'r/weather',
    latencyMs: 2000,
  });
  const p3 = s.payment({
    amount: 300n,
    at: at(3 * HOUR + 5 * 60_000),
    resource: 'r/news',
    payTo: MERCHANT_2,
    latencyMs: 3000,
  });
  const p4 = s.payment({
    amount: 1000n,
    at: at(24 * HOUR + 10 * HOUR),
    resource: 'r/news',
    latencyMs: 4000,
    gasUsed: 50_000n,
    gasPrice: 2_000_000_000n,
  });
  const p5 = s.payment({ amount: 50n, at: at(24 * HOUR + 11 * HOUR), resource: 'r/maps', outcome: 'failed' });
  const p6 = s.payment({ amount: 7n, at: at(8 * 24 * HOUR + 30 * 60_000), resource: 'r/weather', latencyMs: 5000 });
  s.refund(p4, { amount: 400n, at: at(24 * HOUR + 12 * HOUR), reason: 'duplicate_charge' });
  s.refund(p1, { amount: 10n, at: at(5 * HOUR), reason: 'customer_request', outcome: 'failed' });
  for (let i = 0; i < 3; i++) s.verificationFailure({ at: at(2 * HOUR + i * 1000), reason: 'invalid_signature' });
  s.verificationFailure({ at: at(2 * HOUR + 5000), reason: 'insufficient_funds', brokenPayload: true });
  s.dispute(p2, {
    at: at(26 * HOUR),
    respondBy: at(40 * HOUR),
    outcome: 'lost',
    decidedAt: at(48 * HOUR),
    reason: 'not_received',
  });
  s.dispute(p3, { at: at(27 * HOUR), respondBy: at(72 * HOUR), outcome: 'open', reason: 'not_as_described' });
  s.dispute(p4, { at: at(35 * HOUR), respondBy: at(80 * HOUR), outcome: 'won', reason: 'not_received' });
  s.session(p1, {
    at: at(HOUR + 20 * 60_000),
    uses: [
      { at: at(HOUR + 30 * 60_000), calls: 3, spend: 30n },
      { at: at(2 * HOUR + 1000), calls: 2, spend: 20n },
    ],
    end: 'revoked',
    endAt: at(3 * HOUR),
  });
  s.session(p2, { at: at(HOUR + 50 * 60_000), end: 'expired', endAt: at(4 * HOUR) });
  const other = new LedgerScenario('tenant-b', 'b');
  other.payment({ amount: 999_999n, at: at(HOUR), resource: 'r/weather' });
  const events = [...s.all(), ...other.all()];
  await new Projector(db.client, { logger: SILENT_ANALYTICS_LOGGER, assetDecimals: () => 6 }).handleBatch(
    asLogged(events),
  );
  return { p1, p2, p3, p4, p5, p6, payer1 };
}

describe('analytics queries on chDB', () => {
  let db: TestDb;
  let q: AnalyticsQueries;
  let data: Awaited<ReturnType<typeof seed>>;

  beforeAll(async () => {
    db = await openTestDb();
    data = await seed(db);
    q = new AnalyticsQueries(db.client);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  describe('revenue', () => {
    it('hourly series with every bucket of the range, gaps filled with zeros', async () => {
      const [series] = await q.revenue.series({
        tenant: A,
        from: T0,
        to: at(6 * HOUR),
        interval: 'hour',
        uniquePayers: true,
      });
      expect(series.key).toBeNull();
      expect(series.decimals).toBe(6);
      expect(series.points.map((p) => p.bucket)).toEqual([0, 1, 2, 3, 4, 5].map((h) => at(h * HOUR).toISOString()));
      expect(series.points.map((p) => p.gross)).toEqual(['0', '300', '0', '300', '0', '0']);
      expect(series.points[1]).toMatchObject({ payments: 2, uniquePayers: 1, refunds: '0', net: '300' });
      expect(series.totals).toMatchObject({ gross: '600', payments: 3, uniquePayers: 2 });
      const [plain] = await q.revenue.series({ tenant: A, from: T0, to: at(6 * HOUR), interval: 'hour' });
      expect(plain.totals).toEqual({ ...series.totals, uniquePayers: null });
      expect(plain.points.map((p) => p.uniquePayers)).toEqual([null, null, null, null, null, null]);
    });

    it('daily, weekly and monthly series; refunds in the bucket in which they succeeded', async () => {
      const [daily] = await q.revenue.series({ tenant: A, from: T0, to: at(3 * 24 * HOUR), interval: 'day' });
      expect(daily.points.map((p) => [p.gross, p.refunds, p.net])).toEqual([
        ['600', '0', '600'],
        ['1000', '400', '600'],
        ['0', '0', '0'],
      ]);
      const [weekly] = await q.revenue.series({ tenant: A, from: T0, to: at(14 * 24 * HOUR), interval: 'week' });
      expect(weekly.points.map((p) => p.gross)).toEqual(['1600', '7']);
      const [monthly] = await q.revenue.series({
        tenant: A,
        from: new Date('2026-02-15T00:00:00Z'),
        to: new Date('2026-04-01T00:00:00Z'),
        interval: 'month',
      });
      expect(monthly.points.map((p) => [p.bucket.slice(0, 10), p.gross, p.net])).toEqual([
        ['2026-02-01', '0', '0'],
        ['2026-03-01', '1607', '1207'],
      ]);
    });

    it('grouped by resource / payTo, filtered, and scoped to the tenant', async () => {
      const byResource = await q.revenue.series({
        tenant: A,
        from: T0,
        to: at(10 * 24 * HOUR),
        interval: 'day',
        groupBy: 'resource',
      });
      expect(byResource.map((s) => [s.key, s.totals.gross, s.totals.net])).toEqual([
        ['r/news', '1300', '900'],
        ['r/weather', '307', '307'],
      ]);
      expect(byResource[0].points).toHaveLength(10);
      const byPayTo = await q.revenue.series({
        tenant: A,
        from: T0,
        to: at(10 * 24 * HOUR),
        interval: 'day',
        groupBy: 'payTo',
        filters: { payTo: MERCHANT_2.toUpperCase().replace('0X', '0x') },
      });
      expect(byPayTo.map((s) => [s.key, s.totals.gross])).toEqual([[MERCHANT_2, '300']]);
      const totalsB = await q.revenue.totals({ tenant: 'tenant-b', from: T0, to: at(24 * HOUR) });
      expect(totalsB.gross).toBe('999999');
      const none = await q.revenue.series({
        tenant: 'nobody',
        from: T0,
        to: at(2 * HOUR),
        interval: 'hour',
        groupBy: 'resource',
      });
      expect(none).toEqual([]);
    });

    it('totals over a range count unique payers across the range', async () => {
      expect(await q.revenue.totals({ tenant: A, from: T0, to: at(10 * 24 * HOUR) })).toEqual({
        gross: '1607',
        refunds: '400',
        net: '1207',
        payments: 5,
        refundCount: 1,
        uniquePayers: 4,
      });
      // A range that is not day-aligned reads the hourly rollup.
      expect((await q.revenue.totals({ tenant: A, from: at(HOUR + 1), to: at(3 * HOUR + 1) })).gross).toBe('300');
    });

    it('top resources and payers', async () => {
      const top = await q.revenue.topResources({ tenant: A, from: T0, to: at(10 * 24 * HOUR), limit: 2 });
      expect(top.map((t) => [t.key, t.gross, t.payments])).toEqual([
        ['r/news', '1300', 2],
        ['r/weather', '307', 3],
      ]);
      const byNet = await q.revenue.topResources({
        tenant: A,
        from: T0,
        to: at(10 * 24 * HOUR),
        orderBy: 'payments',
        limit: 1,
      });
      expect(byNet.map((t) => t.key)).toEqual(['r/weather']);
      const payers = await q.revenue.topPayers({ tenant: A, from: T0, to: at(10 * 24 * HOUR), limit: 2 });
      // payer1 (100 + 200) ties with p3's payer (300): ties are ordered by address.
      expect(payers.map((p) => [p.payer, p.gross, p.payments])).toEqual([
        [data.p4.spec.payer.toLowerCase(), '1000', 1],
        [data.payer1, '300', 2],
      ]);
    });

    it('refuses identifiers outside the whitelist and bad ranges', async () => {
      await expect(
        q.revenue.series({ tenant: A, from: T0, to: at(HOUR), interval: 'minute' as never }),
      ).rejects.toMatchObject({ code: AnalyticsErrorCode.INVALID_QUERY });
      await expect(
        q.revenue.series({
          tenant: A,
          from: T0,
          to: at(HOUR),
          interval: 'hour',
          groupBy: 'payer; DROP TABLE payments' as never,
        }),
      ).rejects.toMatchObject({ code: AnalyticsErrorCode.INVALID_QUERY });
      await expect(q.revenue.totals({ tenant: A, from: at(HOUR), to: T0 })).rejects.toMatchObject({
        code: AnalyticsErrorCode.INVALID_QUERY,
      });
      // Values only ever travel as parameters: a hostile value is just a value.
      const hostile = await q.revenue.totals({
        tenant: A,
        from: T0,
        to: at(HOUR),
        filters: { resource: "x' OR 1=1 --" },
      });
      expect(hostile.gross).toBe('0');
    });
  });

  describe('payments', () => {
    it('search filters by status / payer / amount and pages with a cursor, newest first', async () => {
      const settled = await q.payments.search({ tenant: A, status: ['settled'] });
      expect(settled.items.map((p) => p.amount)).toEqual(['7', '1000', '300', '200', '100']);
      expect(settled.nextCursor).toBeNull();
      const failed = await q.payments.search({ tenant: A, status: ['settlement_failed'] });
      expect(failed.items.map((p) => p.paymentId)).toEqual([data.p5.paymentId]);
      expect(failed.items[0].failureReason).toBe('transaction_failed');
      const byPayer = await q.payments.search({ tenant: A, payer: data.payer1 });
      expect(byPayer.items.map((p) => p.amount)).toEqual(['200', '100']);
      const big = await q.payments.search({ tenant: A, minAmount: '150', maxAmount: '1000', status: ['settled'] });
      expect(big.items.map((p) => p.amount)).toEqual(['1000', '300', '200']);

      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await q.payments.search({ tenant: A, limit: 2, cursor });
        seen.push(...result.items.map((p) => p.paymentId));
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      const all = await q.payments.search({ tenant: A, limit: 100 });
      expect(seen).toEqual(all.items.map((p) => p.paymentId));
      expect(new Set(seen).size).toBe(all.items.length);
      expect(all.items.every((p) => p.paymentId !== undefined && p.network === 'eip155:84532')).toBe(true);
      await expect(q.payments.search({ tenant: A, cursor: 'not-a-cursor' })).rejects.toMatchObject({
        code: AnalyticsErrorCode.INVALID_QUERY,
      });
    });

    it('one payment with its refund, dispute and gas', async () => {
      const p4 = await q.payments.get(A, data.p4.paymentId);
      expect(p4).toMatchObject({
        status: 'settled',
        amount: '1000',
        refunded: '400',
        refundCount: 1,
        disputeStatus: 'won',
        gasUsed: '50000',
        gasCostWei: (50_000n * 2_000_000_000n).toString(),
        settledAt: data.p4.spec.at.toISOString(),
      });
      expect(await q.payments.get('tenant-b', data.p4.paymentId)).toBeNull();
    });
  });

  describe('refunds and disputes', () => {
    it('refund list and stats (rate, reasons, time to refund)', async () => {
      const list = await q.refunds.list({ tenant: A });
      expect(list.items.map((r) => [r.status, r.amount, r.refundedAmount])).toEqual([
        ['succeeded', '400', '400'],
        ['failed', '10', '0'],
      ]);
      expect(list.items[1]).toMatchObject({ failureReason: 'reverted', resource: 'r/weather' });
      const stats = await q.refunds.stats({ tenant: A, from: T0, to: at(10 * 24 * HOUR) });
      expect(stats.requestedByStatus).toEqual({ succeeded: 1, failed: 1 });
      expect(stats.succeeded).toBe(1);
      expect(stats.refunded.map((r) => r.amount)).toEqual(['400']);
      expect(stats.settledPayments).toBe(5);
      expect(stats.refundRate).toBeCloseTo(0.2);
      expect(stats.secondsToRefund.p50).toBe(2 * 3600);
      expect(stats.byReason.map((r) => [r.reason, r.count])).toEqual([
        ['customer_request', 1],
        ['duplicate_charge', 1],
      ]);
    });

    it('dispute list by deadline and stats (rates, win rate, open by deadline)', async () => {
      const open = await q.disputes.list({ tenant: A, status: ['open', 'under_review'], orderBy: 'deadline' });
      expect(open.items.map((d) => [d.paymentId, d.respondBy])).toEqual([
        [data.p3.paymentId, at(72 * HOUR).toISOString()],
      ]);
      expect(open.items[0]).toMatchObject({ reason: 'not_as_described', paymentAmount: '300', evidenceCount: 1 });
      const all = await q.disputes.list({ tenant: A, orderBy: 'deadline', limit: 1 });
      expect(all.items[0].paymentId).toBe(data.p2.paymentId);
      const next = await q.disputes.list({
        tenant: A,
        orderBy: 'deadline',
        limit: 5,
        cursor: all.nextCursor ?? undefined,
      });
      expect(next.items.map((d) => d.paymentId)).toEqual([data.p3.paymentId, data.p4.paymentId]);
      const stats = await q.disputes.stats({ tenant: A, from: T0, to: at(10 * 24 * HOUR), now: at(60 * HOUR) });
      expect(stats).toMatchObject({
        opened: 3,
        byStatus: { lost: 1, open: 1, won: 1 },
        settledPayments: 5,
        winRate: 0.5,
        openByDeadline: { overdue: 0, within24h: 1, later: 0 },
      });
      expect(stats.disputeRate).toBeCloseTo(0.6);
      expect(stats.byReason).toEqual([
        { reason: 'not_received', count: 2 },
        { reason: 'not_as_described', count: 1 },
      ]);
    });
  });

  describe('sessions and operations', () => {
    it('session stats', async () => {
      const stats = await q.sessions.stats({ tenant: A, from: T0, to: at(24 * HOUR) });
      expect(stats).toMatchObject({ issued: 2, active: 1, calls: 5, revoked: 1, expired: 1, callsPerActiveSession: 5 });
      expect(stats.spend.map((s) => s.amount)).toEqual(['50']);
      expect(stats.revenuePerSession.map((s) => s.amount)).toEqual(['150']);
    });

    it('verification failures by reason', async () => {
      expect(await q.operations.failures({ tenant: A, from: T0, to: at(24 * HOUR) })).toEqual({
        total: 4,
        byReason: [
          { reason: 'invalid_signature', count: 3, share: 0.75 },
          { reason: 'insufficient_funds', count: 1, share: 0.25 },
        ],
      });
      const settlement = await q.operations.failures({
        tenant: A,
        from: T0,
        to: at(10 * 24 * HOUR),
        stage: 'settlement',
      });
      expect(settlement.byReason).toEqual([{ reason: 'transaction_failed', count: 1, share: 1 }]);
    });

    it('settlement latency percentiles (submitted → settled)', async () => {
      const latency = await q.operations.settlementLatency({ tenant: A, from: T0, to: at(10 * 24 * HOUR) });
      expect(latency).toMatchObject({ settlements: 5, measured: 5, p50Ms: 3000, maxMs: 5000, avgMs: 3000 });
      expect(latency.p99Ms).toBe(5000);
    });

    it('gas cost per network and margin per payment', async () => {
      const gas = await q.operations.gasCosts({ tenant: A, from: T0, to: at(10 * 24 * HOUR) });
      const expected = 4n * 60_000n * 1_000_000_000n + 50_000n * 2_000_000_000n;
      expect(gas).toEqual([
        {
          network: 'eip155:84532',
          settlements: 5,
          gasUsed: String(4 * 60_000 + 50_000),
          gasCostWei: expected.toString(),
          avgGasCostWei: (expected / 5n).toString(),
        },
      ]);
      const margins = await q.operations.paymentMargins({
        tenant: A,
        from: T0,
        to: at(10 * 24 * HOUR),
        nativePrices: { 'eip155:84532': '2500000000' },
        limit: 2,
      });
      expect(margins.items.map((m) => m.amount)).toEqual(['7', '1000']);
      // 60000 gas × 1 gwei = 6e13 wei; × 2500e6 atomic per 1e18 wei = 150000 atomic units (0.15 USDC).
      expect(margins.items[0]).toMatchObject({ gasCostInAsset: '150000', margin: '-149993' });
      expect(margins.items[1]).toMatchObject({ gasCostInAsset: '250000', margin: '-249000' });
      const rest = await q.operations.paymentMargins({
        tenant: A,
        from: T0,
        to: at(10 * 24 * HOUR),
        cursor: margins.nextCursor ?? undefined,
      });
      expect(rest.items.map((m) => m.amount)).toEqual(['300', '200', '100']);
      expect(rest.items[0].margin).toBeNull();
    });
  });
});
