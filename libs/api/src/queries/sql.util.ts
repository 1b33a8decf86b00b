import { fromClickHouseTime, toClickHouseTime } from '@x402-ledger/analytics';
import { ApiErrorCode, ApiException } from '../api.exception';

/** DateTime64(3) text for a `{x:DateTime64(3, 'UTC')}` parameter. */
export const chTime = (date: Date): string => toClickHouseTime(date);

/** ISO-8601 of a DateTime64 value read back, or null. */
export const isoOrNull = (value: string | null | undefined): string | null =>
  value === null || value === undefined || value === '' ? null : fromClickHouseTime(value);

export const blankToNull = (value: string | null | undefined): string | null =>
  value === null || value === undefined || value === '' ? null : value;

export const numOrNull = (value: number | string | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);

/** Opaque cursor: base64url(JSON([kind, ...values])). */
export function encodeCursor(kind: string, values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...values])).toString('base64url');
}

/** Decodes a cursor made by encodeCursor for `kind` with string values; anything else is BAD_USER_INPUT. */
export function decodeCursor(cursor: string, kind: string, size: number): string[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = null;
  }
  if (
    !Array.isArray(values) ||
    values.length !== size + 1 ||
    values[0] !== kind ||
    values.some((v) => typeof v !== 'string' || v.length > 200)
  ) {
    throw new ApiException(ApiErrorCode.BAD_USER_INPUT, 'invalid cursor (made by another query or ordering?)');
  }
  return (values as string[]).slice(1);
}

/** A page read with one extra row: the rows to return and whether more exist. */
export interface Page<T> {
  items: T[];
  /** One cursor per item (pass one as `after` to continue after that item). */
  cursors: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export function pageOf<T>(rows: T[], first: number, cursorOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, first);
  const cursors = items.map(cursorOf);
  return { items, cursors, hasNextPage: rows.length > first, endCursor: cursors[cursors.length - 1] ?? null };
}
