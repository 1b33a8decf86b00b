import { isAbsolute, resolve } from 'node:path';

import { AnalyticsErrorCode, AnalyticsException } from '../analytics.exception';

/** The embedded ClickHouse engine (chDB) on a local data folder. */
export interface ChdbClickHouseUrl {
  kind: 'chdb';
  /** Absolute path of the chDB data folder. */
  path: string;
}

/** A ClickHouse server over HTTP(S). */
export interface HttpClickHouseUrl {
  kind: 'http';
  /** The URL as given: `http(s)://user:pass@host:8123/db` (the client takes credentials and database from it). */
  url: string;
  /** For logs: the URL without credentials. */
  redacted: string;
}

export type ClickHouseUrl = ChdbClickHouseUrl | HttpClickHouseUrl;

function invalid(url: string, why: string): AnalyticsException {
  return new AnalyticsException(AnalyticsErrorCode.INVALID_URL, `Invalid CLICKHOUSE_URL "${redact(url)}": ${why}`);
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Parses CLICKHOUSE_URL:
 * - `chdb:./data/analytics` / `chdb:/abs/path` → the embedded engine (relative paths against `cwd`);
 * - `http(s)://user:pass@host:8123/db` → a ClickHouse server (the path names the database, default `default`).
 */
export function parseClickHouseUrl(url: string, cwd: string = process.cwd()): ClickHouseUrl {
  const trimmed = url.trim();
  if (trimmed.startsWith('chdb:')) {
    const path = trimmed.slice('chdb:'.length);
    if (path.trim() === '') throw invalid(url, 'the path is empty (use chdb:./data/analytics or chdb:/abs/path)');
    if (path.includes('?') || path.includes('#')) throw invalid(url, 'chdb: URLs take no query or fragment');
    if (path === ':memory:') throw invalid(url, 'use a folder: chDB allows one data folder per process');
    return { kind: 'chdb', path: isAbsolute(path) ? resolve(path) : resolve(cwd, path) };
  }
  if (trimmed.startsWith('http://') || trimmed.startsWith('https://')) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw invalid(url, 'not a valid URL');
    }
    if (parsed.hostname === '') throw invalid(url, 'no host');
    const db = parsed.pathname.replace(/^\//, '');
    if (db.includes('/')) throw invalid(url, 'the path must be a single database name');
    if (db !== '' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(db)) throw invalid(url, `bad database name "${db}"`);
    return { kind: 'http', url: trimmed, redacted: redact(trimmed) };
  }
  throw invalid(url, 'the scheme must be chdb: (embedded engine) or http(s):// (ClickHouse server)');
}
