import type { Eip3009Facts, Permit2Facts } from '@x402-ledger/evm';
import type { PaymentRequest } from './payment-request';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;

/** The common fields of every payment.* event. */
export interface CommonPaymentData {
  paymentId: string;
  scheme: string;
  network: string;
  asset: string;
  amount: string;
  payer: string;
  payTo: string;
  resourceUrl: string | null;
}

/**
 * The common event fields, or null when the request's facts cannot make a valid event (then nothing is recorded;
 * the answer is still given). paymentId is null only for verification failures of undecodable payloads.
 */
export function commonEventData(
  pr: PaymentRequest,
  facts: Pick<Eip3009Facts | Permit2Facts, 'asset' | 'payTo' | 'amount' | 'from'>,
): (Omit<CommonPaymentData, 'paymentId'> & { paymentId: string | null }) | null {
  const scheme = pr.request.paymentRequirements.scheme;
  if (!ADDRESS.test(facts.asset) || !ADDRESS.test(facts.payTo) || !AMOUNT.test(facts.amount)) return null;
  if (scheme.length === 0 || scheme.length > 200) return null;
  return {
    paymentId: pr.paymentId,
    scheme,
    network: pr.network,
    asset: facts.asset,
    amount: facts.amount,
    payer: facts.from,
    payTo: facts.payTo,
    resourceUrl: pr.resourceUrl,
  };
}

export function withPaymentId(data: ReturnType<typeof commonEventData>): CommonPaymentData | null {
  return data && data.paymentId ? (data as CommonPaymentData) : null;
}

/** Free text for `message` fields (1..4000 chars) or null. */
export function eventMessage(text: string | undefined | null): string | null {
  if (!text) return null;
  return text.slice(0, 4000);
}
