import type { Principal } from '@x402-ledger/auth';
import type { DisputeStatus, PaymentStatus, RefundStatus } from '@x402-ledger/ledger';

/** A refund as the workflow (the writer) knows it — fresher than the analytics projection. */
export interface WorkflowRefund {
  refundId: string;
  paymentId: string;
  status: RefundStatus;
  amount: string;
  reason: string;
  requestedBy: 'provider' | 'payer' | 'arbiter';
  disputeId: string | null;
  approvedBy: string | null;
  method: 'authorization' | 'hot_wallet' | null;
  txHash: string | null;
  failureReason: string | null;
}

export interface WorkflowDispute {
  disputeId: string;
  paymentId: string;
  status: DisputeStatus;
  reason: 'not_received' | 'not_as_described' | 'duplicate' | 'fraudulent' | 'unauthorized' | 'other';
  openedBy: string;
  respondBy: string;
  /** Amount at stake: settled − refunded when the dispute opened. */
  amount: string;
  evidenceCount: number;
  decidedBy: string | null;
  note: string | null;
  payoutRefundId: string | null;
}

/** A payment as the workflow knows it: enough to scope a command and to answer it. */
export interface WorkflowPayment {
  paymentId: string;
  tenant: string;
  status: PaymentStatus;
  network: string;
  asset: string;
  amount: string;
  payer: string | null;
  payTo: string;
  settledAmount: string;
  refundedAmount: string;
  refunds: WorkflowRefund[];
  disputes: WorkflowDispute[];
}

/** What every command carries besides its own fields. */
export interface CommandContext {
  /** The payment's tenant (commands are decided in its stream's tenant). */
  tenant: string;
  paymentId: string;
  /** The principal that issued the command (already checked by the API: role and scope). */
  principal: Principal;
  /** Its id, recorded as approvedBy / openedBy / decidedBy … */
  actor: string;
  idempotencyKey: string;
  /** Request id, copied onto the envelopes' correlationId. */
  correlationId: string;
}

export interface CommandResult<T> {
  payment: WorkflowPayment;
  result: T;
  /** True when the command repeated an accepted one: nothing was appended. */
  replayed: boolean;
}

/** A provider-signed EIP-3009 refund authorization (decimal strings, hex nonce and signature), checked by the writer. */
export interface WorkflowRefundAuthorization {
  from: string;
  to: string;
  value: string;
  validAfter: string;
  validBefore: string;
  nonce: string;
  signature: string;
}
