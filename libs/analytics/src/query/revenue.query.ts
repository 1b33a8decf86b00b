import { z } from 'zod';

import { AnalyticsErrorCode, AnalyticsException } from '../analytics.exception';
import type { AnalyticsClient } from '../client/analytics-client';
import { combineHalves } from '../projection/clickhouse-values.util';
import {
  addressFilter,
  chTime,
  dimensionFilters,
  displayAddress,
  filterConditions,
  limitSchema,
  parseInput,
  rangeSchema,
  sumHalvesSql,
  tenantSchema,
} from './query-input.util';

export const REVENUE_INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type RevenueInterval = (typeof REVENUE_INTERVALS)[number];
export const REVENUE_DIMENSIONS = ['none', 'payTo', 'resource', 'network', 'asset'] as const;
export type RevenueDimension = (typeof REVENUE_DIMENSIONS)[number];

/** Whitelisted SQL for each dimension / interval: user input only ever picks one of these keys. */
const DIMENSION_SQL: Record<RevenueDimension, string> = {
  none: "''",
  payTo: 'pay_to',
  resource: 'resource',
  network: 'network',
  asset: 'asset',
};
const BUCKET_SQL: Record<RevenueInterval, { table: string; expr: string; type: string }> = {
  hour: { table: 'revenue_hourly', expr: 'bucket', type: "DateTime('UTC')" },
  day: { table: 'revenue_daily', expr: 'bucket', type: 'Date' },
  week: { table: 'revenue_daily', expr: 'toMonday(bucket)', type: 'Date' },
  month: { table: 'revenue_daily', expr: 'toStartOfMonth(bucket)', type: 'Date' },
};
const MAX_POINTS = 10_000;

const seriesInput = rangeSchema.and(
  z.object({
    tenant: tenantSchema,
    interval: z.enum(REVENUE_INTERVALS),
    groupBy: z.enum(REVENUE_DIMENSIONS).default('none'),
    filters: dimensionFilters,
    /** Most series returned when grouping (largest gross first), default 50. */
    limit: limitSchema(1000, 50),
    /** Also count distinct payers per bucket and per series (merging HyperLogLog states costs ~5× the query). */
    uniquePayers: z.boolean().default(false),
  }),
);
export type RevenueSeriesInput = z.input<typeof seriesInput>;

const totalsInput = rangeSchema.and(z.object({ tenant: tenantSchema, filters: dimensionFilters }));
export type RevenueTotalsInput = z.input<typeof totalsInput>;

const topInput = rangeSchema.and(
  z.object({
    tenant: tenantSchema,
    limit: limitSchema(1000, 10),
    orderBy: z.enum(['gross', 'net', 'payments']).default('gross'),
    filters: dimensionFilters,
    uniquePayers: z.boolean().default(false),
  }),
);
export type TopInput = z.input<typeof topInput>;

const topPayersInput = rangeSchema.and(
  z.object({ tenant: tenantSchema, limit: limitSchema(1000, 10), payTo: addressFilter.optional() }),
);
export type TopPayersInput = z.input<typeof topPayersInput>;

export interface RevenueFigures {
  /** Settled amounts, atomic units (decimal string). */
  gross: string;
  /** Succeeded refunds, counted when they succeeded. */
  refunds: string;
  /** gross − refunds (may be negative in a bucket where refunds of earlier payments landed). */
  net: string;
  payments: number;
  refundCount: number;
  /**
   * Distinct payers of settled payments (`uniq`: exact below ~65k, ±~1.6 % above); null when not asked for
   * (`uniquePayers: true` on series / top queries; always set by totals()).
   */
  uniquePayers: number | null;
}

export interface RevenuePoint extends RevenueFigures {
  /** Start of the bucket, ISO-8601 UTC. */
  bucket: string;
}

export interface RevenueSeries {
  /** The dimension value (null when not grouped). Addresses are checksummed. */
  key: string | null;
  decimals: number | null;
  totals: RevenueFigures;
  /** Every bucket of the range, gaps filled with zeros. */
  points: RevenuePoint[];
}

export interface TopEntry extends RevenueFigures {
  key: string;
  decimals: number | null;
}

export interface TopPayer {
  payer: string;
  gross: string;
  payments: number;
  network: string;
  asset: string;
  decimals: number | null;
}

interface FigureRow {
  f_gl: string;
  f_gh: string;
  f_rl: string;
  f_rh: string;
  f_n: string | number;
  f_rn: string | number;
  f_u?: string | number;
}

/** Aliases differ from the column names: a ClickHouse alias shadows the column everywhere in its SELECT. */
const figureSql = (uniquePayers: boolean) => `toString(sum(gross_lo)) AS f_gl, toString(sum(gross_hi)) AS f_gh,
  toString(sum(refunds_lo)) AS f_rl, toString(sum(refunds_hi)) AS f_rh,
  sum(payments) AS f_n, sum(refund_count) AS f_rn${uniquePayers ? ', uniqMerge(payers) AS f_u' : ''}`;

function zero(uniquePayers: boolean): RevenueFigures {
  return { gross: '0', refunds: '0', net: '0', payments: 0, refundCount: 0, uniquePayers: uniquePayers ? 0 : null };
}

function sumFigures(points: readonly RevenueFigures[], uniquePayers: number | null): RevenueFigures {
  let gross = 0n;
  let refunds = 0n;
  let payments = 0;
  let refundCount = 0;
  for (const p of points) {
    gross += BigInt(p.gross);
    refunds += BigInt(p.refunds);
    payments += p.payments;
    refundCount += p.refundCount;
  }
  return {
    gross: gross.toString(),
    refunds: refunds.toString(),
    net: (gross - refunds).toString(),
    payments,
    refundCount,
    uniquePayers,
  };
}

function figures(row: FigureRow | undefined, uniquePayers = false): RevenueFigures {
  if (!row) return zero(uniquePayers);
  const gross = combineHalves(row.f_gl, row.f_gh);
  const refunds = combineHalves(row.f_rl, row.f_rh);
  return {
    gross: gross.toString(),
    refunds: refunds.toString(),
    net: (gross - refunds).toString(),
    payments: Number(row.f_n),
    refundCount: Number(row.f_rn),
    uniquePayers: row.f_u === undefined ? null : Number(row.f_u),
  };
}

/** UTC start of the bucket containing `date`. */
export function floorBucket(date: Date, interval: RevenueInterval): Date {
  const d = new Date(date.getTime());
  switch (interval) {
    case 'hour':
      d.setUTCMinutes(0, 0, 0);
      return d;
    case 'day':
      d.setUTCHours(0, 0, 0, 0);
      return d;
    case 'week': {
      d.setUTCHours(0, 0, 0, 0);
      const back = (d.getUTCDay() + 6) % 7; // Monday-based
      d.setUTCDate(d.getUTCDate() - back);
      return d;
    }
    case 'month':
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  }
}

export function nextBucket(date: Date, interval: RevenueInterval): Date {
  const d = new Date(date.getTime());
  switch (interval) {
    case 'hour':
      return new Date(d.getTime() + 3_600_000);
    case 'day':
      return new Date(d.getTime() + 86_400_000);
    case 'week':
      return new Date(d.getTime() + 7 * 86_400_000);
    case 'month':
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  }
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const bucketParam = (d: Date, interval: RevenueInterval) => (interval === 'hour' ? chTime(d).slice(0, 19) : isoDate(d));
const bucketIso = (value: string) =>
  new Date(`${value.length === 10 ? `${value}T00:00:00` : value.replace(' ', 'T')}Z`).toISOString();

/**
 * Revenue (gross, refunds, net, counts, unique payers) from the hourly / daily rollups. A bucket belongs to a range when
 * its start lies in [floor(from), to); refunds count in the bucket in which they succeeded.
 */
export class RevenueQuery {
  constructor(private readonly client: AnalyticsClient) {}

  async series(input: RevenueSeriesInput): Promise<RevenueSeries[]> {
    const q = parseInput(seriesInput, input);
    const start = floorBucket(q.from, q.interval);
    const buckets: Date[] = [];
    for (let b = start; b.getTime() < q.to.getTime(); b = nextBucket(b, q.interval)) {
      buckets.push(b);
      if (buckets.length > MAX_POINTS) {
        throw new AnalyticsException(
          AnalyticsErrorCode.INVALID_QUERY,
          `Too many ${q.interval} buckets (max ${MAX_POINTS})`,
        );
      }
    }
    const { table, expr, type } = BUCKET_SQL[q.interval];
    const params: Record<string, unknown> = {
      tenant: q.tenant,
      from: bucketParam(start, q.interval),
      to: bucketParam(q.interval === 'hour' ? q.to : nextDayIfPartial(q.to), q.interval),
    };
    const where = [
      'tenant = {tenant:String}',
      `bucket >= {from:${type}}`,
      `bucket < {to:${type}}`,
      ...filterConditions(q.filters, params),
    ];
    const dim = DIMENSION_SQL[q.groupBy];
    const rows = await this.client.query<FigureRow & { k: string; b: string; decimals: number | null }>(
      `SELECT ${dim} AS k, ${expr} AS b, max(decimals) AS decimals, ${figureSql(q.uniquePayers)}
       FROM ${table} WHERE ${where.join(' AND ')}
       GROUP BY k, b ORDER BY k, b`,
      params,
    );
    const byKey = new Map<string, { decimals: number | null; points: Map<string, RevenueFigures> }>();
    for (const row of rows) {
      let entry = byKey.get(row.k);
      if (!entry) byKey.set(row.k, (entry = { decimals: null, points: new Map() }));
      if (row.decimals !== null) entry.decimals = Math.max(entry.decimals ?? 0, Number(row.decimals));
      entry.points.set(bucketIso(row.b), figures(row));
    }
    if (byKey.size === 0 && q.groupBy === 'none') byKey.set('', { decimals: null, points: new Map() });
    const payersByKey = q.uniquePayers ? await this.uniquePayersByKey(q.groupBy, table, where, params) : null;
    const series: RevenueSeries[] = [...byKey.entries()].map(([key, entry]) => {
      const points = buckets.map((b) => {
        const iso = b.toISOString();
        return { bucket: iso, ...(entry.points.get(iso) ?? zero(q.uniquePayers)) };
      });
      return {
        key: q.groupBy === 'none' ? null : displayKey(q.groupBy, key),
        decimals: entry.decimals,
        totals: sumFigures(points, payersByKey ? (payersByKey.get(key) ?? 0) : null),
        points,
      };
    });
    if (q.groupBy === 'none') return series.slice(0, 1);
    series.sort((a, b) => compareBig(b.totals.gross, a.totals.gross) || String(a.key).localeCompare(String(b.key)));
    return series.slice(0, q.limit);
  }

  /** Figures over the whole range (unique payers across the range, not summed per bucket). */
  async totals(input: RevenueTotalsInput): Promise<RevenueFigures> {
    const q = parseInput(totalsInput, input);
    const { table, type, from, to } = pickTable(q.from, q.to);
    const params: Record<string, unknown> = { tenant: q.tenant, from, to };
    const where = [
      'tenant = {tenant:String}',
      `bucket >= {from:${type}}`,
      `bucket < {to:${type}}`,
      ...filterConditions(q.filters, params),
    ];
    const [row] = await this.client.query<FigureRow>(
      `SELECT ${figureSql(true)} FROM ${table} WHERE ${where.join(' AND ')}`,
      params,
    );
    return figures(row, true);
  }

  /** Top resources by gross (or net / payment count) over the range. */
  topResources(input: TopInput): Promise<TopEntry[]> {
    return this.top('resource', input);
  }

  /** Top receiving addresses (payTo) over the range. */
  topPayTo(input: TopInput): Promise<TopEntry[]> {
    return this.top('payTo', input);
  }

  /** Top payers by settled gross over the range (from the settlement facts). */
  async topPayers(input: TopPayersInput): Promise<TopPayer[]> {
    const q = parseInput(topPayersInput, input);
    const params: Record<string, unknown> = {
      tenant: q.tenant,
      from: chTime(q.from),
      to: chTime(q.to),
      limit: q.limit,
    };
    const where = [
      'tenant = {tenant:String}',
      "settled_at >= {from:DateTime64(3, 'UTC')}",
      "settled_at < {to:DateTime64(3, 'UTC')}",
    ];
    if (q.payTo) {
      params.payTo = q.payTo;
      where.push('pay_to = {payTo:String}');
    }
    const rows = await this.client.query<{
      payer: string;
      network: string;
      asset: string;
      decimals: number | null;
      g_lo: string;
      g_hi: string;
      n: string;
    }>(
      `SELECT payer, network, asset, max(decimals) AS decimals, ${sumHalvesSql('amount', 'g')}, count() AS n
       FROM settlements WHERE ${where.join(' AND ')}
       GROUP BY payer, network, asset
       ORDER BY toFloat64(sum(bitShiftRight(amount, 128))) * 3.402823669209385e38 + toFloat64(sum(bitAnd(amount, toUInt256('340282366920938463463374607431768211455')))) DESC, payer
       LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((r) => ({
      payer: displayAddress(r.payer),
      network: r.network,
      asset: displayAddress(r.asset),
      decimals: r.decimals === null ? null : Number(r.decimals),
      gross: combineHalves(r.g_lo, r.g_hi).toString(),
      payments: Number(r.n),
    }));
  }

  private async top(dimension: 'resource' | 'payTo', input: TopInput): Promise<TopEntry[]> {
    const q = parseInput(topInput, input);
    const { table, type, from, to } = pickTable(q.from, q.to);
    const params: Record<string, unknown> = { tenant: q.tenant, from, to, limit: q.limit };
    const where = [
      'tenant = {tenant:String}',
      `bucket >= {from:${type}}`,
      `bucket < {to:${type}}`,
      ...filterConditions(q.filters, params),
    ];
    // Ranking only: a Float64 estimate of the exact totals (which are computed from the halves below).
    const est = (p: string) => `toFloat64(sum(${p}_hi)) * 3.402823669209385e38 + toFloat64(sum(${p}_lo))`;
    const order = { gross: `${est('gross')}`, net: `${est('gross')} - ${est('refunds')}`, payments: 'sum(payments)' }[
      q.orderBy
    ];
    const rows = await this.client.query<FigureRow & { k: string; decimals: number | null }>(
      `SELECT ${DIMENSION_SQL[dimension]} AS k, max(decimals) AS decimals, ${figureSql(q.uniquePayers)}
       FROM ${table} WHERE ${where.join(' AND ')}
       GROUP BY k ORDER BY ${order} DESC, k LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((r) => ({
      key: displayKey(dimension, r.k),
      decimals: r.decimals === null ? null : Number(r.decimals),
      ...figures(r),
    }));
  }

  private async uniquePayersByKey(
    groupBy: RevenueDimension,
    table: string,
    where: string[],
    params: Record<string, unknown>,
  ): Promise<Map<string, number>> {
    const rows = await this.client.query<{ k: string; u: string | number }>(
      `SELECT ${DIMENSION_SQL[groupBy]} AS k, uniqMerge(payers) AS u FROM ${table} WHERE ${where.join(' AND ')} GROUP BY k`,
      params,
    );
    return new Map(rows.map((r) => [r.k, Number(r.u)]));
  }
}

/** The daily table when the range is whole days (smaller), else the hourly one. */
function pickTable(from: Date, to: Date): { table: string; type: string; from: string; to: string } {
  const dayAligned = from.getTime() % 86_400_000 === 0 && to.getTime() % 86_400_000 === 0;
  if (dayAligned) return { table: 'revenue_daily', type: 'Date', from: isoDate(from), to: isoDate(to) };
  const start = floorBucket(from, 'hour');
  return {
    table: 'revenue_hourly',
    type: "DateTime('UTC')",
    from: bucketParam(start, 'hour'),
    to: bucketParam(to, 'hour'),
  };
}

/** A day-table bound: `to` mid-day still includes that day (its bucket starts before `to`). */
function nextDayIfPartial(to: Date): Date {
  const floor = floorBucket(to, 'day');
  return floor.getTime() === to.getTime() ? to : nextBucket(floor, 'day');
}

function displayKey(dimension: RevenueDimension, key: string): string {
  return dimension === 'payTo' || dimension === 'asset' ? displayAddress(key) : key;
}

function compareBig(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}
