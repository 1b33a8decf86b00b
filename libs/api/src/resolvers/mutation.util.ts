import { LedgerErrorCode, LedgerException } from '@x402-ledger/ledger';
import { ApiErrorCode, ApiException } from '../api.exception';
import { MutationErrorCode } from '../models/enums';
import { formatAmount } from '../models/presenters';
import type { UserError } from '../models/mutation-payload.model';
import type { WorkflowDispute, WorkflowPayment, WorkflowRefund } from '../workflows/workflow.types';
import type { DisputeReason, DisputeStatus, RefundStatus } from '../models/enums';
import type { Dispute } from '../models/dispute.model';
import type { Refund } from '../models/refund.model';
import { checksum } from '../models/presenters';

const LEDGER_TO_USER: Partial<Record<LedgerErrorCode, MutationErrorCode>> = {
  [LedgerErrorCode.NOT_FOUND]: MutationErrorCode.NOT_FOUND,
  [LedgerErrorCode.INVALID_COMMAND]: MutationErrorCode.INVALID_INPUT,
  [LedgerErrorCode.INVALID_ID_INPUT]: MutationErrorCode.INVALID_INPUT,
  [LedgerErrorCode.PAYMENT_MISMATCH]: MutationErrorCode.INVALID_INPUT,
  [LedgerErrorCode.INVALID_TRANSITION]: MutationErrorCode.INVALID_TRANSITION,
  [LedgerErrorCode.ALREADY_SETTLED]: MutationErrorCode.INVALID_TRANSITION,
  [LedgerErrorCode.TERMINAL_STATE]: MutationErrorCode.TERMINAL_STATE,
  [LedgerErrorCode.NOT_SETTLED]: MutationErrorCode.NOT_SETTLED,
  [LedgerErrorCode.REFUND_EXCEEDS_SETTLED]: MutationErrorCode.REFUND_EXCEEDS_SETTLED,
  [LedgerErrorCode.REFUND_IN_FLIGHT]: MutationErrorCode.REFUND_IN_FLIGHT,
  [LedgerErrorCode.REFUND_AMOUNT_MISMATCH]: MutationErrorCode.EXECUTION_FAILED,
  [LedgerErrorCode.ALREADY_REFUNDED]: MutationErrorCode.ALREADY_REFUNDED,
  [LedgerErrorCode.DISPUTE_OPEN]: MutationErrorCode.DISPUTE_OPEN,
  [LedgerErrorCode.ALREADY_DISPUTED]: MutationErrorCode.ALREADY_DISPUTED,
  [LedgerErrorCode.DISPUTE_PAYOUT_PENDING]: MutationErrorCode.DISPUTE_PAYOUT_PENDING,
  [LedgerErrorCode.IDEMPOTENCY_CONFLICT]: MutationErrorCode.IDEMPOTENCY_CONFLICT,
};

const API_TO_USER: Partial<Record<ApiErrorCode, MutationErrorCode>> = {
  [ApiErrorCode.BAD_USER_INPUT]: MutationErrorCode.INVALID_INPUT,
  [ApiErrorCode.NOT_FOUND]: MutationErrorCode.NOT_FOUND,
  [ApiErrorCode.FORBIDDEN]: MutationErrorCode.FORBIDDEN,
  [ApiErrorCode.IDEMPOTENCY_CONFLICT]: MutationErrorCode.IDEMPOTENCY_CONFLICT,
  [ApiErrorCode.NOT_AVAILABLE]: MutationErrorCode.NOT_AVAILABLE,
};

/** The command was refused by the domain: a typed userError. Anything else (auth, infrastructure) is rethrown. */
export function userErrorOf(error: unknown): UserError | null {
  if (error instanceof LedgerException) {
    const code = LEDGER_TO_USER[error.code];
    return code ? { code, message: error.message, field: null } : null;
  }
  if (error instanceof ApiException) {
    const code = API_TO_USER[error.code];
    return code ? { code, message: error.message, field: null } : null;
  }
  if (error instanceof RefundExecutionError)
    return { code: MutationErrorCode.EXECUTION_FAILED, message: error.message, field: null };
  return null;
}

/** A chain transfer failed before anything was recorded (the refund stays approved; retry executeRefund). */
export class RefundExecutionError extends Error {}

export function notFound(what: string): ApiException {
  return new ApiException(ApiErrorCode.NOT_FOUND, `${what} not found`);
}

export function refundView(refund: WorkflowRefund, payment: WorkflowPayment, decimals: number | null = null): Refund {
  return {
    id: refund.refundId,
    paymentId: refund.paymentId,
    status: refund.status as RefundStatus,
    amount: refund.amount,
    formattedAmount: formatAmount(refund.amount, decimals),
    refundedAmount: refund.status === 'succeeded' ? refund.amount : '0',
    reason: refund.reason,
    requestedBy: refund.requestedBy,
    approvedBy: refund.approvedBy,
    disputeId: refund.disputeId,
    failureReason: refund.failureReason,
    transaction: refund.txHash,
    method: refund.method,
    network: payment.network,
    asset: checksum(payment.asset),
    decimals,
    payer: checksum(payment.payer),
    payTo: checksum(payment.payTo),
    requestedAt: null,
    approvedAt: null,
    submittedAt: null,
    succeededAt: null,
    failedAt: null,
    canceledAt: null,
  };
}

export function disputeView(dispute: WorkflowDispute, payment: WorkflowPayment): Dispute {
  return {
    id: dispute.disputeId,
    paymentId: dispute.paymentId,
    status: dispute.status as DisputeStatus,
    reason: dispute.reason as DisputeReason,
    openedBy: dispute.openedBy,
    openedAt: null,
    respondBy: dispute.respondBy,
    underReviewAt: null,
    decidedAt: null,
    decidedBy: dispute.decidedBy,
    note: dispute.note,
    evidenceCount: dispute.evidenceCount,
    amount: dispute.amount,
    network: payment.network,
    asset: checksum(payment.asset),
    payer: checksum(payment.payer),
    payTo: checksum(payment.payTo),
    payoutRefundId: dispute.payoutRefundId,
  };
}
