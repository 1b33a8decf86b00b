import { decodePaymentRequiredHeader } from '@x402/core/http';
import type { FetchResult } from './http-fetcher.port';

/** The parts of a V2 PaymentRequired answer the refresher uses. */
export interface ParsedPaymentRequired {
  x402Version: number;
  resource: unknown;
  accepts: unknown[];
  extensions: unknown;
}

export type ParseOutcome = { ok: true; value: ParsedPaymentRequired } | { ok: false; reason: string };

/** Decodes the `PAYMENT-REQUIRED` header of a 402 with @x402/core's helper and checks its outline. */
export function parsePaymentRequired(result: FetchResult): ParseOutcome {
  const header = result.headers['payment-required'];
  if (!header) return { ok: false, reason: '402 without a PAYMENT-REQUIRED header' };
  let decoded: unknown;
  try {
    decoded = decodePaymentRequiredHeader(header);
  } catch (error) {
    return { ok: false, reason: `PAYMENT-REQUIRED does not decode: ${(error as Error).message}` };
  }
  if (typeof decoded !== 'object' || decoded === null)
    return { ok: false, reason: 'PAYMENT-REQUIRED is not an object' };
  const value = decoded as Record<string, unknown>;
  if (value['x402Version'] !== 2) return { ok: false, reason: 'PAYMENT-REQUIRED is not x402Version 2' };
  if (!Array.isArray(value['accepts']) || value['accepts'].length === 0)
    return { ok: false, reason: 'PAYMENT-REQUIRED has no accepts' };
  return {
    ok: true,
    value: { x402Version: 2, resource: value['resource'], accepts: value['accepts'], extensions: value['extensions'] },
  };
}
