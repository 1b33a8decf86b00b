import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  AnalyticsClient,
  AnalyticsErrorCode,
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  MigrationRunner,
  UINT256_MAX,
} from '@x402-ledger/analytics';

import { describeSchema, openTestDb, type TestDb } from './support/chdb-test-db';

// The foundation: CLICKHOUSE_URL=chdb:<dir> → @clickhouse/client with chDB's connection adapter, the same code path
// the product uses against a server. Real engine, no mocks.
describe('analytics client on chDB (@clickhouse/client + chdb/connection)', () => {
  let db: TestDb;

  afterEach(async () => {
    await db?.dispose();
  });

  it('pings, creates a table, inserts and selects with {name:Type} parameters', async () => {
    db = await openTestDb({ migrate: false });
    const { client } = db;
    expect(client.kind).toBe('chdb');
    await client.ping();
    await client.command(
      `CREATE TABLE t (id String, amount UInt256, at DateTime64(3, 'UTC')) ENGINE = ReplacingMergeTree ORDER BY id`,
    );
    await client.insert('t', [
      { id: 'a', amount: '1', at: '2026-01-02 03:04:05.678' },
      { id: "b'; DROP TABLE t; --", amount: UINT256_MAX.toString(), at: '2026-01-02 03:04:06.000' },
    ]);
    const rows = await client.query<{ id: string; amount: string; at: string }>(
      `SELECT id, toString(amount) AS amount, at FROM t WHERE id IN {ids:Array(String)} ORDER BY id`,
      { ids: ['a', "b'; DROP TABLE t; --"] },
    );
    expect(rows).toEqual([
      { id: 'a', amount: '1', at: '2026-01-02 03:04:05.678' },
      { id: "b'; DROP TABLE t; --", amount: UINT256_MAX.toString(), at: '2026-01-02 03:04:06.000' },
    ]);
  });

  it('inserts rows of values (TabSeparated) that round-trip NULLs, escapes and JSON objects exactly', async () => {
    db = await openTestDb({ migrate: false });
    const { client } = db;
    await client.command(
      `CREATE TABLE t (id String, note Nullable(String), data String, n UInt64) ENGINE = MergeTree ORDER BY id`,
    );
    const tricky = 'tab\there, new\nline, cr\r, back\\slash, \\N, "quotes", \'single\', ünïcödé';
    const data = { q: 'x"y\\z\t', nested: [1, null, { deep: '\\N' }] };
    await client.insert(
      't',
      [
        ['a', null, data, 1],
        ['b', tricky, {}, 2],
        ['c', '', [], 3],
      ],
      { columns: ['id', 'note', 'data', 'n'] },
    );
    const rows = await client.query<{ id: string; note: string | null; data: string; n: string }>(
      `SELECT * FROM t ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'a', note: null, data: JSON.stringify(data), n: '1' },
      { id: 'b', note: tricky, data: '{}', n: '2' },
      { id: 'c', note: '', data: '[]', n: '3' },
    ]);
  });

  it('drops a retried insert carrying the same deduplication token, and the token does not leak into later inserts', async () => {
    db = await openTestDb({ migrate: false });
    const { client } = db;
    await client.command(
      `CREATE TABLE t (id String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100`,
    );
    await client.insert('t', [{ id: 'x' }], { dedupToken: 'batch-1' });
    await client.insert('t', [{ id: 'x' }], { dedupToken: 'batch-1' });
    // chDB applies settings as session-wide SETs; a leftover token would silently drop this different insert.
    await client.insert('t', [{ id: 'y' }]);
    await client.insert('t', [{ id: 'z' }], { dedupToken: 'batch-2' });
    const rows = await client.query<{ id: string }>(`SELECT id FROM t ORDER BY id`);
    expect(rows.map((r) => r.id)).toEqual(['x', 'y', 'z']);
  });

  it('a retried block with the same token completes a view that failed, without duplicating the source', async () => {
    db = await openTestDb({ migrate: false });
    const { client } = db;
    const window = 'SETTINGS non_replicated_deduplication_window = 100';
    await client.command(`CREATE TABLE flag (f UInt8) ENGINE = Memory`);
    await client.command(`INSERT INTO flag VALUES (1)`);
    await client.command(`CREATE TABLE src (id String, v UInt64) ENGINE = MergeTree ORDER BY id ${window}`);
    await client.command(
      `CREATE TABLE agg (k UInt8, s SimpleAggregateFunction(sum, UInt64)) ENGINE = AggregatingMergeTree ORDER BY k ${window}`,
    );
    await client.command(
      `CREATE MATERIALIZED VIEW agg_mv TO agg AS SELECT toUInt8(0) AS k, v AS s FROM src WHERE throwIf((SELECT count() FROM flag) > 0, 'view down') = 0`,
    );
    await expect(client.insert('src', [{ id: 'a', v: 5 }], { dedupToken: 'T' })).rejects.toThrow('view down');
    expect(await client.query('SELECT count() AS n FROM src')).toEqual([{ n: '1' }]); // the source part is written
    expect(await client.query('SELECT count() AS n FROM agg')).toEqual([{ n: '0' }]);
    await client.command('TRUNCATE TABLE flag');
    await client.insert('src', [{ id: 'a', v: 5 }], { dedupToken: 'T' });
    await client.insert('src', [{ id: 'a', v: 5 }], { dedupToken: 'T' });
    expect(await client.query('SELECT count() AS n FROM src')).toEqual([{ n: '1' }]);
    expect(await client.query('SELECT toString(sum(s)) AS s FROM agg')).toEqual([{ s: '5' }]);
  });

  it('maps engine errors to AnalyticsException(CLICKHOUSE_FAILED) and refuses use after close', async () => {
    db = await openTestDb({ migrate: false });
    await expect(db.client.query('SELECT * FROM no_such_table')).rejects.toMatchObject({
      code: AnalyticsErrorCode.CLICKHOUSE_FAILED,
    });
    await db.client.close();
    await expect(db.client.query('SELECT 1')).rejects.toMatchObject({ code: AnalyticsErrorCode.CLOSED });
  });
});

describe('migrations', () => {
  let db: TestDb;

  afterEach(async () => {
    await db?.dispose();
  });

  it('applies every migration once, records it, and a second run changes nothing', async () => {
    db = await openTestDb({ migrate: false });
    const runner = new MigrationRunner(db.client);
    const files = loadMigrations().map((m) => m.name);
    expect(files.length).toBeGreaterThanOrEqual(5);

    const first = await runner.migrate();
    expect(first).toEqual({ applied: files, alreadyApplied: [] });
    const schemaAfterFirst = await describeSchema(db.client);
    const recorded = await runner.applied();
    expect(recorded.map((m) => m.name)).toEqual(files);

    const second = await runner.migrate();
    expect(second).toEqual({ applied: [], alreadyApplied: files });
    expect(await describeSchema(db.client)).toEqual(schemaAfterFirst);
    expect(await runner.applied()).toEqual(recorded);
    expect(await runner.pending()).toEqual([]);
  });

  it('re-running the statements of an applied migration is harmless (interrupted run)', async () => {
    // An interrupted run re-runs the statements of the migration it was applying, on top of the ones before it.
    db = await openTestDb({ migrate: false });
    for (const migration of loadMigrations()) {
      for (const statement of migration.statements) await db.client.command(statement);
      const applied = await describeSchema(db.client);
      for (const statement of migration.statements) await db.client.command(statement);
      expect({ migration: migration.name, schema: await describeSchema(db.client) }).toEqual({
        migration: migration.name,
        schema: applied,
      });
    }
  });

  it('a fresh database from the migrations equals the expected schema', async () => {
    db = await openTestDb({ migrate: true });
    const expected = JSON.parse(readFileSync(join(__dirname, 'support', 'expected-schema.json'), 'utf8'));
    expect(await describeSchema(db.client)).toEqual(expected);
  });

  it('refuses an applied migration whose file changed', async () => {
    db = await openTestDb({ migrate: false });
    const dir = mkdtempSync(join(tmpdir(), 'x402-migrations-'));
    try {
      cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      await new MigrationRunner(db.client, { dir }).migrate();
      const file = join(dir, loadMigrations(dir)[0].name);
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited after it was applied\n`);
      await expect(new MigrationRunner(db.client, { dir }).migrate()).rejects.toMatchObject({
        code: AnalyticsErrorCode.MIGRATION_CHECKSUM_MISMATCH,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the failing statement of a broken migration and records nothing for it', async () => {
    db = await openTestDb({ migrate: false });
    const dir = mkdtempSync(join(tmpdir(), 'x402-migrations-'));
    try {
      writeFileSync(
        join(dir, '001-ok.sql'),
        'CREATE TABLE IF NOT EXISTS ok_t (x UInt8) ENGINE = MergeTree ORDER BY x;',
      );
      writeFileSync(
        join(dir, '002-broken.sql'),
        'CREATE TABLE IF NOT EXISTS b (x UInt8) ENGINE = MergeTree ORDER BY x;\nSELEC 1;',
      );
      const runner = new MigrationRunner(db.client, { dir });
      await expect(runner.migrate()).rejects.toMatchObject({
        code: AnalyticsErrorCode.MIGRATION_FAILED,
        message: expect.stringContaining('002-broken.sql, statement 2 of 2'),
      });
      expect((await runner.applied()).map((m) => m.name)).toEqual(['001-ok.sql']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AnalyticsClient.create', () => {
  it('refuses a URL it cannot use', async () => {
    await expect(AnalyticsClient.create('postgres://x')).rejects.toMatchObject({
      code: AnalyticsErrorCode.INVALID_URL,
    });
    await expect(AnalyticsClient.create('chdb:')).rejects.toMatchObject({ code: AnalyticsErrorCode.INVALID_URL });
  });
});
