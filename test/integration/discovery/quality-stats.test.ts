import { Projector, SILENT_ANALYTICS_LOGGER } from '@x402-ledger/analytics';
import { ClickHouseQualityStats, EMPTY_QUALITY } from '@x402-ledger/discovery';
import { LedgerScenario, ASSET, NETWORK } from '../analytics/support/ledger-scenario';
import { openTestDb, type TestDb } from '../analytics/support/chdb-test-db';

jest.setTimeout(120_000);

const NOW = new Date('2026-06-10T12:00:00.000Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

describe('ClickHouseQualityStats on chDB (events projected by the real projector)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('computes 30-day calls, payers, revenue, last paid, refund/dispute rates and median latency per resource', async () => {
    const s = new LedgerScenario('acme');
    const weather = 'https://a.example.com/weather';
    const p1 = s.payment({
      amount: 1000n,
      at: ago(1),
      payer: '0x00000000000000000000000000000000000000a1',
      resource: `${weather}?city=Paris`,
      latencyMs: 1000,
    });
    s.payment({
      amount: 2000n,
      at: ago(2),
      payer: '0x00000000000000000000000000000000000000a1',
      resource: weather,
      latencyMs: 2000,
    });
    const p3 = s.payment({
      amount: 3000n,
      at: ago(3),
      payer: '0x00000000000000000000000000000000000000a2',
      resource: weather,
      latencyMs: 3000,
    });
    s.payment({ amount: 9000n, at: ago(40), resource: weather }); // outside the window
    s.payment({ amount: 5n, at: ago(1), resource: weather, outcome: 'failed' }); // not settled
    s.payment({ amount: 7n, at: ago(1), resource: 'https://b.example.com/weather' }); // other origin
    s.payment({ amount: 11n, at: ago(1), resource: 'https://a.example.com/users/1?x=1' });
    s.payment({ amount: 13n, at: ago(2), resource: 'https://a.example.com/users/2' });
    s.payment({ amount: 17n, at: ago(2), resource: 'https://a.example.com/users/2/extra' });
    s.refund(p1, { amount: 1000n, at: ago(0.5) });
    s.dispute(p3, { at: ago(0.5), respondBy: new Date(NOW.getTime() + DAY) });

    const projector = new Projector(db.client, { logger: SILENT_ANALYTICS_LOGGER, assetDecimals: () => 6 });
    await projector.handleBatch(
      s.all().map((envelope, i) => ({ envelope, position: { partition: 0, offset: String(i) } })),
    );

    const sut = new ClickHouseQualityStats(db.client, 60_000);
    const stats = await sut.statsFor(
      [
        { resourceUrl: weather },
        { resourceUrl: 'https://a.example.com/users/:id', routeTemplate: '/users/:id' },
        { resourceUrl: 'https://c.example.com/never' },
      ],
      NOW,
    );
    expect(stats.get(weather)).toEqual({
      l30DaysTotalCalls: 3,
      l30DaysUniquePayers: 2,
      lastCalledAt: ago(1).toISOString(),
      l30DaysRevenue: [{ network: NETWORK, asset: ASSET.toLowerCase(), amount: '6000' }],
      l30DaysRefundRate: 1 / 3,
      l30DaysDisputeRate: 1 / 3,
      l30DaysMedianSettleLatencyMs: 2000,
    });
    expect(stats.get('https://a.example.com/users/:id')).toMatchObject({
      l30DaysTotalCalls: 2,
      l30DaysRevenue: [{ amount: '24' }],
      l30DaysRefundRate: 0,
      l30DaysDisputeRate: 0,
    });
    expect(stats.get('https://c.example.com/never')).toEqual(EMPTY_QUALITY);

    // Cached for cacheMs: new facts show after it expires.
    const later = new LedgerScenario('acme', 'later');
    later.payment({ amount: 1n, at: ago(0.1), resource: weather });
    await projector.handleBatch(
      later.all().map((envelope, i) => ({ envelope, position: { partition: 0, offset: String(1000 + i) } })),
    );
    expect((await sut.statsFor([{ resourceUrl: weather }], NOW)).get(weather)?.l30DaysTotalCalls).toBe(3);
    const expired = new Date(NOW.getTime() + 60_000);
    expect((await sut.statsFor([{ resourceUrl: weather }], expired)).get(weather)?.l30DaysTotalCalls).toBe(4);
  });
});
