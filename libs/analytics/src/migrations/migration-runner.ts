import { AnalyticsErrorCode, AnalyticsException } from '../analytics.exception';
import type { AnalyticsClient } from '../client/analytics-client';
import { toClickHouseTime } from '../projection/clickhouse-values.util';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, type Migration } from './migration-files';

export const MIGRATIONS_TABLE = 'schema_migrations';

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  appliedAt: string;
}

export interface MigrateResult {
  /** File names applied by this run, in order. */
  applied: string[];
  /** File names that were already applied. */
  alreadyApplied: string[];
}

export interface MigrationRunnerOptions {
  dir?: string;
  now?: () => Date;
}

/**
 * Applies the plain-SQL migrations in version order, each once, and records each in `schema_migrations` after all its
 * statements succeeded. Every statement is idempotent (`IF NOT EXISTS`), so a run interrupted half-way, or two
 * instances migrating at once, converge on the same schema. An applied migration whose file changed is refused
 * (MIGRATION_CHECKSUM_MISMATCH): write a new migration instead.
 */
export class MigrationRunner {
  private readonly dir: string;
  private readonly now: () => Date;

  constructor(
    private readonly client: AnalyticsClient,
    options: MigrationRunnerOptions = {},
  ) {
    this.dir = options.dir ?? DEFAULT_MIGRATIONS_DIR;
    this.now = options.now ?? (() => new Date());
  }

  async migrate(): Promise<MigrateResult> {
    const migrations = loadMigrations(this.dir);
    await this.ensureTable();
    const applied = new Map((await this.applied()).map((m) => [m.version, m]));
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const done = applied.get(migration.version);
      if (done) {
        if (done.checksum !== migration.checksum) {
          throw new AnalyticsException(
            AnalyticsErrorCode.MIGRATION_CHECKSUM_MISMATCH,
            `Migration ${migration.name} was applied as ${done.name} with checksum ${done.checksum}, the file now hashes to ${migration.checksum}; add a new migration instead of editing an applied one`,
          );
        }
        result.alreadyApplied.push(migration.name);
        continue;
      }
      await this.apply(migration);
      result.applied.push(migration.name);
    }
    return result;
  }

  /** Migrations recorded in the database, by version. */
  async applied(): Promise<AppliedMigration[]> {
    await this.ensureTable();
    const rows = await this.client.query<{ v: number; n: string; c: string; t: string }>(
      `SELECT version AS v, argMin(name, applied_at) AS n, argMin(checksum, applied_at) AS c, min(applied_at) AS t
       FROM ${MIGRATIONS_TABLE} GROUP BY version ORDER BY version`,
    );
    return rows.map((r) => ({ version: Number(r.v), name: r.n, checksum: r.c, appliedAt: r.t }));
  }

  /** Migrations in the folder that are not recorded yet. */
  async pending(): Promise<Migration[]> {
    const done = new Set((await this.applied()).map((m) => m.version));
    return loadMigrations(this.dir).filter((m) => !done.has(m.version));
  }

  private async ensureTable(): Promise<void> {
    await this.client.command(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}
       (version UInt32, name String, checksum String, statements UInt32, applied_at DateTime64(3, 'UTC'))
       ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
    );
  }

  private async apply(migration: Migration): Promise<void> {
    for (const [index, statement] of migration.statements.entries()) {
      try {
        await this.client.command(statement);
      } catch (error) {
        throw new AnalyticsException(
          AnalyticsErrorCode.MIGRATION_FAILED,
          `Migration ${migration.name}, statement ${index + 1} of ${migration.statements.length} failed: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    await this.client.insert(MIGRATIONS_TABLE, [
      {
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        statements: migration.statements.length,
        applied_at: toClickHouseTime(this.now()),
      },
    ]);
  }
}
