import type { DisputeOpenedData } from '../../events/dispute.events';
import type { PaymentVerifiedData } from '../../events/payment.events';
import type { RefundRequestedData, RefundSubmittedData } from '../../events/refund.events';
import type { StreamCursor } from '../stream-cursor.util';

/**
 * Lifecycle of a payment. Pre-settlement: none → verification_failed ⇄ verified → settlement_submitted, and any of
 * these → settled | settlement_failed (settle may be called without a prior verify). After settlement the status is
 * derived: disputed (a dispute open, or lost and not yet paid out), refunded (Σ refunds = settled), partially_refunded,
 * else settled. Terminal: settlement_failed, refunded.
 */
export type PaymentStatus =
  | 'none'
  | 'verification_failed'
  | 'verified'
  | 'settlement_submitted'
  | 'settled'
  | 'settlement_failed'
  | 'partially_refunded'
  | 'refunded'
  | 'disputed';

export const TERMINAL_PAYMENT_STATUSES: readonly PaymentStatus[] = ['settlement_failed', 'refunded'];
export const PRE_SETTLEMENT_STATUSES: readonly PaymentStatus[] = [
  'none',
  'verification_failed',
  'verified',
  'settlement_submitted',
];
export const SETTLED_STATUSES: readonly PaymentStatus[] = ['settled', 'partially_refunded', 'refunded', 'disputed'];

/** requested → approved → submitted → succeeded | failed; requested|approved → canceled; requested|approved → failed. */
export type RefundStatus = 'requested' | 'approved' | 'submitted' | 'succeeded' | 'failed' | 'canceled';

/** Allowed next statuses of a refund (`submitted → submitted` is a replacement transaction). */
export const REFUND_TRANSITIONS: Readonly<Record<RefundStatus, readonly RefundStatus[]>> = {
  requested: ['approved', 'failed', 'canceled'],
  approved: ['submitted', 'failed', 'canceled'],
  submitted: ['submitted', 'succeeded', 'failed'],
  succeeded: [],
  failed: [],
  canceled: [],
};
export const REFUND_IN_FLIGHT_STATUSES: readonly RefundStatus[] = ['requested', 'approved', 'submitted'];

/** opened (needs_response) → under_review → won | lost; needs_response → lost (accepted); either open state → withdrawn. */
export type DisputeStatus = 'needs_response' | 'under_review' | 'won' | 'lost' | 'withdrawn';

export const DISPUTE_TRANSITIONS: Readonly<Record<DisputeStatus, readonly DisputeStatus[]>> = {
  needs_response: ['under_review', 'lost', 'withdrawn'],
  under_review: ['won', 'lost', 'withdrawn'],
  won: [],
  lost: [],
  withdrawn: [],
};
export const OPEN_DISPUTE_STATUSES: readonly DisputeStatus[] = ['needs_response', 'under_review'];

export interface RefundEntity {
  refundId: string;
  amount: string;
  reason: string;
  requestedBy: RefundRequestedData['requestedBy'];
  idempotencyKey: string;
  /** The lost dispute this refund pays out, or null for an ordinary refund. */
  disputeId: string | null;
  status: RefundStatus;
  approvedBy: string | null;
  method: RefundSubmittedData['method'] | null;
  /** Every transaction submitted for this refund, in order (a replacement appends). */
  submittedTxHashes: string[];
  /** The confirmed transaction. */
  txHash: string | null;
  blockNumber: string | null;
  failureReason: string | null;
  /** Sequence of the refund.requested event. */
  requestedAtSequence: number;
}

export interface DisputeEntity {
  disputeId: string;
  reason: DisputeOpenedData['reason'];
  openedBy: string;
  respondBy: string;
  /** Amount held while the dispute is open: settled − refunded when it opened. */
  amount: string;
  status: DisputeStatus;
  /** Evidence given when the dispute opened, then evidence each party added. */
  evidence: { opening: string[]; payer: string[]; provider: string[] };
  decidedBy: string | null;
  note: string | null;
  /** The payout refund of a lost dispute, in flight or succeeded; null when none (or the last one failed). */
  payoutRefundId: string | null;
  paidOut: boolean;
  openedAtSequence: number;
}

/** The facts every payment.* event repeats. paymentId/payer stay null on a stream of unparseable payloads. */
export interface PaymentFacts {
  paymentId: string | null;
  scheme: string;
  network: string;
  asset: string;
  amount: string;
  payer: string | null;
  payTo: string;
  resourceUrl: string | null;
}

export interface SettlementFacts {
  txHash: string;
  blockNumber: string;
  blockTimestamp: string;
  logIndex: number;
  gasUsed: string;
  effectiveGasPrice: string;
  signer: string;
}

export interface PaymentState extends StreamCursor {
  status: PaymentStatus;
  payment: PaymentFacts | null;
  authorization: Pick<
    PaymentVerifiedData,
    'nonce' | 'validAfter' | 'validBefore' | 'x402Version' | 'assetTransferMethod' | 'signatureKind'
  > | null;
  verificationFailures: number;
  lastVerificationFailure: { reason: string; message: string | null } | null;
  /** Settlement transactions submitted so far, in order. */
  submittedTxHashes: string[];
  settlement: SettlementFacts | null;
  settlementFailure: { reason: string; message: string | null; txHash: string | null } | null;
  /** Atomic units settled ('0' until settled). */
  settledAmount: string;
  /** Σ amounts of succeeded refunds. */
  refundedAmount: string;
  refunds: Record<string, RefundEntity>;
  disputes: Record<string, DisputeEntity>;
  /** The refund in requested|approved|submitted, if any (at most one). */
  refundInFlight: string | null;
  /** The dispute in needs_response|under_review, if any (at most one). */
  openDispute: string | null;
}

export function initialPaymentState(): PaymentState {
  return {
    streamId: null,
    tenant: null,
    sequence: 0,
    status: 'none',
    payment: null,
    authorization: null,
    verificationFailures: 0,
    lastVerificationFailure: null,
    submittedTxHashes: [],
    settlement: null,
    settlementFailure: null,
    settledAmount: '0',
    refundedAmount: '0',
    refunds: {},
    disputes: {},
    refundInFlight: null,
    openDispute: null,
  };
}

/** A lost dispute whose payout has not succeeded yet (at most one: a payment is decided against at most once). */
export function pendingDisputePayout(state: PaymentState): DisputeEntity | null {
  for (const dispute of Object.values(state.disputes)) {
    if (dispute.status === 'lost' && !dispute.paidOut) return dispute;
  }
  return null;
}

/** Status of a settled payment, derived from its refunds and disputes. */
export function settledStatus(state: PaymentState): PaymentStatus {
  if (state.openDispute !== null || pendingDisputePayout(state) !== null) return 'disputed';
  const settled = BigInt(state.settledAmount);
  const refunded = BigInt(state.refundedAmount);
  if (settled > 0n && refunded === settled) return 'refunded';
  if (refunded > 0n) return 'partially_refunded';
  return 'settled';
}

/** Atomic units that may still be refunded: settled − Σ succeeded refunds. */
export function refundableAmount(state: PaymentState): bigint {
  return BigInt(state.settledAmount) - BigInt(state.refundedAmount);
}
