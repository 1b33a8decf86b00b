import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { AnalyticsErrorCode, AnalyticsException } from '../analytics.exception';
import { splitSqlStatements } from './sql-statements.util';

/** `libs/analytics/migrations` (also in dist/: the build copies .sql files next to the compiled code). */
export const DEFAULT_MIGRATIONS_DIR = resolve(__dirname, '../../migrations');

export interface Migration {
  /** NNN from the file name. */
  version: number;
  /** File name, e.g. `001-events.sql`. */
  name: string;
  /** sha256 hex of the file with normalized line endings. */
  checksum: string;
  statements: string[];
}

const FILE_NAME = /^(\d{3})-[a-z0-9][a-z0-9-]*\.sql$/;

function failed(message: string): AnalyticsException {
  return new AnalyticsException(AnalyticsErrorCode.MIGRATION_FAILED, message);
}

/** Reads `NNN-name.sql` files in version order. Throws MIGRATION_FAILED on a bad name, a duplicate version or an empty file. */
export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  } catch (error) {
    throw new AnalyticsException(AnalyticsErrorCode.MIGRATION_FAILED, `Cannot read migrations folder ${dir}`, {
      cause: error,
    });
  }
  const migrations = files.map((name) => {
    const m = FILE_NAME.exec(name);
    if (!m) throw failed(`Migration file name "${name}" must look like NNN-name.sql`);
    const text = readFileSync(join(dir, name), 'utf8').replace(/\r\n/g, '\n');
    let statements: string[];
    try {
      statements = splitSqlStatements(text);
    } catch (error) {
      throw failed(`Migration ${name}: ${(error as Error).message}`);
    }
    if (statements.length === 0) throw failed(`Migration ${name} has no statement`);
    return {
      version: Number(m[1]),
      name,
      checksum: createHash('sha256').update(text).digest('hex'),
      statements,
    };
  });
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw failed(
        `Two migrations share version ${migrations[i].version}: ${migrations[i - 1].name}, ${migrations[i].name}`,
      );
    }
  }
  return migrations;
}
