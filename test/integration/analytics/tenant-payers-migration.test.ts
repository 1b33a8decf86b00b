import { loadMigrations } from '@x402-ledger/analytics';

import { openTestDb, type TestDb } from './support/chdb-test-db';

// Migration 007 swaps the tenant rollups' payer sets from `uniq` to a fixed-size `uniqCombined(12)` sketch and
// backfills them from the settled facts. Real engine (chDB): the figures a database already holds must survive it
// unchanged, a re-run must not change them, and the replaced views must keep feeding the rollups.
describe('migration 007: tenant payer sketches', () => {
  let db: TestDb;
  afterEach(async () => {
    await db?.dispose();
  });

  const TENANT = 'acme';
  const settled = (i: number, payer: string, hour: number, amount: bigint) => ({
    event_id: `e-${i}`,
    type: 'payment.settled',
    stream_id: `p-${i}`,
    sequence: 3,
    occurred_at: `2026-03-01 ${String(hour).padStart(2, '0')}:15:00.000`,
    tenant: TENANT,
    payment_id: `p-${i}`,
    scheme: 'exact',
    network: 'eip155:84532',
    asset: '0xasset',
    decimals: 6,
    amount: amount.toString(),
    payer,
    pay_to: '0xpayto',
    resource: 'https://api.example.com/r',
    status: 'settled',
  });

  type Figures = { h: string; gross: string; n: string; u: string };
  const hourly = (merge: string) =>
    db.client.query<Figures>(
      `SELECT toString(bucket) AS h, toString(bitShiftLeft(sum(gross_hi), 128) + sum(gross_lo)) AS gross,
              toString(sum(payments)) AS n, toString(${merge}) AS u
       FROM revenue_hourly_tenant WHERE tenant = {t:String} GROUP BY bucket ORDER BY bucket`,
      { t: TENANT },
    );
  const daily = (merge: string) =>
    db.client.query<{ u: string; n: string }>(
      `SELECT toString(${merge}) AS u, toString(sum(payments)) AS n FROM revenue_daily_tenant WHERE tenant = {t:String}`,
      { t: TENANT },
    );

  it('keeps gross, counts and unique payers of existing rows, is safe to re-run, and the new views keep counting', async () => {
    db = await openTestDb({ migrate: false });
    const migrations = loadMigrations();
    const m007 = migrations.find((m) => m.version === 7)!;
    for (const m of migrations.filter((m) => m.version < 7))
      for (const statement of m.statements) await db.client.command(statement);

    // Hour 10: payers a, b, a; hour 11: payers b, c — in two inserts (two parts), with a huge amount (no wrap).
    await db.client.insert('projection_ingest', [
      settled(1, '0xa', 10, 5n),
      settled(2, '0xb', 10, 7n),
      settled(3, '0xa', 10, 2n ** 200n),
    ]);
    await db.client.insert('projection_ingest', [settled(4, '0xb', 11, 11n), settled(5, '0xc', 11, 13n)]);
    const before = await hourly('uniqMerge(payers)');
    expect(before).toEqual([
      { h: '2026-03-01 10:00:00', gross: (12n + 2n ** 200n).toString(), n: '3', u: '2' },
      { h: '2026-03-01 11:00:00', gross: '24', n: '2', u: '2' },
    ]);
    expect(await daily('uniqMerge(payers)')).toEqual([{ u: '3', n: '5' }]);

    for (const statement of m007.statements) await db.client.command(statement);
    const sketch = 'uniqCombinedMerge(12)(payers)';
    expect(await hourly(sketch)).toEqual(before);
    expect(await daily(sketch)).toEqual([{ u: '3', n: '5' }]);

    // An interrupted run re-runs every statement: nothing is counted twice.
    for (const statement of m007.statements) await db.client.command(statement);
    expect(await hourly(sketch)).toEqual(before);

    // The replaced views: a new payer d and a known payer a in hour 11.
    await db.client.insert('projection_ingest', [settled(6, '0xd', 11, 1n), settled(7, '0xa', 11, 1n)]);
    expect(await hourly(sketch)).toEqual([before[0], { h: '2026-03-01 11:00:00', gross: '26', n: '4', u: '4' }]);
    expect(await daily(sketch)).toEqual([{ u: '4', n: '7' }]);
  });
});
