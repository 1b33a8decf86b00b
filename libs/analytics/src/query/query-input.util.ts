import { z } from 'zod';

import { AnalyticsErrorCode, AnalyticsException } from '../analytics.exception';
import { fromClickHouseTime, toClickHouseTime } from '../projection/clickhouse-values.util';

/** Validates a query's input against its zod schema; a mismatch is INVALID_QUERY with the reasons. */
export function parseInput<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const why = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`)
      .join('; ');
    throw new AnalyticsException(AnalyticsErrorCode.INVALID_QUERY, `Invalid query: ${why}`);
  }
  return result.data;
}

export const tenantSchema = z.string().min(1).max(100);
const timeSchema = z.union([z.date(), z.string().datetime({ offset: true })]).transform((v) => new Date(v));
export const addressFilter = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .transform((v) => v.toLowerCase());

/** [from, to), at most 400 days wide. */
export const rangeSchema = z
  .object({ from: timeSchema, to: timeSchema })
  .refine((r) => r.from.getTime() < r.to.getTime(), { message: 'from must be before to' })
  .refine((r) => r.to.getTime() - r.from.getTime() <= 400 * 86_400_000, { message: 'range wider than 400 days' });

export const limitSchema = (max: number, def: number) => z.number().int().min(1).max(max).default(def);

/** Dimension filters shared by revenue queries. */
export const dimensionFilters = z
  .object({
    payTo: addressFilter.optional(),
    resource: z.string().min(1).max(4096).optional(),
    network: z.string().min(1).max(64).optional(),
    asset: addressFilter.optional(),
  })
  .default({});

export type DimensionFilters = z.infer<typeof dimensionFilters>;

/** SQL conditions (fixed text, values as parameters) for the filters that are set. */
export function filterConditions(filters: DimensionFilters, params: Record<string, unknown>): string[] {
  const conditions: string[] = [];
  const columns: Record<keyof DimensionFilters, string> = {
    payTo: 'pay_to',
    resource: 'resource',
    network: 'network',
    asset: 'asset',
  };
  for (const key of Object.keys(columns) as (keyof DimensionFilters)[]) {
    const value = filters[key];
    if (value === undefined) continue;
    params[`f_${key}`] = value;
    conditions.push(`${columns[key]} = {f_${key}:String}`);
  }
  return conditions;
}

/** ClickHouse DateTime64(3) text for a Date, for `{x:DateTime64(3, 'UTC')}` parameters. */
export const chTime = (date: Date): string => toClickHouseTime(date);

/** ISO-8601 of a DateTime/DateTime64 value read back, or null. */
export const isoOrNull = (value: string | null | undefined): string | null =>
  value === null || value === undefined ? null : fromClickHouseTime(value);

/**
 * Addresses are stored and returned lowercase (compare case-insensitively); the transports checksum them at the edge
 * (viem getAddress). This is the one place to change if the query layer should checksum itself.
 */
export function displayAddress(value: string): string {
  return value;
}

/** Opaque pagination cursor: base64url(JSON). */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AnalyticsException(AnalyticsErrorCode.INVALID_QUERY, 'Invalid cursor');
  }
  if (!Array.isArray(values) || values.length !== shape.length || values.some((v, i) => typeof v !== shape[i])) {
    throw new AnalyticsException(AnalyticsErrorCode.INVALID_QUERY, 'Invalid cursor');
  }
  return values as (string | number)[];
}

/** SQL for the exact sum of a UInt256 expression as low/high 128-bit halves (`<alias>_lo`, `<alias>_hi`). */
export function sumHalvesSql(expr: string, alias: string, condition?: string): string {
  const lo = `bitAnd(${expr}, toUInt256('340282366920938463463374607431768211455'))`;
  const hi = `bitShiftRight(${expr}, 128)`;
  return condition
    ? `toString(sumIf(${lo}, ${condition})) AS ${alias}_lo, toString(sumIf(${hi}, ${condition})) AS ${alias}_hi`
    : `toString(sum(${lo})) AS ${alias}_lo, toString(sum(${hi})) AS ${alias}_hi`;
}

/** Integer division rounded half up, for averages of atomic amounts (exact inputs, one rounding). */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) return 0n;
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (2n * d);
  return negative ? -q : q;
}
