import type { EventLog, LogPosition } from '@x402-ledger/event-log';

import type { AnalyticsClient } from '../client/analytics-client';
import { Projector, type BatchResult, type ProjectorOptions } from '../projection/projector';

/** Every table the projection writes (the materialized views stay; they only route). */
export const PROJECTION_TABLES = [
  'events_raw',
  'projection_ingested',
  'payments',
  'payments_by_created',
  'settlements',
  'payment_failures',
  'refunds',
  'disputes',
  'sessions',
  'session_usage_hourly',
  'revenue_hourly',
  'revenue_daily',
  'revenue_hourly_tenant',
  'revenue_daily_tenant',
] as const;

export interface RebuildOptions extends Omit<ProjectorOptions, 'tokenNamespace'> {
  /** Replay the log from these positions (default: the beginning). */
  from?: LogPosition[];
  /** Clock for the token namespace (default Date.now). */
  nowMs?: () => number;
  /** Called after each projected batch with the running totals (progress lines). */
  onBatch?: (total: Readonly<BatchResult>) => void;
}

/**
 * `rebuild`: empties every projection table and projects the log again (EventLog.replay), with a new deduplication
 * token namespace so that the previous build's tokens cannot drop the new blocks. Stop the live projector first; its
 * consumer group position is untouched, and afterwards it finds everything already projected.
 *
 * With `from`, only the log from those positions is replayed into the emptied tables — for a database restored to
 * a backup taken at that position; rebuilding part of a live database is not supported (rollups cannot be split).
 */
export class RebuildService {
  constructor(private readonly client: AnalyticsClient) {}

  async rebuild(log: EventLog, options: RebuildOptions = {}): Promise<BatchResult> {
    for (const table of PROJECTION_TABLES) await this.client.command(`TRUNCATE TABLE IF EXISTS ${table}`);
    const projector = new Projector(this.client, {
      ...options,
      tokenNamespace: `r${(options.nowMs ?? Date.now)()}`,
    });
    const total: BatchResult = { received: 0, projected: 0, duplicates: 0, invalid: 0 };
    await log.replay(async (batch) => {
      const r = await projector.handleBatch(batch);
      total.received += r.received;
      total.projected += r.projected;
      total.duplicates += r.duplicates;
      total.invalid += r.invalid;
      options.onBatch?.(total);
    }, options.from);
    return total;
  }
}
