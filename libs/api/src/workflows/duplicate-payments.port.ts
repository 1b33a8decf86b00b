import type { Principal } from '@x402-ledger/auth';

/** A likely duplicate of an earlier payment (same payer, resource and amount within the detection window). */
export interface WorkflowDuplicatePayment {
  paymentId: string;
  settledAt: string;
  amount: string;
  /** What may still be refunded (settled − refunded). */
  refundable: string;
  /** The id its one-action refund has (or will have): refundId(paymentId, `duplicate:<paymentId>`). */
  refundId: string;
  refundStatus: string | null;
}

export interface WorkflowDuplicateGroup {
  tenant: string;
  network: string;
  asset: string;
  payer: string;
  payTo: string;
  resourceUrl: string;
  amount: string;
  original: { paymentId: string; settledAt: string };
  duplicates: WorkflowDuplicatePayment[];
}

/**
 * Duplicate-payment detection as the API lists it (the refunds lib's DuplicatePaymentsService has this shape; the
 * composition root binds it). Groups visible to the actor only.
 */
export abstract class DuplicatePayments {
  abstract list(actor: Principal): WorkflowDuplicateGroup[];
}

/** The idempotency key of a duplicate's one-action refund: the same payment is never refunded twice that way. */
export function duplicateRefundKey(paymentId: string): string {
  return `duplicate:${paymentId}`;
}
