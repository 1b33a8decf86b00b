/** Conversions between the ledger's wire values and what ClickHouse columns take or return. */

export const UINT256_MAX = (1n << 256n) - 1n;

/**
 * SETTINGS clause for the projector's reads whose parameters grow with the batch (20k event-id keys, thousands of
 * payment ids). On chDB the parameters are inlined into the SQL text as hex literals (inline-params.util), and the
 * default max_query_size (256 KiB) refused a batch of ~7.5k keys: the projector retried the same check forever.
 */
export const LARGE_QUERY_SETTINGS = 'SETTINGS max_query_size = 268435456';
const TWO_128 = 1n << 128n;
const CANONICAL_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** `Date` or ISO-8601 → `YYYY-MM-DD HH:MM:SS.mmm` (UTC), the DateTime64(3) text form. Throws on an invalid time. */
export function toClickHouseTime(value: Date | string): string {
  // Fast path for the ledger's canonical form `YYYY-MM-DDTHH:MM:SS.mmmZ` (every envelope timestamp).
  if (typeof value === 'string' && value.length === 24 && CANONICAL_ISO.test(value)) {
    return `${value.slice(0, 10)} ${value.slice(11, 23)}`;
  }
  const date = typeof value === 'string' ? new Date(value) : value;
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`invalid time ${String(value)}`);
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

/** The ISO-8601 form of a DateTime64(3) value read back from ClickHouse (`YYYY-MM-DD HH:MM:SS.mmm`, UTC). */
export function fromClickHouseTime(value: string): string {
  const iso = value.includes('T') ? value : `${value.replace(' ', 'T')}`;
  const withMs = /\.\d+$/.test(iso) ? iso : `${iso}.000`;
  return new Date(`${withMs}Z`).toISOString();
}

/** True when `value` is a decimal string of an integer in [0, 2^256). */
export function isUint256(value: unknown): value is string {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(value)) return false;
  return BigInt(value) <= UINT256_MAX;
}

/** Combines the low/high 128-bit half sums a rollup stores into the exact total (arbitrary precision). */
export function combineHalves(lo: string | number | bigint, hi: string | number | bigint): bigint {
  return BigInt(hi) * TWO_128 + BigInt(lo);
}
