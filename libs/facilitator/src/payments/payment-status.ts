import type { PaymentState, PaymentStatus } from '@x402-ledger/ledger';

export type PaymentLike = Pick<
  PaymentState,
  'status' | 'authorization' | 'settlement' | 'submittedTxHashes' | 'settlementFailure'
>;

/** Statuses in which the payment's transfer happened (refunds and disputes come after settlement). */
export const SETTLED_LIKE: readonly PaymentStatus[] = ['settled', 'partially_refunded', 'refunded', 'disputed'];
