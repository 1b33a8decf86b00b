import type { DisputeEntity, PaymentState } from '@x402-ledger/ledger';

/** A dispute as the API shows it. */
export interface DisputeView {
  disputeId: string;
  paymentId: string;
  tenant: string;
  network: string;
  asset: string;
  payer: string;
  payTo: string;
  status: DisputeEntity['status'];
  reason: DisputeEntity['reason'];
  openedBy: string;
  /** The provider must respond before this (ISO); past it without a response the payer wins. */
  respondBy: string;
  /** The amount held while the dispute is open (what was still refundable when it opened). */
  amount: string;
  evidence: { opening: string[]; payer: string[]; provider: string[] };
  decidedBy: string | null;
  note: string | null;
  /** The refund paying out a lost dispute. */
  payoutRefundId: string | null;
  paidOut: boolean;
}

export function disputeView(state: PaymentState, dispute: DisputeEntity): DisputeView {
  const p = state.payment!;
  return {
    disputeId: dispute.disputeId,
    paymentId: p.paymentId!,
    tenant: state.tenant!,
    network: p.network,
    asset: p.asset,
    payer: p.payer!,
    payTo: p.payTo,
    status: dispute.status,
    reason: dispute.reason,
    openedBy: dispute.openedBy,
    respondBy: dispute.respondBy,
    amount: dispute.amount,
    evidence: {
      opening: [...dispute.evidence.opening],
      payer: [...dispute.evidence.payer],
      provider: [...dispute.evidence.provider],
    },
    decidedBy: dispute.decidedBy,
    note: dispute.note,
    payoutRefundId: dispute.payoutRefundId,
    paidOut: dispute.paidOut,
  };
}
