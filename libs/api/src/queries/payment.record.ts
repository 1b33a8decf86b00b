/** Payment statuses as the API reports them (the ledger's PaymentStatus without `none`). */
export const PAYMENT_STATUSES = [
  'verified',
  'verification_failed',
  'settlement_submitted',
  'settled',
  'settlement_failed',
  'partially_refunded',
  'refunded',
  'disputed',
] as const;
export type PaymentStatusValue = (typeof PAYMENT_STATUSES)[number];

/** Statuses of a payment that was settled (derived from its refunds and disputes). */
export const SETTLED_FAMILY: readonly PaymentStatusValue[] = ['settled', 'partially_refunded', 'refunded', 'disputed'];

/** One payment's current state as read from the analytics tables. Addresses lowercase. */
export interface PaymentRecord {
  id: string;
  tenant: string;
  status: PaymentStatusValue;
  scheme: string;
  network: string;
  asset: string;
  decimals: number | null;
  amount: string;
  payer: string | null;
  payTo: string;
  resource: string | null;
  transaction: string | null;
  blockNumber: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  verifiedAt: string | null;
  submittedAt: string | null;
  settledAt: string | null;
  failureReason: string | null;
  refundedAmount: string;
  refundCount: number;
  disputeStatus: string | null;
  gasUsed: string;
  gasCostWei: string;
  /**
   * True when read from the settlement index only: createdAt, verifiedAt, updatedAt, scheme and failureReason are not
   * filled in (the API resolves them through the payment loader when a client selects them).
   */
  partial?: boolean;
}
