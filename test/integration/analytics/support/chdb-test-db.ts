import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AnalyticsClient, MigrationRunner } from '@x402-ledger/analytics';

/**
 * A fresh chDB data folder per test through the product's own client (CLICKHOUSE_URL=chdb:<dir>). chDB allows one
 * data folder per process, so a test must `dispose()` (close + drain + delete) before the next one opens its own.
 */
export interface TestDb {
  client: AnalyticsClient;
  dir: string;
  url: string;
  dispose(): Promise<void>;
}

export async function openTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'x402-analytics-'));
  const url = `chdb:${join(dir, 'ch')}`;
  const client = await AnalyticsClient.create(url);
  if (options.migrate ?? true) await new MigrationRunner(client).migrate();
  return {
    client,
    dir,
    url,
    async dispose() {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SchemaColumn {
  name: string;
  type: string;
}
export interface SchemaTable {
  name: string;
  engine: string;
  sortingKey: string;
  partitionKey: string;
  columns: string[];
}

/** Tables of the current database with engine, keys and `name Type` columns, for schema comparisons. */
export async function describeSchema(client: AnalyticsClient): Promise<SchemaTable[]> {
  const tables = await client.query<{ name: string; engine: string; sorting_key: string; partition_key: string }>(
    `SELECT name, engine, sorting_key, partition_key FROM system.tables WHERE database = currentDatabase() ORDER BY name`,
  );
  const columns = await client.query<{ table: string; name: string; type: string }>(
    `SELECT table, name, type FROM system.columns WHERE database = currentDatabase() ORDER BY table, position`,
  );
  return tables.map((t) => ({
    name: t.name,
    engine: t.engine,
    sortingKey: t.sorting_key,
    partitionKey: t.partition_key,
    columns: columns.filter((c) => c.table === t.name).map((c) => `${c.name} ${c.type}`),
  }));
}
