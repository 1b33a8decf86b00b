import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  AnalyticsQueries,
  Projector,
  RebuildService,
  ReconcileService,
  SILENT_ANALYTICS_LOGGER,
} from '@x402-ledger/analytics';
import { createEventLog, SILENT_EVENT_LOG_LOGGER, type EventLog } from '@x402-ledger/event-log';

import { openTestDb, type TestDb } from './support/chdb-test-db';
import { asLogged, LedgerScenario } from './support/ledger-scenario';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const T0 = new Date('2026-03-10T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const RANGE = { from: T0, to: at(48 * HOUR) };

function scenario(): LedgerScenario {
  const s = new LedgerScenario('t');
  const p1 = s.payment({ amount: 1_000n, at: at(HOUR) });
  s.payment({ amount: 2_000n, at: at(2 * HOUR) });
  s.payment({ amount: 3_000n, at: at(26 * HOUR) });
  s.refund(p1, { amount: 500n, at: at(30 * HOUR) });
  return s;
}

describe('reconcile and rebuild', () => {
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

  it('reconcile: a clean projection matches the raw events; a double-counted block is reported per hour', async () => {
    db = await openTestDb();
    const s = scenario();
    await new Projector(db.client, { logger: SILENT_ANALYTICS_LOGGER }).handleBatch(asLogged(s.all()));
    const sut = new ReconcileService(db.client);
    expect(await sut.reconcile(RANGE)).toEqual({ ok: true, hoursChecked: 4, mismatches: [] });

    // What a zombie consumer's overlapping insert would leave: one settled payment counted twice in the rollup.
    const settled = s.all().find((e) => e.type === 'payment.settled' && e.occurredAt === at(2 * HOUR).toISOString());
    await db.client.insert('projection_ingest', [
      {
        event_id: 'dup',
        type: 'payment.settled',
        occurred_at: '2026-03-10 02:00:00.000',
        tenant: 't',
        amount: '2000',
        payment_id: settled?.streamId ?? '',
      },
    ]);
    const result = await sut.reconcile({ ...RANGE, tenant: 't' });
    expect(result.ok).toBe(false);
    expect(result.mismatches).toEqual([
      {
        tenant: 't',
        hour: at(2 * HOUR).toISOString(),
        raw: { settled: 1, gross: '2000', refunds: 0, refunded: '0' },
        rollup: { settled: 2, gross: '4000', refunds: 0, refunded: '0' },
      },
    ]);
  });

  it('rebuild: empties the projection and replays the log; totals match and reconcile is clean again', async () => {
    db = await openTestDb();
    log = await createEventLog(`file:${logDir}`, { logger: SILENT_EVENT_LOG_LOGGER });
    const s = scenario();
    await log.append(s.all());
    const projector = new Projector(db.client, { logger: SILENT_ANALYTICS_LOGGER });
    await log.replay(async (batch) => {
      await projector.handleBatch(batch);
    });
    const queries = new AnalyticsQueries(db.client);
    const before = await queries.revenue.totals({ tenant: 't', ...RANGE });
    await db.client.insert('projection_ingest', [
      { event_id: 'x', type: 'payment.settled', occurred_at: '2026-03-10 05:00:00.000', tenant: 't', amount: '99' },
    ]);
    expect((await new ReconcileService(db.client).reconcile(RANGE)).ok).toBe(false);

    const result = await new RebuildService(db.client).rebuild(log, { logger: SILENT_ANALYTICS_LOGGER });
    expect(result).toMatchObject({ received: s.all().length, projected: s.all().length, duplicates: 0 });
    expect(await queries.revenue.totals({ tenant: 't', ...RANGE })).toEqual(before);
    expect(before).toMatchObject({ gross: '6000', refunds: '500', net: '5500' });
    expect((await new ReconcileService(db.client).reconcile(RANGE)).ok).toBe(true);
  });
});
