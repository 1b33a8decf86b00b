import type {
  DisputeDecidedData,
  DisputeEvidenceSubmittedData,
  DisputeOpenedData,
  DisputeUnderReviewData,
  DisputeWithdrawnData,
} from '../../events/dispute.events';
import type {
  PaymentSettledData,
  PaymentSettlementFailedData,
  PaymentSettlementSubmittedData,
  PaymentVerificationFailedData,
  PaymentVerifiedData,
} from '../../events/payment.events';
import type {
  RefundApprovedData,
  RefundCanceledData,
  RefundFailedData,
  RefundRequestedData,
  RefundSubmittedData,
  RefundSucceededData,
} from '../../events/refund.events';

interface Base {
  /** When the fact happened (ISO ms Z); the event factory uses the clock's now when absent. */
  occurredAt?: string;
}

/**
 * Commands on a payment stream. Each carries the data of the event it would record (validated against that event's
 * contract), so a command that is accepted produces exactly that event, and a command repeated after it was accepted
 * produces nothing (idempotent).
 */
export type PaymentCommand =
  | (Base & { type: 'RecordVerified'; data: PaymentVerifiedData })
  | (Base & { type: 'RecordVerificationFailed'; data: PaymentVerificationFailedData })
  | (Base & { type: 'RecordSettlementSubmitted'; data: PaymentSettlementSubmittedData })
  | (Base & { type: 'RecordSettled'; data: PaymentSettledData })
  | (Base & { type: 'RecordSettlementFailed'; data: PaymentSettlementFailedData })
  | (Base & { type: 'RequestRefund'; data: RefundRequestedData })
  | (Base & { type: 'ApproveRefund'; data: RefundApprovedData })
  | (Base & { type: 'SubmitRefund'; data: RefundSubmittedData })
  | (Base & { type: 'RecordRefundSucceeded'; data: RefundSucceededData })
  | (Base & { type: 'RecordRefundFailed'; data: RefundFailedData })
  | (Base & { type: 'CancelRefund'; data: RefundCanceledData })
  | (Base & { type: 'OpenDispute'; data: DisputeOpenedData })
  | (Base & { type: 'SubmitDisputeEvidence'; data: DisputeEvidenceSubmittedData })
  | (Base & { type: 'StartDisputeReview'; data: DisputeUnderReviewData })
  | (Base & { type: 'DecideDispute'; outcome: 'won' | 'lost'; data: DisputeDecidedData })
  | (Base & { type: 'WithdrawDispute'; data: DisputeWithdrawnData });

export type PaymentCommandType = PaymentCommand['type'];
