import type { PaymentState, RefundEntity } from '@x402-ledger/ledger';

/** A refund as the API shows it: the ledger's RefundEntity plus the payment facts a client needs to act on it. */
export interface RefundView {
  refundId: string;
  paymentId: string;
  tenant: string;
  network: string;
  asset: string;
  payer: string;
  payTo: string;
  amount: string;
  reason: string;
  requestedBy: RefundEntity['requestedBy'];
  idempotencyKey: string;
  disputeId: string | null;
  status: RefundEntity['status'];
  approvedBy: string | null;
  method: RefundEntity['method'];
  /** Every transaction submitted for it, in order; the last one is the current one. */
  txHashes: string[];
  /** The confirmed transaction. */
  txHash: string | null;
  blockNumber: string | null;
  failureReason: string | null;
}

export function refundView(state: PaymentState, refund: RefundEntity): RefundView {
  const p = state.payment!;
  return {
    refundId: refund.refundId,
    paymentId: p.paymentId!,
    tenant: state.tenant!,
    network: p.network,
    asset: p.asset,
    payer: p.payer!,
    payTo: p.payTo,
    amount: refund.amount,
    reason: refund.reason,
    requestedBy: refund.requestedBy,
    idempotencyKey: refund.idempotencyKey,
    disputeId: refund.disputeId,
    status: refund.status,
    approvedBy: refund.approvedBy,
    method: refund.method,
    txHashes: [...refund.submittedTxHashes],
    txHash: refund.txHash,
    blockNumber: refund.blockNumber,
    failureReason: refund.failureReason,
  };
}
