import { ApiErrorCode, ApiException } from '../api.exception';
import type { TimeWindow } from '../queries/payments.reader';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX_ID = /^[0-9a-f]{64}$/;
const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;

export function badInput(message: string): ApiException {
  return new ApiException(ApiErrorCode.BAD_USER_INPUT, message);
}

/** A lowercase address, or BAD_USER_INPUT naming the field. */
export function address(value: string, field: string): string {
  if (!ADDRESS.test(value)) throw badInput(`${field} must be a 0x-prefixed 20-byte hex address`);
  return value.toLowerCase();
}

export function optionalAddress(value: string | undefined | null, field: string): string | undefined {
  return value === undefined || value === null ? undefined : address(value, field);
}

export function hexId(value: string, field: string): string {
  const v = value.toLowerCase();
  if (!HEX_ID.test(v)) throw badInput(`${field} must be a 64-character hex id`);
  return v;
}

export function optionalHexId(value: string | undefined | null, field: string): string | undefined {
  return value === undefined || value === null ? undefined : hexId(value, field);
}

export function txHash(value: string, field: string): string {
  if (!TX_HASH.test(value)) throw badInput(`${field} must be a 0x-prefixed 32-byte hex hash`);
  return value.toLowerCase();
}

export function amount(value: string, field: string): string {
  if (!AMOUNT.test(value) || BigInt(value) >= 1n << 256n)
    throw badInput(`${field} must be an atomic amount (decimal integer string)`);
  return value;
}

export function optionalAmount(value: string | undefined | null, field: string): string | undefined {
  return value === undefined || value === null ? undefined : amount(value, field);
}

export function text(value: string | undefined | null, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value.length < 1 || value.length > max) throw badInput(`${field} must be 1..${max} characters`);
  return value;
}

export function requiredText(value: string, field: string, max: number): string {
  const v = value?.trim() ?? '';
  if (v.length < 1 || v.length > max) throw badInput(`${field} must be 1..${max} characters`);
  return v;
}

/** `first`: 1..max (the page size limit). */
export function pageSize(first: number | undefined | null, max: number, def: number): number {
  const n = first ?? def;
  if (!Number.isInteger(n) || n < 1) throw badInput('first must be a positive integer');
  if (n > max) throw new ApiException(ApiErrorCode.BAD_USER_INPUT, `first must be at most ${max} (page size limit)`);
  return n;
}

export function cursor(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value.length < 1 || value.length > 500) throw badInput('after is not a valid cursor');
  return value;
}

export function window(
  range: { from?: Date | null; to?: Date | null } | undefined | null,
  field: string,
): TimeWindow | undefined {
  if (!range) return undefined;
  const from = range.from ?? undefined;
  const to = range.to ?? undefined;
  if (from && to && from.getTime() >= to.getTime()) throw badInput(`${field}.from must be before ${field}.to`);
  return { from, to };
}

export function idempotencyKey(value: string): string {
  const printable = typeof value === 'string' && [...value].every((ch) => ch.charCodeAt(0) >= 0x20);
  if (!printable || value.length < 1 || value.length > 200) {
    throw badInput('idempotencyKey must be 1..200 printable characters');
  }
  return value;
}
