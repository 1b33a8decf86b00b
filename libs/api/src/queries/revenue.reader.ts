import type { AnalyticsReads } from '@x402-ledger/analytics';
import { combineHalves, floorBucket, nextBucket, type RevenueInterval } from '@x402-ledger/analytics';
import { ApiErrorCode, ApiException } from '../api.exception';
import { scopeConditions, type ReadScope } from './read-scope';
import { numOrNull } from './sql.util';

export type RevenueGroupBy = 'none' | 'pay_to' | 'resource';

export interface RevenueFiguresRecord {
  gross: string;
  refunds: string;
  net: string;
  count: number;
  refundCount: number;
  /** null when not requested (it costs an extra aggregation). */
  uniquePayers: number | null;
}

export interface RevenueBucketRecord extends RevenueFiguresRecord {
  start: string;
}

export interface RevenueSeriesRecord {
  /** The groupBy value (payTo or resource), null when not grouped. */
  key: string | null;
  network: string;
  asset: string;
  decimals: number | null;
  totals: RevenueFiguresRecord;
  buckets: RevenueBucketRecord[];
}

export interface RevenueRequest {
  scope: ReadScope;
  from: Date;
  to: Date;
  interval: RevenueInterval;
  groupBy: RevenueGroupBy;
  filter: { tenant?: string; payTo?: string; resource?: string; network?: string; asset?: string };
  /** Compute unique payers per bucket / over the whole range. */
  uniquePayers: { buckets: boolean; totals: boolean };
  /** Most series (largest gross first). */
  limit: number;
  fillGaps: boolean;
}

const BUCKETS: Record<RevenueInterval, { table: string; expr: string; type: string }> = {
  hour: { table: 'revenue_hourly', expr: 'bucket', type: "DateTime('UTC')" },
  day: { table: 'revenue_daily', expr: 'bucket', type: 'Date' },
  week: { table: 'revenue_daily', expr: 'toMonday(bucket)', type: 'Date' },
  month: { table: 'revenue_daily', expr: 'toStartOfMonth(bucket)', type: 'Date' },
};
const DIMENSIONS: Record<RevenueGroupBy, string> = { none: "''", pay_to: 'pay_to', resource: 'resource' };
export const MAX_REVENUE_BUCKETS = 2000;

interface FigureRow {
  gl: string;
  gh: string;
  rl: string;
  rh: string;
  n: string | number;
  rn: string | number;
  u?: string | number;
}

function figures(row: FigureRow | undefined, withUnique: boolean): RevenueFiguresRecord {
  if (!row)
    return { gross: '0', refunds: '0', net: '0', count: 0, refundCount: 0, uniquePayers: withUnique ? 0 : null };
  const gross = combineHalves(row.gl, row.gh);
  const refunds = combineHalves(row.rl, row.rh);
  return {
    gross: gross.toString(),
    refunds: refunds.toString(),
    net: (gross - refunds).toString(),
    count: Number(row.n),
    refundCount: Number(row.rn),
    uniquePayers: withUnique ? Number(row.u ?? 0) : null,
  };
}

/** ClickHouse's `toString` of a DateTime ('YYYY-MM-DD hh:mm:ss', UTC) or Date ('YYYY-MM-DD') → the ISO form. */
const toIso = (value: string): string =>
  value.length === 10 ? `${value}T00:00:00.000Z` : `${value.replace(' ', 'T')}.000Z`;

/**
 * Revenue (gross, refunds, net, counts, unique payers) per bucket and group from the analytics rollups, always split
 * by network and asset (sums across assets mean nothing). Scope-aware; payers have no revenue view.
 */
export class RevenueReader {
  constructor(private readonly client: AnalyticsReads) {}

  async series(req: RevenueRequest): Promise<RevenueSeriesRecord[]> {
    const { table: fineTable, expr, type } = BUCKETS[req.interval];
    // Tenant-level rollups (one row per tenant, bucket, network, asset) serve every query that neither filters nor
    // groups by payTo or resource, and is not narrowed to payTo addresses by the caller's scope.
    const coarse =
      req.groupBy === 'none' &&
      req.scope.payTo === null &&
      req.filter.payTo === undefined &&
      req.filter.resource === undefined;
    const table = coarse ? `${fineTable}_tenant` : fineTable;
    const start = floorBucket(req.from, req.interval);
    const buckets: Date[] = [];
    for (let b = start; b.getTime() < req.to.getTime(); b = nextBucket(b, req.interval)) {
      buckets.push(b);
      if (buckets.length > MAX_REVENUE_BUCKETS) {
        throw new ApiException(
          ApiErrorCode.BAD_USER_INPUT,
          `too many ${req.interval} buckets (max ${MAX_REVENUE_BUCKETS})`,
        );
      }
    }
    const hourly = req.interval === 'hour';
    const param = (d: Date) => (hourly ? d.toISOString().slice(0, 19).replace('T', ' ') : d.toISOString().slice(0, 10));
    const endBound = hourly ? req.to : ceilDay(req.to);
    const params: Record<string, unknown> = { from: param(start), to: param(endBound) };
    const where = [
      `bucket >= {from:${type}}`,
      `bucket < {to:${type}}`,
      ...scopeConditions(req.scope, params, { tenant: 'tenant', payTo: 'pay_to' }),
      ...filterConditions(req.filter, params),
    ];
    const dim = DIMENSIONS[req.groupBy];
    // The tenant rollups keep payers as a fixed-size sketch (migration 007), the fine ones as `uniq`.
    const uniqMerge = coarse ? 'uniqCombinedMerge(12)(payers)' : 'uniqMerge(payers)';
    const sums = `toString(sum(gross_lo)) AS gl, toString(sum(gross_hi)) AS gh, toString(sum(refunds_lo)) AS rl,
      toString(sum(refunds_hi)) AS rh, sum(payments) AS n, sum(refund_count) AS rn`;
    const [rows, totalPayers] = await Promise.all([
      this.client.query<FigureRow & { k: string; network: string; asset: string; bs: string; decimals: number | null }>(
        `SELECT k, network, asset, toString(b) AS bs, max(decimals) AS decimals, ${sums}
                ${req.uniquePayers.buckets ? `, ${uniqMerge} AS u` : ''}
         FROM (SELECT ${dim} AS k, network, asset, ${expr} AS b, decimals, gross_lo, gross_hi, refunds_lo, refunds_hi,
                      payments, refund_count ${req.uniquePayers.buckets ? ', payers' : ''}
               FROM ${table} WHERE ${where.join(' AND ')})
         GROUP BY k, network, asset, b`,
        params,
      ),
      req.uniquePayers.totals
        ? this.rangePayers(req, { table, dim, uniqMerge, scopeWhere: where.slice(2), params, start, end: endBound })
        : Promise.resolve(null),
    ]);
    const groups = new Map<
      string,
      {
        key: string;
        network: string;
        asset: string;
        decimals: number | null;
        points: Map<string, RevenueFiguresRecord>;
      }
    >();
    for (const row of rows) {
      const id = `${row.k}\u0000${row.network}\u0000${row.asset}`;
      let group = groups.get(id);
      if (!group)
        groups.set(
          id,
          (group = { key: row.k, network: row.network, asset: row.asset, decimals: null, points: new Map() }),
        );
      const decimals = numOrNull(row.decimals);
      if (decimals !== null) group.decimals = Math.max(group.decimals ?? 0, decimals);
      group.points.set(toIso(row.bs), figures(row, req.uniquePayers.buckets));
    }
    const starts = req.fillGaps ? buckets.map((b) => b.toISOString()) : [];
    const series: RevenueSeriesRecord[] = [...groups.entries()].map(([id, g]) => {
      const points = req.fillGaps
        ? starts.map((start) => ({
            start,
            ...(g.points.get(start) ?? figures(undefined, req.uniquePayers.buckets)),
          }))
        : [...g.points.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([start, f]) => ({ start, ...f }));
      return {
        key: req.groupBy === 'none' ? null : g.key,
        network: g.network,
        asset: g.asset,
        decimals: g.decimals,
        totals: {
          ...sumFigures([...g.points.values()]),
          uniquePayers: totalPayers ? (totalPayers.get(id) ?? 0) : null,
        },
        buckets: points,
      };
    });
    series.sort(
      (a, b) =>
        compareBig(b.totals.gross, a.totals.gross) ||
        `${a.key}${a.network}${a.asset}`.localeCompare(`${b.key}${b.network}${b.asset}`),
    );
    return series.slice(0, req.limit);
  }

  /**
   * Distinct payers over the whole range per series (a merge of the range's payer sets, not a sum of bucket counts).
   * Whole UTC days inside an hourly range are read from the daily rollup (one state per day instead of 24), the
   * partial days at its edges from the hourly one.
   */
  private async rangePayers(
    req: RevenueRequest,
    q: {
      table: string;
      dim: string;
      uniqMerge: string;
      scopeWhere: string[];
      params: Record<string, unknown>;
      start: Date;
      end: Date;
    },
  ): Promise<Map<string, number>> {
    const parts: string[] = [];
    const params = { ...q.params };
    const select = (table: string, where: string[]) =>
      `SELECT ${q.dim} AS k, network, asset, payers FROM ${table} WHERE ${[...where, ...q.scopeWhere].join(' AND ')}`;
    const firstDay = ceilDay(q.start);
    const endDay = floorBucket(q.end, 'day');
    if (req.interval === 'hour' && firstDay.getTime() < endDay.getTime()) {
      const daily = q.table.replace('hourly', 'daily');
      params['p_fd'] = firstDay.toISOString().slice(0, 10);
      params['p_ed'] = endDay.toISOString().slice(0, 10);
      params['p_fh'] = firstDay.toISOString().slice(0, 19).replace('T', ' ');
      params['p_eh'] = endDay.toISOString().slice(0, 19).replace('T', ' ');
      parts.push(
        select(q.table, [
          "bucket >= {from:DateTime('UTC')}",
          "bucket < {to:DateTime('UTC')}",
          "(bucket < {p_fh:DateTime('UTC')} OR bucket >= {p_eh:DateTime('UTC')})",
        ]),
        select(daily, ['bucket >= {p_fd:Date}', 'bucket < {p_ed:Date}']),
      );
    } else {
      const type = BUCKETS[req.interval].type;
      parts.push(select(q.table, [`bucket >= {from:${type}}`, `bucket < {to:${type}}`]));
    }
    const rows = await this.client.query<{ k: string; network: string; asset: string; u: string | number }>(
      `SELECT k, network, asset, ${q.uniqMerge} AS u FROM (${parts.join(' UNION ALL ')}) GROUP BY k, network, asset`,
      params,
    );
    return new Map(rows.map((row) => [`${row.k}\u0000${row.network}\u0000${row.asset}`, Number(row.u)]));
  }
}

function sumFigures(points: RevenueFiguresRecord[]): RevenueFiguresRecord {
  let gross = 0n;
  let refunds = 0n;
  let count = 0;
  let refundCount = 0;
  for (const p of points) {
    gross += BigInt(p.gross);
    refunds += BigInt(p.refunds);
    count += p.count;
    refundCount += p.refundCount;
  }
  return {
    gross: gross.toString(),
    refunds: refunds.toString(),
    net: (gross - refunds).toString(),
    count,
    refundCount,
    uniquePayers: null,
  };
}

function filterConditions(filter: RevenueRequest['filter'], params: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, column] of [
    ['tenant', 'tenant'],
    ['payTo', 'pay_to'],
    ['resource', 'resource'],
    ['network', 'network'],
    ['asset', 'asset'],
  ] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    params[`f_${key}`] = value;
    out.push(`${column} = {f_${key}:String}`);
  }
  return out;
}

function ceilDay(to: Date): Date {
  const floor = floorBucket(to, 'day');
  return floor.getTime() === to.getTime() ? to : nextBucket(floor, 'day');
}

function compareBig(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}
