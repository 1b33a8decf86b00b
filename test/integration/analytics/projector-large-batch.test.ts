import { AnalyticsQueries, Projector, SILENT_ANALYTICS_LOGGER } from '@x402-ledger/analytics';

import { openTestDb, type TestDb } from './support/chdb-test-db';
import { asLogged, LedgerScenario } from './support/ledger-scenario';

jest.setTimeout(180_000);

const TENANT = 'tenant-large';
const RANGE = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-06-01T00:00:00Z') };

/**
 * Batches as large as the projector's default (20k): the existence check and the context lookup carry one parameter
 * per event / payment. On chDB parameters are inlined into the SQL text, and 256 KiB (the default max_query_size)
 * held ~7.5k event keys or ~2k payment ids — beyond that the projector retried the same check forever.
 */
describe('Projector with large batches on chDB', () => {
  let db: TestDb;

  afterEach(async () => {
    await db?.dispose();
  });

  it('projects 12k events, loads context for 4k payments from ClickHouse, and drops a 12k-event redelivery', async () => {
    db = await openTestDb();
    const s = new LedgerScenario(TENANT, 'large');
    const payments = 4000;
    const t0 = Date.parse('2026-03-10T00:00:00.000Z');
    let gross = 0n;
    for (let i = 0; i < payments; i++) {
      const amount = BigInt(1000 + i);
      gross += amount;
      s.payment({ amount, at: new Date(t0 + i * 250), resource: `https://api.example.com/r${i % 5}` });
    }
    const all = asLogged(s.all());
    expect(all).toHaveLength(3 * payments);
    const settled = all.filter((l) => l.envelope.type === 'payment.settled');
    const earlier = all.filter((l) => l.envelope.type !== 'payment.settled');
    const make = () =>
      new Projector(db.client, { logger: SILENT_ANALYTICS_LOGGER, assetDecimals: () => 6, retry: { maxAttempts: 1 } });

    // 8k events: the check carries 8k keys.
    expect(await make().handleBatch(earlier)).toMatchObject({ received: 8000, projected: 8000, duplicates: 0 });
    // A fresh projector (empty cache): the 4k settlements need their payments' context from ClickHouse.
    expect(await make().handleBatch(settled)).toMatchObject({ received: 4000, projected: 4000, duplicates: 0 });
    // Everything again in one batch: all 12k found in events_raw, nothing written twice.
    expect(await make().handleBatch(all)).toMatchObject({ received: 12000, projected: 0, duplicates: 12000 });

    const totals = await new AnalyticsQueries(db.client).revenue.totals({ tenant: TENANT, ...RANGE });
    expect(totals).toMatchObject({ gross: gross.toString(), payments });
    const [raw] = await db.client.query<{ n: string }>('SELECT count() AS n FROM events_raw');
    expect(Number(raw.n)).toBe(3 * payments);
    // The settlement latency needs the submission time, which only the loaded context had.
    const [latency] = await db.client.query<{ n: string; min: string; max: string }>(
      `SELECT count() AS n, min(latency_ms) AS min, max(latency_ms) AS max FROM settlements FINAL WHERE tenant = {t:String}`,
      { t: TENANT },
    );
    expect(latency).toEqual({ n: String(payments), min: '1500', max: '1500' });
  });
});
