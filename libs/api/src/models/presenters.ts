import { getAddress } from 'viem';
import type { DisputeRecord } from '../queries/disputes.reader';
import type { PaymentRecord } from '../queries/payment.record';
import type { RefundRecord } from '../queries/refunds.reader';
import type { SessionRecord } from '../queries/sessions.reader';
import type { DisputeStatus, PaymentStatus, RefundStatus, SessionStatus, DisputeReason } from './enums';

/** Checksummed address at the edge (null/blank pass through). */
export function checksum(value: string | null): string | null {
  if (value === null || value === '') return null;
  try {
    return getAddress(value.toLowerCase());
  } catch {
    return value;
  }
}

/** amount / 10^decimals as an exact decimal string, trailing zeros trimmed; null when decimals are unknown. */
export function formatAmount(atomic: string, decimals: number | null): string | null {
  if (decimals === null || !/^-?[0-9]+$/.test(atomic)) return null;
  const negative = atomic.startsWith('-');
  const digits = (negative ? atomic.slice(1) : atomic).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals).replace(/^0+(?=\d)/, '');
  const fraction = decimals === 0 ? '' : digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A Payment as the schema shows it. Object fields (links, refunds, timeline …) are resolved by PaymentFieldsResolver. */
export interface PaymentView extends Omit<PaymentRecord, 'status' | 'disputeStatus'> {
  status: PaymentStatus;
  disputeStatus: DisputeStatus | null;
  formattedAmount: string | null;
  formattedRefundedAmount: string | null;
  /** Raw lowercase addresses, for scope checks and loaders. */
  record: PaymentRecord;
}

export function presentPayment(r: PaymentRecord): PaymentView {
  return {
    ...r,
    record: r,
    status: r.status as PaymentStatus,
    disputeStatus: (r.disputeStatus === 'open' ? 'needs_response' : r.disputeStatus) as DisputeStatus | null,
    asset: checksum(r.asset) ?? r.asset,
    payer: checksum(r.payer),
    payTo: checksum(r.payTo) ?? r.payTo,
    formattedAmount: formatAmount(r.amount, r.decimals),
    formattedRefundedAmount: formatAmount(r.refundedAmount, r.decimals),
  };
}

export interface RefundView extends Omit<RefundRecord, 'status' | 'tenant'> {
  status: RefundStatus;
  approvedBy: string | null;
  formattedAmount: string | null;
  tenant: string | null;
}

export function presentRefund(r: RefundRecord & { approvedBy?: string | null }): RefundView {
  return {
    ...r,
    status: r.status as RefundStatus,
    approvedBy: r.approvedBy ?? null,
    asset: checksum(r.asset),
    payer: checksum(r.payer),
    payTo: checksum(r.payTo),
    formattedAmount: formatAmount(r.amount, r.decimals),
  };
}

export interface DisputeView extends Omit<
  DisputeRecord,
  'status' | 'reason' | 'tenant' | 'paymentAmount' | 'decimals'
> {
  status: DisputeStatus;
  reason: DisputeReason | null;
  amount: string;
  note: string | null;
  payoutRefundId: string | null;
  tenant: string | null;
}

export function presentDispute(
  r: DisputeRecord & { note?: string | null; payoutRefundId?: string | null; amount?: string },
): DisputeView {
  return {
    ...r,
    status: r.status as DisputeStatus,
    reason: r.reason as DisputeReason | null,
    amount: r.amount ?? r.paymentAmount,
    note: r.note ?? null,
    payoutRefundId: r.payoutRefundId ?? null,
    asset: checksum(r.asset),
    payer: checksum(r.payer),
    payTo: checksum(r.payTo),
  };
}

export function presentSession(r: SessionRecord): Omit<SessionRecord, 'status'> & { status: SessionStatus } {
  return { ...r, status: r.status as SessionStatus, wallet: checksum(r.wallet), asset: checksum(r.asset) };
}

/** Built-in block explorers by CAIP-2 network (overridable through ApiModuleOptions.explorers). */
export const DEFAULT_EXPLORERS: Readonly<Record<string, string>> = {
  'eip155:1': 'https://etherscan.io',
  'eip155:11155111': 'https://sepolia.etherscan.io',
  'eip155:8453': 'https://basescan.org',
  'eip155:84532': 'https://sepolia.basescan.org',
  'eip155:10': 'https://optimistic.etherscan.io',
  'eip155:42161': 'https://arbiscan.io',
  'eip155:137': 'https://polygonscan.com',
  'eip155:43114': 'https://snowtrace.io',
};
