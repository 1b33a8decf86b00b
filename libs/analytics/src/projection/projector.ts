import { createHash } from 'node:crypto';

import type { EventLog, LoggedEvent, Subscription } from '@x402-ledger/event-log';

import { AnalyticsErrorCode, AnalyticsException } from '../analytics.exception';
import { nestAnalyticsLogger, type AnalyticsLogger } from '../analytics.logger';
import type { AnalyticsClient } from '../client/analytics-client';
import { LARGE_QUERY_SETTINGS, toClickHouseTime } from './clickhouse-values.util';
import { loadOmittableIngestColumns, toIngestBlock } from './ingest-block';
import {
  IngestRowMapper,
  type AssetDecimals,
  type IngestColumn,
  type IngestRow,
  type IngestValue,
  type MapResult,
} from './ingest-row.mapper';
import { ProjectionContext, type ContextNeeds } from './projection-context';
import { NoopProjectorMetrics, type ProjectorMetrics } from './projector-metrics.port';
import { RAW_COLUMNS, toRawRow } from './raw-row.mapper';
import { RecentIdsFilter } from './recent-ids.filter';

export const DEFAULT_PROJECTOR_GROUP = 'analytics-projector';
const DEFAULT_MAX_BATCH_SIZE = 20_000;

export interface ProjectorRetryOptions {
  /** First delay (default 100 ms), doubling up to maxMs. */
  initialMs?: number;
  /** Longest delay between two attempts (default 5 s). */
  maxMs?: number;
  /** Attempts per ClickHouse call before the batch is given back to the log (default: unlimited). */
  maxAttempts?: number;
}

export interface ProjectorOptions {
  /** Consumer group on the event log (default `analytics-projector`). */
  group?: string;
  /**
   * Most records per batch taken from the log (default 20 000). Each insert has a large fixed cost (one part per
   * target table: events_raw plus every materialized view's table), so a backlog is projected fastest in large
   * batches (measured on chDB: ~28 µs per event at 5000, ~17 at 15–20k for projection_ingest with its views).
   */
  maxBatchSize?: number;
  /**
   * Least time between two batches when the log hands over less than a full one (default 200 ms). While the projector
   * waits, new records pile up in the log and arrive as one batch: fewer, larger inserts (ClickHouse wants ~1 insert
   * per second per table, not thousands), at the cost of at most this much extra freshness delay.
   */
  minBatchIntervalMs?: number;
  /** How many recently projected event ids to remember (default 200k). */
  recentIds?: number;
  /** How many payments / sessions to keep enrichment context for (default 100k each). */
  contextCapacity?: number;
  retry?: ProjectorRetryOptions;
  assetDecimals?: AssetDecimals;
  metrics?: ProjectorMetrics;
  logger?: AnalyticsLogger;
  /**
   * Namespace of the insert deduplication tokens (default `p1`). A rebuild into truncated tables uses a new one so that
   * the deduplication windows of the first build cannot drop its blocks.
   */
  tokenNamespace?: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface BatchResult {
  received: number;
  projected: number;
  duplicates: number;
  invalid: number;
}

interface Unit {
  /** events_raw partition (YYYYMM of occurredAt): one raw insert = one part = atomic. */
  partition: string;
  events: LoggedEvent[];
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Projects event-log batches into ClickHouse, exactly once in effect (docs/adr/0004-projection-exactly-once.md):
 *
 * 1. drop ids repeated in the batch and ids in the recent-ids filter;
 * 2. split the rest by events_raw partition (one insert per partition is atomic) and, per unit, ask ClickHouse which
 *    ids events_raw already has (fully projected) and which projection_ingested has (derived rows written: a view of
 *    the projection_ingest insert records them) — minutes-bound primary-key reads;
 * 3. insert the rows of events not ingested yet into `projection_ingest` (materialized views fan them out to state
 *    tables and rollups), then the envelopes of events not in events_raw into `events_raw` — each insert with a
 *    deduplication token derived from its set of ids, so a retried unit is dropped by ClickHouse instead of counted
 *    twice, and a crash between the two inserts never ingests again whatever the redelivered batch looks like; a failed
 *    insert is retried as the very same block (same rows, same token), which also completes views a failed attempt
 *    left out;
 * 4. resolve only when everything is acknowledged; the log commits after that.
 */
export class Projector {
  private readonly client: AnalyticsClient;
  private readonly mapper: IngestRowMapper;
  private readonly context: ProjectionContext;
  private readonly recent: RecentIdsFilter;
  private readonly metrics: ProjectorMetrics;
  private readonly logger: AnalyticsLogger;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly retry: Required<ProjectorRetryOptions>;
  private readonly tokenNamespace: string;
  private stopping = false;
  private subscription: Subscription | null = null;
  /** projection_ingest columns an insert may leave out (read from the table on the first batch). */
  private omittable: ReadonlySet<IngestColumn> | null = null;

  constructor(
    client: AnalyticsClient,
    private readonly options: ProjectorOptions = {},
  ) {
    this.client = client;
    this.mapper = new IngestRowMapper(options.assetDecimals);
    this.context = new ProjectionContext(options.contextCapacity ?? 100_000);
    this.recent = new RecentIdsFilter(options.recentIds ?? 200_000);
    this.metrics = options.metrics ?? new NoopProjectorMetrics();
    this.logger = options.logger ?? nestAnalyticsLogger('Projector');
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? defaultSleep;
    this.retry = {
      initialMs: options.retry?.initialMs ?? 100,
      maxMs: options.retry?.maxMs ?? 5000,
      maxAttempts: options.retry?.maxAttempts ?? Number.POSITIVE_INFINITY,
    };
    this.tokenNamespace = options.tokenNamespace ?? 'p1';
  }

  /** Projects one batch (log order). Resolves once ClickHouse acknowledged every write; safe to call again with the same batch. */
  async handleBatch(batch: readonly LoggedEvent[]): Promise<BatchResult> {
    const started = Date.now();
    this.metrics.increment('events_received', batch.length);
    const result: BatchResult = { received: batch.length, projected: 0, duplicates: 0, invalid: 0 };
    if (batch.length === 0) return result;

    // 1. First occurrence of each id in the batch, minus ids this process projected recently.
    const seen = new Set<string>();
    const first: boolean[] = new Array<boolean>(batch.length).fill(false);
    const candidates: LoggedEvent[] = [];
    batch.forEach((logged, i) => {
      const id = logged.envelope.id;
      if (seen.has(id)) return;
      seen.add(id);
      first[i] = true;
      if (!this.recent.has(id)) candidates.push(logged);
    });

    // 2. Which candidates does ClickHouse already have? One check per raw partition. The checks run in the engine
    //    while this thread loads context and maps the batch (nothing below depends on them until the inserts).
    const units = splitByPartition(candidates);
    const checks = Promise.all(
      units.map((unit) => this.withRetry('check events_raw', () => this.existingIds(unit.events))),
    );
    checks.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled" meanwhile

    // 3. Enrichment context for every event of the batch (duplicates included: they still tell about their payment).
    const needs: ContextNeeds = { payments: new Map(), sessions: new Map() };
    for (const logged of batch) this.mapper.collectNeeds(logged.envelope, needs);
    if (needs.payments.size > 0 || needs.sessions.size > 0) {
      const inBatch = streamsStartingIn(batch);
      for (const [tenant, ids] of needs.payments)
        for (const id of ids) if (inBatch.has(`${tenant}\u0000${id}`)) ids.delete(id);
      for (const [tenant, ids] of needs.sessions)
        for (const id of ids) if (inBatch.has(`${tenant}\u0000${id}`)) ids.delete(id);
      if (this.context.prune(needs)) await this.withRetry('load context', () => this.context.load(this.client, needs));
    }

    const mapped: (MapResult | undefined)[] = batch.map((logged, i) =>
      first[i] ? this.mapper.map(logged.envelope, this.context) : undefined,
    );

    const existing = await checks;
    const fresh = new Set<string>();
    // Ingested but not raw: a crash between the two inserts — write the raw envelopes only (never ingest twice).
    const ingested = new Set<string>();
    units.forEach((unit, u) => {
      for (const logged of unit.events) {
        const id = logged.envelope.id;
        if (existing[u].raw.has(id)) continue;
        fresh.add(id);
        if (existing[u].ingested.has(id)) ingested.add(id);
      }
    });
    const ingestRows = new Map<string, IngestRow>();
    batch.forEach((logged, i) => {
      const m = mapped[i];
      const id = logged.envelope.id;
      if (!m || !fresh.has(id)) return;
      if (m.kind === 'row') ingestRows.set(id, m.row);
      else if (m.kind === 'invalid') {
        result.invalid++;
        this.metrics.increment('events_invalid');
        this.logger.warn('Event data unreadable; stored raw only', {
          eventId: id,
          type: logged.envelope.type,
          reason: m.reason,
        });
      }
    });

    // 4. Per unit: derived rows first, raw envelopes last (the raw row is what marks an event as projected). The raw
    //    rows are built and encoded while the engine writes the derived ones.
    const projectedAt = toClickHouseTime(this.now());
    for (const unit of units) {
      const events = unit.events.filter((l) => fresh.has(l.envelope.id));
      if (events.length === 0) continue;
      const toIngest = events.filter((l) => ingestRows.has(l.envelope.id) && !ingested.has(l.envelope.id));
      const values: IngestValue[][] = toIngest.map((l) => ingestRows.get(l.envelope.id)!.values);
      if (values.length > 0 && !this.omittable) {
        this.omittable = await this.withRetry('read projection_ingest columns', () =>
          loadOmittableIngestColumns(this.client),
        );
      }
      const block = toIngestBlock(values, this.omittable ?? new Set());
      const ingestToken = `${this.token(unit.partition, toIngest)}:ingest`;
      const derived = this.withRetry('insert projection_ingest', () =>
        this.client.insert('projection_ingest', block.rows, {
          columns: block.columns,
          dedupToken: ingestToken,
        }),
      );
      derived.catch(() => undefined); // awaited below
      const raw = this.client.encode(
        events.map((l) => toRawRow(l, projectedAt)),
        RAW_COLUMNS,
      );
      await derived;
      await this.withRetry('insert events_raw', () =>
        this.client.insert('events_raw', raw, { dedupToken: `${this.token(unit.partition, events)}:raw` }),
      );
      this.recent.addAll(events.map((l) => l.envelope.id));
      result.projected += events.length;
    }

    result.duplicates = batch.length - result.projected;
    this.metrics.increment('events_projected', result.projected);
    this.metrics.increment('events_duplicate', result.duplicates);
    this.metrics.increment('batches');
    this.metrics.set('last_batch_size', batch.length);
    this.metrics.set('last_batch_seconds', (Date.now() - started) / 1000);
    const newest = newestRecordedAt(batch);
    this.metrics.set('lag_seconds', Math.max(0, (this.now().getTime() - newest) / 1000));
    return result;
  }

  /**
   * Subscribes to the log with the consumer group and projects every batch; the log commits a batch only after
   * handleBatch resolved. Small batches are paced (minBatchIntervalMs) so inserts stay few and large.
   */
  async start(log: EventLog): Promise<void> {
    if (this.subscription) return;
    this.stopping = false;
    const interval = this.options.minBatchIntervalMs ?? 200;
    const maxBatchSize = this.options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.subscription = await log.subscribe(
      { group: this.options.group ?? DEFAULT_PROJECTOR_GROUP, fromBeginning: true, maxBatchSize },
      async (batch) => {
        const started = Date.now();
        await this.handleBatch(batch);
        const wait = interval - (Date.now() - started);
        if (batch.length < maxBatchSize && wait > 0 && !this.stopping) await this.sleep(wait);
      },
    );
  }

  /** Stops the subscription (the in-flight batch is finished or, if ClickHouse is down, given back uncommitted). */
  async stop(): Promise<void> {
    this.stopping = true;
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) await subscription.close();
  }

  /**
   * Which of `events` are already projected: `raw` — in events_raw (fully projected), `ingested` — their derived rows
   * reached projection_ingest (projection_ingested, written by a view of that insert). Reads only the minutes the
   * events fall in (primary key prefix) and compares the numeric id_key first (a set of numbers is much cheaper than a
   * set of 64-char strings), then the id. One query for both tables.
   */
  private async existingIds(events: readonly LoggedEvent[]): Promise<{ raw: Set<string>; ingested: Set<string> }> {
    const minutes = new Set<string>();
    const keys: number[] = [];
    const wanted = new Set<string>();
    for (const { envelope } of events) {
      minutes.add(`${toClickHouseTime(envelope.occurredAt).slice(0, 16)}:00`);
      keys.push(idKey(envelope.id));
      wanted.add(envelope.id);
    }
    const where = `WHERE toStartOfMinute(occurred_at) IN {minutes:Array(DateTime('UTC'))}
         AND id_key IN (SELECT arrayJoin({keys:Array(UInt64)}))`;
    const rows = await this.client.query<{ event_id: string; t: number | string }>(
      `SELECT event_id, 1 AS t FROM events_raw ${where}
       UNION ALL
       SELECT event_id, 2 AS t FROM projection_ingested ${where}
       ${LARGE_QUERY_SETTINGS}`,
      { minutes: [...minutes], keys },
    );
    const raw = new Set<string>();
    const ingested = new Set<string>();
    for (const row of rows) {
      if (!wanted.has(row.event_id)) continue;
      (Number(row.t) === 1 ? raw : ingested).add(row.event_id);
    }
    return { raw, ingested };
  }

  private token(partition: string, events: readonly LoggedEvent[]): string {
    const hash = createHash('sha256');
    for (const l of events) hash.update(l.envelope.id);
    return `${this.tokenNamespace}:${partition}:${hash.digest('hex')}`;
  }

  private async withRetry<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopping && attempt > 1) {
        throw new AnalyticsException(AnalyticsErrorCode.PROJECTOR_STOPPED, `Projector stopped while retrying ${what}`);
      }
      try {
        const value = await call();
        this.metrics.set('clickhouse_up', 1);
        return value;
      } catch (error) {
        this.metrics.set('clickhouse_up', 0);
        if (attempt >= this.retry.maxAttempts || this.stopping) throw error;
        const delay = Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** (attempt - 1));
        this.metrics.increment('clickhouse_retries');
        this.logger.warn(`ClickHouse ${what} failed; retrying the same block`, { attempt, retryInMs: delay, error });
        await this.sleep(delay);
      }
    }
  }
}

/**
 * Epoch ms of the latest recordedAt in the batch. Canonical ISO timestamps (`YYYY-MM-DDTHH:MM:SS.mmmZ`, what the
 * ledger writes) order as strings, so only the latest of them is parsed; any other form is parsed on its own.
 */
function newestRecordedAt(batch: readonly LoggedEvent[]): number {
  let newest = 0;
  let canonical = '';
  for (const { envelope } of batch) {
    const at = envelope.recordedAt;
    if (at.length === 24 && at.charCodeAt(23) === 90 /* Z */) {
      if (at > canonical) canonical = at;
    } else {
      newest = Math.max(newest, Date.parse(at) || 0);
    }
  }
  return canonical === '' ? newest : Math.max(newest, Date.parse(canonical) || 0);
}

/** The first 52 bits of a sha256-hex event id, as events_raw.id_key computes them. */
function idKey(eventId: string): number {
  const key = parseInt(eventId.slice(0, 13), 16);
  return Number.isFinite(key) ? key : 0;
}

function splitByPartition(events: readonly LoggedEvent[]): Unit[] {
  const units = new Map<string, Unit>();
  for (const logged of events) {
    const partition = logged.envelope.occurredAt.slice(0, 7).replace('-', '');
    let unit = units.get(partition);
    if (!unit) units.set(partition, (unit = { partition, events: [] }));
    unit.events.push(logged);
  }
  return [...units.values()];
}

/**
 * tenant\0streamId of the streams whose first event (sequence 1) is in this batch: their whole history up to here is in
 * the batch, so their context needs no lookup.
 */
function streamsStartingIn(batch: readonly LoggedEvent[]): Set<string> {
  const set = new Set<string>();
  for (const { envelope: e } of batch) if (e.sequence === 1) set.add(`${e.tenant}\u0000${e.streamId}`);
  return set;
}
