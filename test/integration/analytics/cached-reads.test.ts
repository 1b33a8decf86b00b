import { CachedReads } from '@x402-ledger/analytics';

import { openTestDb, type TestDb } from './support/chdb-test-db';

// The read cache on the real engine (chDB): a result is reused only while the data it came from is unchanged.
describe('CachedReads on chDB', () => {
  let db: TestDb;
  let sent: string[];
  let sut: CachedReads;

  beforeEach(async () => {
    db = await openTestDb({ migrate: false });
    await db.client.command(
      `CREATE TABLE t (tenant String, v UInt64) ENGINE = MergeTree ORDER BY tenant SETTINGS non_replicated_deduplication_window = 100`,
    );
    await db.client.insert('t', [
      { tenant: 'a', v: 1 },
      { tenant: 'b', v: 10 },
    ]);
    sent = [];
    const query = db.client.query.bind(db.client);
    db.client.query = (<T>(sql: string, params?: Record<string, unknown>) => {
      if (!sql.includes('system.parts')) sent.push(sql);
      return query<T>(sql, params);
    }) as typeof db.client.query;
    sut = new CachedReads(db.client);
  });
  afterEach(async () => {
    await db?.dispose();
  });

  const SUM = 'SELECT toString(sum(v)) AS s FROM t WHERE tenant = {tenant:String}';

  it('answers a repeated read from the cache, per parameters (another tenant is another query)', async () => {
    expect(await sut.query(SUM, { tenant: 'a' })).toEqual([{ s: '1' }]);
    expect(await sut.query(SUM, { tenant: 'a' })).toEqual([{ s: '1' }]);
    expect(await sut.query(SUM, { tenant: 'b' })).toEqual([{ s: '10' }]);
    expect(sent).toHaveLength(2);
    expect([sut.hits, sut.misses]).toEqual([1, 2]);
  });

  it('an acknowledged insert is visible to the next read', async () => {
    expect(await sut.query(SUM, { tenant: 'a' })).toEqual([{ s: '1' }]);
    await db.client.insert('t', [{ tenant: 'a', v: 5 }]);
    expect(await sut.query(SUM, { tenant: 'a' })).toEqual([{ s: '6' }]);
    // A mutation changes data without a new block: also seen.
    await db.client.command(`ALTER TABLE t UPDATE v = 100 WHERE tenant = 'a' SETTINGS mutations_sync = 1`);
    expect(await sut.query(SUM, { tenant: 'a' })).toEqual([{ s: '200' }]);
    // So is a truncate.
    await db.client.command('TRUNCATE TABLE t');
    expect(await sut.query(SUM, { tenant: 'a' })).toEqual([{ s: '0' }]);
    expect(sent).toHaveLength(4);
  });

  it('sees writes of another process (not through this client) within maxStalenessMs; at once with 0', async () => {
    const external = (v: number) =>
      db.client.raw.insert({ table: 't', values: [{ tenant: 'a', v }], format: 'JSONEachRow' });
    const strict = new CachedReads(db.client, { maxStalenessMs: 0 });
    const relaxed = new CachedReads(db.client, { maxStalenessMs: 50 });
    expect(await strict.query(SUM, { tenant: 'a' })).toEqual([{ s: '1' }]);
    expect(await relaxed.query(SUM, { tenant: 'a' })).toEqual([{ s: '1' }]);
    await external(2);
    expect(await strict.query(SUM, { tenant: 'a' })).toEqual([{ s: '3' }]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await relaxed.query(SUM, { tenant: 'a' })).toEqual([{ s: '3' }]);
  });

  it('a deduplicated insert (same token) changes nothing and keeps the cached result', async () => {
    await db.client.insert('t', [{ tenant: 'a', v: 2 }], { dedupToken: 'tok-1' });
    expect(await sut.query(SUM, { tenant: 'a' })).toEqual([{ s: '3' }]);
    await db.client.insert('t', [{ tenant: 'a', v: 2 }], { dedupToken: 'tok-1' });
    expect(await sut.query(SUM, { tenant: 'a' })).toEqual([{ s: '3' }]);
    expect(sent).toHaveLength(1);
  });

  it('identical concurrent reads share one query; a failing read is not cached', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => sut.query(SUM, { tenant: 'b' })));
    expect(answers).toEqual(Array.from({ length: 8 }, () => [{ s: '10' }]));
    expect(sent).toHaveLength(1);
    await expect(sut.query('SELECT no_such_column FROM t')).rejects.toThrow(/no_such_column|Missing columns|Unknown/);
    await expect(sut.query('SELECT no_such_column FROM t')).rejects.toThrow();
    expect(sent).toHaveLength(3);
    expect(sut.size).toBe(1);
  });

  it('stays within its byte bound (least recently used results go first)', async () => {
    const small = new CachedReads(db.client, { maxBytes: 40 });
    await small.query(SUM, { tenant: 'a' }); // [{"s":"1"}] = 11 bytes
    await small.query(SUM, { tenant: 'b' });
    await small.query('SELECT toString(sum(v)) AS s, 1 AS one FROM t', {});
    await small.query('SELECT toString(sum(v)) AS s, 2 AS two FROM t', {});
    expect(small.size).toBeLessThan(4);
    expect(small.size).toBeGreaterThan(0);
  });
});
