import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  AnalyticsClient,
  AnalyticsQueries,
  InMemoryProjectorMetrics,
  Projector,
  SILENT_ANALYTICS_LOGGER,
  type ProjectorOptions,
} from '@x402-ledger/analytics';
import { createEventLog, SILENT_EVENT_LOG_LOGGER, type EventLog, type LoggedEvent } from '@x402-ledger/event-log';
import type { EventEnvelope } from '@x402-ledger/ledger';

import { openTestDb, type TestDb } from './support/chdb-test-db';
import { asLogged, LedgerScenario, type PaymentHandle } from './support/ledger-scenario';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const T0 = new Date('2026-03-10T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const TENANT = 'tenant-a';
const RANGE = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-06-01T00:00:00Z') };

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function projector(db: TestDb, options: ProjectorOptions = {}): Projector {
  return new Projector(db.client, { logger: SILENT_ANALYTICS_LOGGER, assetDecimals: () => 6, ...options });
}

async function revenue(db: TestDb) {
  return new AnalyticsQueries(db.client).revenue.totals({ tenant: TENANT, ...RANGE });
}

/** Builds a mixed scenario: settled payments (some refunded, some failed), verification failures, sessions, disputes. */
function mixedScenario(seed: number, payments: number) {
  const rnd = prng(seed);
  const s = new LedgerScenario(TENANT);
  const handles: PaymentHandle[] = [];
  let gross = 0n;
  let refunds = 0n;
  let settled = 0;
  for (let i = 0; i < payments; i++) {
    const amount = BigInt(1 + Math.floor(rnd() * 5_000_000));
    const outcome = rnd() < 0.1 ? 'failed' : 'settled';
    const p = s.payment({
      amount,
      at: at(Math.floor(rnd() * 48 * HOUR)),
      outcome,
      resource: `https://api.example.com/r${i % 7}`,
    });
    handles.push(p);
    if (outcome === 'settled') {
      gross += amount;
      settled++;
      if (rnd() < 0.2) {
        const part = amount / 2n + 1n;
        s.refund(p, { amount: part, at: new Date(p.spec.at.getTime() + 2 * HOUR) });
        refunds += part;
      }
    }
    if (rnd() < 0.05)
      s.verificationFailure({ at: at(Math.floor(rnd() * 48 * HOUR)), reason: 'invalid_exact_evm_signature' });
  }
  return { scenario: s, handles, gross, refunds, settled };
}

describe('Projector.handleBatch on chDB', () => {
  let db: TestDb;
  afterEach(async () => {
    await db?.dispose();
  });

  it('projects a mixed batch: revenue totals equal the sums of the events', async () => {
    db = await openTestDb();
    const { scenario, gross, refunds, settled } = mixedScenario(1, 300);
    const metrics = new InMemoryProjectorMetrics();
    const result = await projector(db, { metrics }).handleBatch(asLogged(scenario.all()));
    expect(result).toMatchObject({
      received: scenario.all().length,
      projected: scenario.all().length,
      duplicates: 0,
      invalid: 0,
    });
    const totals = await revenue(db);
    expect(totals).toMatchObject({
      gross: gross.toString(),
      refunds: refunds.toString(),
      net: (gross - refunds).toString(),
      payments: settled,
    });
    const [raw] = await db.client.query<{ n: string }>('SELECT count() AS n FROM events_raw');
    expect(Number(raw.n)).toBe(scenario.all().length);
    expect(metrics.counter('events_projected')).toBe(scenario.all().length);
  });

  it('the same batch delivered twice, or split differently, changes nothing', async () => {
    db = await openTestDb();
    const { scenario, gross, refunds } = mixedScenario(2, 200);
    const logged = asLogged(scenario.all());
    const sut = projector(db);
    await sut.handleBatch(logged);
    const before = await revenue(db);
    const again = await sut.handleBatch(logged);
    expect(again.projected).toBe(0);
    // A fresh projector (restarted process: empty recent-ids filter and context) sees overlapping, re-cut batches.
    const restarted = projector(db);
    for (let i = 0; i < logged.length; i += 37) await restarted.handleBatch(logged.slice(Math.max(0, i - 10), i + 37));
    expect(await revenue(db)).toEqual(before);
    expect(before.gross).toBe(gross.toString());
    expect(before.refunds).toBe(refunds.toString());
    const [raw] = await db.client.query<{ n: string }>('SELECT count() AS n FROM events_raw');
    expect(Number(raw.n)).toBe(logged.length);
  });

  it('a duplicate of an event at another log offset (log-level duplicate) is counted once', async () => {
    db = await openTestDb();
    const s = new LedgerScenario(TENANT);
    const p = s.payment({ amount: 1_000_000n, at: at(HOUR) });
    const events = s.all();
    const logged = [...asLogged(events, 0), ...asLogged([events[events.length - 1]], 100)];
    await projector(db).handleBatch(logged.slice(0, 3));
    await projector(db).handleBatch(logged.slice(3));
    expect((await revenue(db)).gross).toBe('1000000');
    expect(p.paymentId).toHaveLength(64);
  });

  it('events of many payments out of order across aggregates and batches end in the right state', async () => {
    db = await openTestDb();
    const { scenario, handles, gross, refunds } = mixedScenario(3, 120);
    // Interleave streams randomly while keeping each stream's own order (what a partitioned log guarantees).
    const rnd = prng(33);
    const queues = new Map<string, EventEnvelope[]>();
    for (const e of scenario.all()) queues.set(e.streamId, [...(queues.get(e.streamId) ?? []), e]);
    const shuffled: EventEnvelope[] = [];
    while (queues.size > 0) {
      const keys = [...queues.keys()];
      const key = keys[Math.floor(rnd() * keys.length)];
      const q = queues.get(key) as EventEnvelope[];
      shuffled.push(q.shift() as EventEnvelope);
      if (q.length === 0) queues.delete(key);
    }
    const logged = asLogged(shuffled);
    const sut = projector(db);
    for (let i = 0; i < logged.length; i += 23) await sut.handleBatch(logged.slice(i, i + 23));
    const totals = await revenue(db);
    expect(totals.gross).toBe(gross.toString());
    expect(totals.refunds).toBe(refunds.toString());
    const queries = new AnalyticsQueries(db.client);
    for (const h of handles.slice(0, 20)) {
      const view = await queries.payments.get(TENANT, h.paymentId);
      expect(view?.status).toBe(h.spec.outcome === 'failed' ? 'settlement_failed' : 'settled');
      expect(view?.amount).toBe(h.spec.amount.toString());
    }
  });

  it('state columns merge by sequence whatever order the rows arrive in (even reversed)', async () => {
    db = await openTestDb();
    const s = new LedgerScenario(TENANT);
    const p = s.payment({ amount: 42n, at: at(2 * HOUR), latencyMs: 2500 });
    const events = asLogged(s.all());
    const sut = projector(db);
    for (const e of [...events].reverse()) await sut.handleBatch([e]);
    const view = await new AnalyticsQueries(db.client).payments.get(TENANT, p.paymentId);
    expect(view).toMatchObject({ status: 'settled', amount: '42', settledAt: p.spec.at.toISOString() });
    expect(view?.txHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('a late event for an old hour (and an older month) lands in its own bucket', async () => {
    db = await openTestDb();
    const s = new LedgerScenario(TENANT);
    s.payment({ amount: 100n, at: at(5 * HOUR) });
    const fresh = asLogged(s.all());
    const late = new LedgerScenario(TENANT, 'late');
    late.payment({ amount: 7n, at: new Date('2026-02-27T13:20:00.000Z') });
    late.payment({ amount: 11n, at: at(1 * HOUR + 5 * 60_000) });
    const sut = projector(db);
    await sut.handleBatch(fresh);
    await sut.handleBatch(asLogged(late.all(), 100));
    const series = await new AnalyticsQueries(db.client).revenue.series({
      tenant: TENANT,
      from: new Date('2026-02-27T12:00:00Z'),
      to: at(6 * HOUR),
      interval: 'hour',
    });
    const points = new Map(series[0].points.map((pt) => [pt.bucket, pt.gross]));
    expect(points.get('2026-02-27T13:00:00.000Z')).toBe('7');
    expect(points.get(at(HOUR).toISOString())).toBe('11');
    expect(points.get(at(5 * HOUR).toISOString())).toBe('100');
    expect(series[0].totals.gross).toBe('118');
    expect(series[0].points.length).toBe((at(6 * HOUR).getTime() - new Date('2026-02-27T12:00:00Z').getTime()) / HOUR);
  });

  it('a refund after a settlement: net revenue = gross − refund, refund in the hour it succeeded', async () => {
    db = await openTestDb();
    const s = new LedgerScenario(TENANT);
    const p = s.payment({ amount: 1_000_000n, at: at(HOUR) });
    const sut = projector(db);
    await sut.handleBatch(asLogged(s.all()));
    const seen = s.all().length;
    s.refund(p, { amount: 250_000n, at: at(30 * HOUR) });
    await projector(db).handleBatch(asLogged(s.all().slice(seen), seen)); // another process, cold context
    const queries = new AnalyticsQueries(db.client);
    expect(await revenue(db)).toMatchObject({
      gross: '1000000',
      refunds: '250000',
      net: '750000',
      payments: 1,
      refundCount: 1,
    });
    const daily = await queries.revenue.series({ tenant: TENANT, from: T0, to: at(48 * HOUR), interval: 'day' });
    expect(daily[0].points.map((pt) => [pt.gross, pt.refunds, pt.net])).toEqual([
      ['1000000', '0', '1000000'],
      ['0', '250000', '-250000'],
    ]);
    const refunds = await queries.refunds.list({ tenant: TENANT });
    expect(refunds.items).toHaveLength(1);
    expect(refunds.items[0]).toMatchObject({
      paymentId: p.paymentId,
      status: 'succeeded',
      amount: '250000',
      refundedAmount: '250000',
      payTo: p.spec.payTo.toLowerCase(),
      secondsToRefund: 29 * 3600,
    });
    expect((await queries.payments.get(TENANT, p.paymentId))?.refunded).toBe('250000');
  });

  it('huge amounts do not wrap: sums beyond 2^256 stay exact', async () => {
    db = await openTestDb();
    const s = new LedgerScenario(TENANT);
    const max = (1n << 256n) - 1n;
    const amounts = [max, max, max - 5n, 1n << 200n, 3n];
    for (const [i, amount] of amounts.entries()) s.payment({ amount, at: at(HOUR + i * 1000) });
    await projector(db).handleBatch(asLogged(s.all()));
    const expected = amounts.reduce((a, b) => a + b, 0n);
    expect(expected > max).toBe(true);
    const totals = await revenue(db);
    expect(totals.gross).toBe(expected.toString());
    const hourly = await new AnalyticsQueries(db.client).revenue.series({
      tenant: TENANT,
      from: at(0),
      to: at(3 * HOUR),
      interval: 'hour',
    });
    expect(hourly[0].points[1].gross).toBe(expected.toString());
  });
});

describe('Projector on the real embedded event log', () => {
  let db: TestDb;
  let log: EventLog | null = null;
  let logDir: string;

  beforeEach(() => {
    logDir = mkdtempSync(join(tmpdir(), 'x402-analytics-log-'));
  });
  afterEach(async () => {
    await log?.close();
    log = null;
    await db?.dispose();
    rmSync(logDir, { recursive: true, force: true });
  });

  async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('timed out waiting for the projection');
  }

  it('consumes the log as a consumer group: totals equal the sums of the appended events', async () => {
    db = await openTestDb();
    log = await createEventLog(`file:${logDir}`, { logger: SILENT_EVENT_LOG_LOGGER });
    const { scenario, gross, refunds, settled } = mixedScenario(4, 400);
    const events = scenario.all();
    const metrics = new InMemoryProjectorMetrics();
    const sut = projector(db, { metrics, maxBatchSize: 250, minBatchIntervalMs: 10 });
    await sut.start(log);
    for (let i = 0; i < events.length; i += 100) await log.append(events.slice(i, i + 100));
    await waitFor(async () => metrics.counter('events_projected') >= events.length);
    await sut.stop();
    expect(await revenue(db)).toMatchObject({
      gross: gross.toString(),
      refunds: refunds.toString(),
      payments: settled,
    });
    expect(metrics.counter('events_projected')).toBe(events.length);
    expect(metrics.gauges.get('clickhouse_up')).toBe(1);
  });

  it('a consumer that dies after the insert but before the commit: the redelivered batch changes nothing', async () => {
    db = await openTestDb();
    log = await createEventLog(`file:${logDir}`, { logger: SILENT_EVENT_LOG_LOGGER });
    const { scenario, gross, refunds } = mixedScenario(5, 150);
    const events = scenario.all();
    await log.append(events);
    // First "process": projects every batch, then dies before the log can commit it.
    const first = projector(db);
    const delivered: LoggedEvent[][] = [];
    let crashed = 0;
    const sub = await log.subscribe({ group: 'analytics-projector', maxBatchSize: 100 }, async (batch) => {
      if (crashed < 3) {
        await first.handleBatch(batch);
        delivered.push(batch);
        crashed++;
        throw new Error('killed after insert, before commit');
      }
      // The restarted "process": empty caches, same group, gets the uncommitted batch again.
      await restarted.handleBatch(batch);
      delivered.push(batch);
    });
    const restarted = projector(db);
    await waitFor(async () => delivered.reduce((n, b) => n + b.length, 0) >= events.length + 300);
    await sub.close();
    expect(crashed).toBe(3);
    expect(await revenue(db)).toMatchObject({ gross: gross.toString(), refunds: refunds.toString() });
    const [raw] = await db.client.query<{ n: string }>('SELECT count() AS n FROM events_raw');
    expect(Number(raw.n)).toBe(events.length);
  });

  it('a consumer that dies between the derived insert and the raw insert: the retry is deduplicated by its token', async () => {
    db = await openTestDb();
    const { scenario, gross, refunds } = mixedScenario(6, 100);
    const logged = asLogged(scenario.all());
    // A client that acknowledges the projection_ingest insert, then "dies" before events_raw is written.
    const dying = Object.create(db.client) as AnalyticsClient;
    dying.insert = async (table, rows, options) => {
      if (table === 'events_raw') throw new Error('process killed');
      return db.client.insert(table, rows, options);
    };
    await expect(
      projector(db, { retry: { maxAttempts: 1 } }).handleBatch.call(
        new Projector(dying, { logger: SILENT_ANALYTICS_LOGGER, assetDecimals: () => 6, retry: { maxAttempts: 1 } }),
        logged,
      ),
    ).rejects.toThrow('process killed');
    // The derived rows are in (counted once); raw is empty, so the redelivery re-sends the same blocks.
    expect((await revenue(db)).gross).toBe(gross.toString());
    await projector(db).handleBatch(logged);
    expect(await revenue(db)).toMatchObject({ gross: gross.toString(), refunds: refunds.toString() });
    const [raw] = await db.client.query<{ n: string }>('SELECT count() AS n FROM events_raw');
    expect(Number(raw.n)).toBe(logged.length);
  });

  it('dies between the derived insert and the raw insert, and the redelivery has other batch boundaries: counted once', async () => {
    db = await openTestDb();
    const { scenario, gross, refunds, settled } = mixedScenario(8, 120);
    const logged = asLogged(scenario.all());
    const dying = Object.create(db.client) as AnalyticsClient;
    dying.insert = async (table, rows, options) => {
      if (table === 'events_raw') throw new Error('process killed');
      return db.client.insert(table, rows, options);
    };
    const crashed = new Projector(dying, {
      logger: SILENT_ANALYTICS_LOGGER,
      assetDecimals: () => 6,
      retry: { maxAttempts: 1 },
    });
    // The first attempt saw 2/3 of the log; the restarted process gets it in other slices (the log grew meanwhile,
    // another batch size), so no block of the redelivery equals the crashed one.
    const cut = Math.floor((logged.length * 2) / 3);
    await expect(crashed.handleBatch(logged.slice(0, cut))).rejects.toThrow('process killed');
    const restarted = projector(db);
    for (const slice of [logged.slice(0, 37), logged.slice(37, cut + 11), logged.slice(cut + 11)]) {
      await restarted.handleBatch(slice);
    }
    expect(await revenue(db)).toMatchObject({
      gross: gross.toString(),
      refunds: refunds.toString(),
      payments: settled,
    });
    const [raw] = await db.client.query<{ n: string }>('SELECT count() AS n FROM events_raw FINAL');
    expect(Number(raw.n)).toBe(logged.length);
    const [ingested] = await db.client.query<{ n: string }>(
      'SELECT count() AS n, uniqExact(event_id) AS u FROM projection_ingested',
    );
    expect(Number(ingested.n)).toBeLessThanOrEqual(logged.length);
  });

  it('replaying the whole log into an already projected database changes nothing', async () => {
    db = await openTestDb();
    log = await createEventLog(`file:${logDir}`, { logger: SILENT_EVENT_LOG_LOGGER });
    const { scenario, gross } = mixedScenario(7, 100);
    await log.append(scenario.all());
    const sut = projector(db);
    await log.replay(async (batch) => {
      await sut.handleBatch(batch);
    });
    const before = await revenue(db);
    const replayer = projector(db);
    await log.replay(async (batch) => {
      const r = await replayer.handleBatch(batch);
      expect(r.projected).toBe(0);
    });
    expect(await revenue(db)).toEqual(before);
    expect(before.gross).toBe(gross.toString());
  });
});
