import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEventLog, SILENT_EVENT_LOG_LOGGER } from '@x402-ledger/event-log';
import { logEventTotal } from '../../../apps/cli/src/commands/analytics-commands';
import { settledPayment } from '../../../libs/ledger/src/testing/ledger-test-data';
import { testKafkaBrokers, uniqueTopic } from '../../setup/services';

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist/apps/cli/src/analytics.js');
const WINDOW = ['--since', '2026-03-01T00:00:00Z', '--until', '2026-03-02T00:00:00Z'];

/** `npm run analytics -- …` as the built program, in its own process (chDB: one process per data folder). */
describe('analytics CLI (built, spawned)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 90_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    expect(build.status).toBe(0);
    dir = mkdtempSync(join(tmpdir(), 'x402-analytics-cli-'));
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      X402_MODE: 'dev',
      LOG_LEVEL: 'silent',
      DATA_DIR: dir,
      CLICKHOUSE_URL: `chdb:${join(dir, 'ch')}`,
      EVENT_LOG_URL: `file:${join(dir, 'log')}`,
      // No daemon runs here: port 1 never answers, so the chain leg is skipped with a message.
      DEV_CHAIN_RPC_PORT: '1',
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate applies every migration once', () => {
    const first = run('migrate');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied 001-events\.sql$/m);
    expect(first.stdout).toMatch(/(\d+) migration\(s\) applied, 0 already applied/);
    const second = run('migrate');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^0 migration\(s\) applied, \d+ already applied/m);
  });

  it('reconcile: 0 on an empty window, 1 when the projection lacks a settled payment, 0 after rebuild', async () => {
    const empty = run('reconcile', ...WINDOW);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('no dev chain answers at http://127.0.0.1:1');
    expect(empty.stdout).toMatch(/no differences\n$/);

    const log = await createEventLog(`file:${join(dir, 'log')}`);
    const payment = settledPayment('1000000');
    await log.append(payment.envelopes);
    await log.close();
    const paymentId = payment.envelopes[0]!.streamId;

    const missing = run('reconcile', ...WINDOW);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(new RegExp(`MISSING IN CLICKHOUSE +tenant acme payment ${paymentId}`));
    expect(missing.stdout).toMatch(/1 difference\(s\)\n$/);

    const rebuilt = run('rebuild');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toContain(`rebuilt from 3 events`);
    expect(rebuilt.stderr).toMatch(/100\.0% 3\/3 events .* ev\/s eta/);

    const clean = run('reconcile', ...WINDOW, '--tenant', 'acme', '--json');
    expect(clean.code).toBe(0);
    const report = JSON.parse(clean.stdout) as { ok: boolean; clickhouseVsLedger: { paymentsChecked: number } };
    expect(report).toMatchObject({ ok: true, clickhouseVsLedger: { paymentsChecked: 1 } });
  });

  it('usage errors exit 2', () => {
    expect(run('reconcile', '--since', '2026-03-01T00:00:00Z').code).toBe(2);
    const bad = run('reconcile', '--since', 'yesterday', '--until', '2026-03-02T00:00:00Z');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since: not an ISO-8601 time');
    expect(run('reconcile', ...WINDOW, '--nope').code).toBe(2);
    expect(run('reconcile', '--since', '2020-01-01T00:00:00Z', '--until', '2026-01-01T00:00:00Z').code).toBe(2);
    expect(run('frobnicate').code).toBe(2);
    expect(run('rebuild', '--from', 'x').code).toBe(2);
  });

  it('rebuild progress knows the total: embedded end offset, Kafka partition end offsets', async () => {
    const embeddedUrl = `file:${join(dir, 'log-total')}`;
    const embedded = await createEventLog(embeddedUrl, { logger: SILENT_EVENT_LOG_LOGGER });
    await embedded.append(settledPayment('5').envelopes);
    expect(await logEventTotal(embedded, embeddedUrl, undefined)).toBe(3);
    expect(await logEventTotal(embedded, embeddedUrl, [{ partition: 0, offset: '1' }])).toBe(2);
    await embedded.close();

    const kafkaUrl = `kafka://${testKafkaBrokers().join(',')}?topic=${uniqueTopic('cli.total')}&partitions=3`;
    const kafka = await createEventLog(kafkaUrl, { logger: SILENT_EVENT_LOG_LOGGER });
    try {
      const positions = await kafka.append(settledPayment('7').envelopes);
      expect(await logEventTotal(kafka, kafkaUrl, undefined)).toBe(3);
      const p = positions[0]!;
      expect(
        await logEventTotal(kafka, kafkaUrl, [{ partition: p.partition, offset: String(BigInt(p.offset) + 1n) }]),
      ).toBe(2);
    } finally {
      await kafka.close();
    }
  });
});
