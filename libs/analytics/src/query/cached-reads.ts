import { createHash } from 'node:crypto';
import type { AnalyticsClient } from '../client/analytics-client';

/** What a read model needs from ClickHouse: parameterized reads. `AnalyticsClient` and `CachedReads` both provide it. */
export interface AnalyticsReads {
  query<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
}

export interface CachedReadsOptions {
  /** Upper bound of cached result bytes (JSON length of the rows), default 64 MiB. */
  maxBytes?: number;
  /** Results larger than this are not cached, default 4 MiB. */
  maxEntryBytes?: number;
  /**
   * How old a data-version probe may be for a read to reuse it, default 50 ms; 0 makes every read wait for a probe
   * started after it arrived. Writes through the same client are always seen at once (see `writeCount`): the window
   * only delays what OTHER processes wrote (a projector in another process), bounded by this many milliseconds.
   */
  maxStalenessMs?: number;
}

/**
 * The data version of the database: per table, the highest block number, the highest data version (mutations),
 * the row and part counts of its active parts. An acknowledged insert always adds a part with a higher block number
 * (a deduplicated insert adds nothing — and changes nothing); merges keep the maxima; mutations raise the data
 * version; a truncate changes the counts. Cheap: it reads part metadata only (~3 ms on chDB).
 */
const DATA_VERSION_SQL = `SELECT table AS t, max(max_block_number) AS b, max(data_version) AS v, sum(rows) AS r, count() AS p
  FROM system.parts WHERE database = currentDatabase() AND active GROUP BY table ORDER BY table`;

interface Entry {
  version: string;
  rows: Promise<unknown[]>;
  bytes: number;
}

/**
 * Read results cached by (SQL, parameters, data version). A result is reused only while the database holds the data
 * it was computed from. Before each read the data version is taken from a probe of part metadata: one that started
 * after the read arrived (concurrent reads share it; a read arriving while a probe runs waits for the next), or — to
 * spare a probe per read under load — the last one when it started at most `maxStalenessMs` ago AND nothing was
 * written through this client since. So a write through this client (the daemon's in-process projector) is visible to
 * every read that starts after it was acknowledged; a write by another process (a projector elsewhere) within
 * `maxStalenessMs`. Identical concurrent reads share one query. Dashboards refreshing the same panels and clients
 * polling the same page cost one ClickHouse query per change of the data instead of one per request.
 *
 * The cache key is the SQL text plus its parameters, so the caller's scope (tenant, payTo, payer conditions are in the
 * SQL or its parameters) is part of the key: a cached answer is only ever returned for the identical query.
 */
export class CachedReads implements AnalyticsReads {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private running: Promise<string> | null = null;
  private queued: Promise<string> | null = null;
  /** The last completed probe: its version, when it started and the client's write count then. */
  private last: { version: string; startedAt: number; writes: number } | null = null;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly maxStalenessMs: number;
  /** Reads answered from the cache / from ClickHouse (for metrics and tests). */
  hits = 0;
  misses = 0;

  constructor(
    private readonly client: AnalyticsClient,
    options: CachedReadsOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntryBytes = options.maxEntryBytes ?? 4 * 1024 * 1024;
    this.maxStalenessMs = options.maxStalenessMs ?? 50;
  }

  async query<T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const version = await this.dataVersion();
    const key = createHash('sha256').update(sql).update('\u0000').update(stableJson(params)).digest('base64');
    const cached = this.entries.get(key);
    if (cached && cached.version === version) {
      // LRU: move to the end.
      this.entries.delete(key);
      this.entries.set(key, cached);
      this.hits++;
      return (await cached.rows) as T[];
    }
    if (cached) this.drop(key, cached);
    this.misses++;
    const rows = this.client.query<T>(sql, params);
    const entry: Entry = { version, rows, bytes: 0 };
    this.entries.set(key, entry);
    try {
      const result = await rows;
      if (this.entries.get(key) === entry) {
        const size = JSON.stringify(result).length;
        if (size > this.maxEntryBytes) this.drop(key, entry);
        else {
          entry.bytes = size;
          this.bytes += size;
          this.evict();
        }
      }
      return result;
    } catch (error) {
      if (this.entries.get(key) === entry) this.drop(key, entry);
      throw error;
    }
  }

  /** Number of cached results (tests, metrics). */
  get size(): number {
    return this.entries.size;
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      this.drop(key, entry);
    }
  }

  /**
   * A data version observed by a probe that started after this call — or one started at most `maxStalenessMs` ago
   * with no write through this client since.
   */
  private dataVersion(): Promise<string> {
    const last = this.last;
    if (last && last.writes === this.client.writeCount && performance.now() - last.startedAt <= this.maxStalenessMs) {
      return Promise.resolve(last.version);
    }
    if (!this.running) return (this.running = this.probe());
    if (!this.queued) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return (this.running = this.probe());
        });
    }
    return this.queued;
  }

  private probe(): Promise<string> {
    const startedAt = performance.now();
    const writes = this.client.writeCount;
    const run: Promise<string> = this.client
      .query<{ t: string; b: string; v: string; r: string; p: string }>(DATA_VERSION_SQL)
      .then((rows) => {
        const version = rows.map((row) => `${row.t}:${row.b}:${row.v}:${row.r}:${row.p}`).join('|');
        if (!this.last || this.last.startedAt < startedAt) this.last = { version, startedAt, writes };
        return version;
      })
      .finally(() => {
        if (this.running === run) this.running = null;
      });
    return run;
  }
}

/** JSON with object keys sorted (parameters given in another order are the same query). Dates as ISO strings. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : typeof v === 'bigint'
        ? `${v}n`
        : v,
  );
}
