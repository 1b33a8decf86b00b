import type { EventEnvelope } from '../../envelope/event-envelope';
import type { EventDataMap, EventType } from '../../events/ledger-events';
import { disputePayoutKey, paymentId as derivePaymentId, refundId as deriveRefundId } from '../../ids/ledger-ids.util';
import { LedgerErrorCode, LedgerException } from '../../ledger.exception';
import type { EventDraft } from '../../stream/event-factory';
import type { Aggregate } from '../aggregate';
import { checkOccurredAt, commandData, draftOf, invalidTransition } from '../command-data.util';
import type { DecisionContext } from '../decision-context';
import { assertTenant, nextCursor } from '../stream-cursor.util';
import type { PaymentCommand } from './payment.commands';
import {
  DISPUTE_TRANSITIONS,
  initialPaymentState,
  OPEN_DISPUTE_STATUSES,
  pendingDisputePayout,
  PRE_SETTLEMENT_STATUSES,
  REFUND_TRANSITIONS,
  refundableAmount,
  SETTLED_STATUSES,
  settledStatus,
  TERMINAL_PAYMENT_STATUSES,
  type DisputeEntity,
  type DisputeStatus,
  type PaymentFacts,
  type PaymentState,
  type PaymentStatus,
  type RefundEntity,
  type RefundStatus,
} from './payment.state';

type PaymentFactEvent =
  | 'payment.verified'
  | 'payment.verification_failed'
  | 'payment.settlement_submitted'
  | 'payment.settled'
  | 'payment.settlement_failed';

/** From which statuses each payment.* fact may be recorded. */
const PAYMENT_EVENT_SOURCES: Readonly<Record<PaymentFactEvent, readonly PaymentStatus[]>> = {
  'payment.verified': ['none', 'verification_failed', 'verified'],
  'payment.verification_failed': [...PRE_SETTLEMENT_STATUSES, 'settled', 'partially_refunded', 'disputed'],
  'payment.settlement_submitted': PRE_SETTLEMENT_STATUSES,
  'payment.settled': PRE_SETTLEMENT_STATUSES,
  'payment.settlement_failed': PRE_SETTLEMENT_STATUSES,
};

// ---------------------------------------------------------------------------------------------------------------
// decide
// ---------------------------------------------------------------------------------------------------------------

/**
 * Decides a payment command against the current state. Returns the drafts to append ([] when the command repeats a
 * fact already recorded: idempotent) or throws LedgerException with a code. Never mutates `state`.
 */
export function decidePayment(state: PaymentState, command: PaymentCommand, context: DecisionContext): EventDraft[] {
  assertTenant(state, context, 'payment');
  const at = checkOccurredAt(command.occurredAt);
  switch (command.type) {
    case 'RecordVerified':
      return recordVerified(state, commandData('payment.verified', command.data), at);
    case 'RecordVerificationFailed':
      return recordVerificationFailed(state, commandData('payment.verification_failed', command.data), at);
    case 'RecordSettlementSubmitted':
      return recordSettlementSubmitted(state, commandData('payment.settlement_submitted', command.data), at);
    case 'RecordSettled':
      return recordSettled(state, commandData('payment.settled', command.data), at);
    case 'RecordSettlementFailed':
      return recordSettlementFailed(state, commandData('payment.settlement_failed', command.data), at);
    case 'RequestRefund':
      return requestRefund(state, commandData('refund.requested', command.data), at);
    case 'ApproveRefund':
      return approveRefund(state, commandData('refund.approved', command.data), at);
    case 'SubmitRefund':
      return submitRefund(state, commandData('refund.submitted', command.data), at);
    case 'RecordRefundSucceeded':
      return recordRefundSucceeded(state, commandData('refund.succeeded', command.data), at);
    case 'RecordRefundFailed':
      return recordRefundFailed(state, commandData('refund.failed', command.data), at);
    case 'CancelRefund':
      return cancelRefund(state, commandData('refund.canceled', command.data), at);
    case 'OpenDispute':
      return openDispute(state, commandData('dispute.opened', command.data), at);
    case 'SubmitDisputeEvidence':
      return submitDisputeEvidence(state, commandData('dispute.evidence_submitted', command.data), at);
    case 'StartDisputeReview':
      return startDisputeReview(state, commandData('dispute.under_review', command.data), at);
    case 'DecideDispute': {
      if (command.outcome !== 'won' && command.outcome !== 'lost') {
        throw new LedgerException(LedgerErrorCode.INVALID_COMMAND, `dispute outcome must be won or lost`);
      }
      const type = command.outcome === 'won' ? 'dispute.won' : 'dispute.lost';
      return decideDispute(state, type, commandData(type, command.data), at);
    }
    case 'WithdrawDispute':
      return withdrawDispute(state, commandData('dispute.withdrawn', command.data), at);
    default:
      throw new LedgerException(
        LedgerErrorCode.INVALID_COMMAND,
        `unknown payment command ${(command as { type: unknown }).type}`,
      );
  }
}

function recordVerified(state: PaymentState, data: EventDataMap['payment.verified'], at?: string): EventDraft[] {
  const expected = derivePaymentId({ network: data.network, asset: data.asset, payer: data.payer, nonce: data.nonce });
  if (data.paymentId !== expected) {
    throw new LedgerException(
      LedgerErrorCode.INVALID_COMMAND,
      `paymentId ${data.paymentId} is not paymentId(network, asset, payer, nonce) = ${expected}`,
    );
  }
  checkFacts(state, data, false);
  if (state.status === 'verified') return [];
  assertPaymentTransition(state.status, 'payment.verified');
  return [draftOf('payment.verified', data, at)];
}

function recordVerificationFailed(
  state: PaymentState,
  data: EventDataMap['payment.verification_failed'],
  at?: string,
): EventDraft[] {
  checkFacts(state, data, false);
  assertPaymentTransition(state.status, 'payment.verification_failed');
  return [draftOf('payment.verification_failed', data, at)];
}

function recordSettlementSubmitted(
  state: PaymentState,
  data: EventDataMap['payment.settlement_submitted'],
  at?: string,
): EventDraft[] {
  checkFacts(state, data, false);
  if (state.submittedTxHashes.includes(data.txHash) || state.settlement?.txHash === data.txHash) return [];
  assertPaymentTransition(state.status, 'payment.settlement_submitted');
  return [draftOf('payment.settlement_submitted', data, at)];
}

function recordSettled(state: PaymentState, data: EventDataMap['payment.settled'], at?: string): EventDraft[] {
  checkFacts(state, data, true);
  if (state.settlement !== null) {
    if (state.settlement.txHash === data.txHash) return [];
    if (!TERMINAL_PAYMENT_STATUSES.includes(state.status)) {
      throw new LedgerException(
        LedgerErrorCode.ALREADY_SETTLED,
        `payment already settled by ${state.settlement.txHash}, not ${data.txHash}`,
      );
    }
  }
  assertPaymentTransition(state.status, 'payment.settled');
  return [draftOf('payment.settled', data, at)];
}

function recordSettlementFailed(
  state: PaymentState,
  data: EventDataMap['payment.settlement_failed'],
  at?: string,
): EventDraft[] {
  checkFacts(state, data, false);
  const failure = state.settlementFailure;
  if (failure !== null && failure.reason === data.reason && failure.txHash === data.txHash) return [];
  assertPaymentTransition(state.status, 'payment.settlement_failed');
  return [draftOf('payment.settlement_failed', data, at)];
}

function requestRefund(state: PaymentState, data: EventDataMap['refund.requested'], at?: string): EventDraft[] {
  requirePayment(state, data.paymentId);
  const expected = deriveRefundId({ paymentId: data.paymentId, idempotencyKey: data.idempotencyKey });
  if (data.refundId !== expected) {
    throw new LedgerException(
      LedgerErrorCode.INVALID_COMMAND,
      `refundId ${data.refundId} is not refundId(paymentId, idempotencyKey) = ${expected}`,
    );
  }
  const payoutPrefix = data.disputeId === undefined ? null : disputePayoutKey(data.disputeId);
  if (
    payoutPrefix === null ? data.idempotencyKey.startsWith('dispute:') : !data.idempotencyKey.startsWith(payoutPrefix)
  ) {
    throw new LedgerException(
      LedgerErrorCode.INVALID_COMMAND,
      payoutPrefix === null
        ? `idempotency keys starting with 'dispute:' are reserved for dispute payouts`
        : `a dispute payout's idempotency key must be disputePayoutKey(disputeId, attempt)`,
    );
  }
  const existing = state.refunds[data.refundId];
  if (existing !== undefined) {
    const same =
      existing.amount === data.amount &&
      existing.reason === data.reason &&
      existing.requestedBy === data.requestedBy &&
      existing.disputeId === (data.disputeId ?? null);
    if (same) return [];
    throw new LedgerException(
      LedgerErrorCode.IDEMPOTENCY_CONFLICT,
      `refund ${data.refundId} (idempotency key ${data.idempotencyKey}) was requested with different terms`,
    );
  }
  assertRefundablePayment(state);
  if (state.refundInFlight !== null) {
    throw new LedgerException(LedgerErrorCode.REFUND_IN_FLIGHT, `refund ${state.refundInFlight} is still in flight`);
  }
  const amount = BigInt(data.amount);
  if (data.disputeId !== undefined) {
    const dispute = getDispute(state, data.disputeId);
    if (dispute.status !== 'lost') {
      throw invalidTransition(`dispute ${dispute.disputeId} is ${dispute.status}; only a lost dispute pays out`);
    }
    if (dispute.paidOut) throw invalidTransition(`dispute ${dispute.disputeId} was already paid out`);
    if (amount > BigInt(dispute.amount)) {
      throw new LedgerException(
        LedgerErrorCode.REFUND_EXCEEDS_SETTLED,
        `payout ${data.amount} exceeds the disputed amount ${dispute.amount}`,
      );
    }
  } else {
    if (state.openDispute !== null) {
      throw new LedgerException(LedgerErrorCode.DISPUTE_OPEN, `dispute ${state.openDispute} is open`);
    }
    const pending = pendingDisputePayout(state);
    if (pending !== null) {
      throw new LedgerException(
        LedgerErrorCode.DISPUTE_PAYOUT_PENDING,
        `dispute ${pending.disputeId} was lost; only its payout refund may be requested`,
      );
    }
  }
  const refundable = refundableAmount(state);
  if (amount > refundable) {
    throw new LedgerException(
      LedgerErrorCode.REFUND_EXCEEDS_SETTLED,
      `refund ${data.amount} exceeds the refundable ${refundable} (settled ${state.settledAmount}, refunded ${state.refundedAmount})`,
    );
  }
  return [draftOf('refund.requested', data, at)];
}

function approveRefund(state: PaymentState, data: EventDataMap['refund.approved'], at?: string): EventDraft[] {
  const refund = getRefund(state, data.refundId);
  if (refund.status === 'approved' && refund.approvedBy === data.approvedBy) return [];
  assertRefundTransition(refund, 'approved');
  return [draftOf('refund.approved', data, at)];
}

function submitRefund(state: PaymentState, data: EventDataMap['refund.submitted'], at?: string): EventDraft[] {
  const refund = getRefund(state, data.refundId);
  if (refund.submittedTxHashes.includes(data.txHash)) return [];
  assertRefundTransition(refund, 'submitted');
  return [draftOf('refund.submitted', data, at)];
}

function recordRefundSucceeded(state: PaymentState, data: EventDataMap['refund.succeeded'], at?: string): EventDraft[] {
  const refund = getRefund(state, data.refundId);
  if (refund.status === 'succeeded' && refund.txHash === data.txHash) return [];
  assertRefundTransition(refund, 'succeeded');
  if (data.amount !== refund.amount) {
    throw new LedgerException(
      LedgerErrorCode.REFUND_AMOUNT_MISMATCH,
      `refund ${refund.refundId} was requested for ${refund.amount}, confirmed for ${data.amount}`,
    );
  }
  if (BigInt(data.amount) > refundableAmount(state)) {
    throw new LedgerException(LedgerErrorCode.REFUND_EXCEEDS_SETTLED, `refund would exceed the settled amount`);
  }
  return [draftOf('refund.succeeded', data, at)];
}

function recordRefundFailed(state: PaymentState, data: EventDataMap['refund.failed'], at?: string): EventDraft[] {
  const refund = getRefund(state, data.refundId);
  if (refund.status === 'failed' && refund.failureReason === data.reason) return [];
  assertRefundTransition(refund, 'failed');
  return [draftOf('refund.failed', data, at)];
}

function cancelRefund(state: PaymentState, data: EventDataMap['refund.canceled'], at?: string): EventDraft[] {
  const refund = getRefund(state, data.refundId);
  if (refund.status === 'canceled' && refund.failureReason === data.reason) return [];
  assertRefundTransition(refund, 'canceled');
  return [draftOf('refund.canceled', data, at)];
}

function openDispute(state: PaymentState, data: EventDataMap['dispute.opened'], at?: string): EventDraft[] {
  requirePayment(state, data.paymentId);
  const existing = state.disputes[data.disputeId];
  if (existing !== undefined) {
    const same =
      existing.reason === data.reason &&
      existing.openedBy === data.openedBy &&
      existing.respondBy === data.respondBy &&
      sameList(existing.evidence.opening, data.evidence);
    if (same) return [];
    throw new LedgerException(
      LedgerErrorCode.IDEMPOTENCY_CONFLICT,
      `dispute ${data.disputeId} was opened with different terms`,
    );
  }
  assertRefundablePayment(state);
  if (state.openDispute !== null) {
    throw new LedgerException(LedgerErrorCode.DISPUTE_OPEN, `dispute ${state.openDispute} is already open`);
  }
  const decided = Object.values(state.disputes).find((d) => d.status === 'won' || d.status === 'lost');
  if (decided !== undefined) {
    throw new LedgerException(
      LedgerErrorCode.ALREADY_DISPUTED,
      `dispute ${decided.disputeId} was already ${decided.status}`,
    );
  }
  if (state.refundInFlight !== null) {
    throw new LedgerException(
      LedgerErrorCode.REFUND_IN_FLIGHT,
      `refund ${state.refundInFlight} is in flight; a dispute cannot open meanwhile`,
    );
  }
  if (refundableAmount(state) <= 0n) throw invalidTransition(`nothing left to dispute`);
  return [draftOf('dispute.opened', data, at)];
}

function submitDisputeEvidence(
  state: PaymentState,
  data: EventDataMap['dispute.evidence_submitted'],
  at?: string,
): EventDraft[] {
  const dispute = getDispute(state, data.disputeId);
  if (!OPEN_DISPUTE_STATUSES.includes(dispute.status)) {
    throw new LedgerException(LedgerErrorCode.TERMINAL_STATE, `dispute ${dispute.disputeId} is ${dispute.status}`);
  }
  return [draftOf('dispute.evidence_submitted', data, at)];
}

function startDisputeReview(
  state: PaymentState,
  data: EventDataMap['dispute.under_review'],
  at?: string,
): EventDraft[] {
  const dispute = getDispute(state, data.disputeId);
  if (dispute.status === 'under_review') return [];
  assertDisputeTransition(dispute, 'under_review');
  return [draftOf('dispute.under_review', data, at)];
}

function decideDispute(
  state: PaymentState,
  type: 'dispute.won' | 'dispute.lost',
  data: EventDataMap['dispute.won'],
  at?: string,
): EventDraft[] {
  const dispute = getDispute(state, data.disputeId);
  const outcome: DisputeStatus = type === 'dispute.won' ? 'won' : 'lost';
  if (dispute.status === outcome && dispute.decidedBy === data.decidedBy && dispute.note === data.note) return [];
  assertDisputeTransition(dispute, outcome);
  if (outcome === 'won') return [draftOf(type, data, at)];
  // The payer wins: the held amount goes back through exactly one refund linked to the dispute, requested with the
  // decision so the payout can never be forgotten. (No refund can be in flight: none may start while a dispute is open.)
  const paymentId = (state.payment as PaymentFacts).paymentId as string;
  const idempotencyKey = disputePayoutKey(dispute.disputeId);
  const payoutId = deriveRefundId({ paymentId, idempotencyKey });
  if (state.refunds[payoutId] !== undefined) throw invalidTransition(`payout refund ${payoutId} already exists`);
  return [
    draftOf(type, data, at),
    draftOf(
      'refund.requested',
      {
        refundId: payoutId,
        paymentId,
        amount: dispute.amount,
        reason: `dispute ${dispute.disputeId} lost (${dispute.reason})`,
        requestedBy: 'arbiter',
        idempotencyKey,
        disputeId: dispute.disputeId,
      },
      at,
    ),
  ];
}

function withdrawDispute(state: PaymentState, data: EventDataMap['dispute.withdrawn'], at?: string): EventDraft[] {
  const dispute = getDispute(state, data.disputeId);
  if (dispute.status === 'withdrawn') return [];
  assertDisputeTransition(dispute, 'withdrawn');
  return [draftOf('dispute.withdrawn', data, at)];
}

// ---------------------------------------------------------------------------------------------------------------
// guards shared by decide and evolve
// ---------------------------------------------------------------------------------------------------------------

function assertPaymentTransition(status: PaymentStatus, event: PaymentFactEvent): void {
  if (PAYMENT_EVENT_SOURCES[event].includes(status)) return;
  if (TERMINAL_PAYMENT_STATUSES.includes(status)) {
    throw new LedgerException(LedgerErrorCode.TERMINAL_STATE, `payment is ${status}; ${event} cannot follow`);
  }
  if (SETTLED_STATUSES.includes(status)) {
    throw new LedgerException(LedgerErrorCode.ALREADY_SETTLED, `payment is ${status}; ${event} cannot follow`);
  }
  throw invalidTransition(`payment is ${status}; ${event} cannot follow`);
}

function assertRefundTransition(refund: RefundEntity, to: RefundStatus): void {
  if (REFUND_TRANSITIONS[refund.status].includes(to)) return;
  if (REFUND_TRANSITIONS[refund.status].length === 0) {
    throw new LedgerException(LedgerErrorCode.TERMINAL_STATE, `refund ${refund.refundId} is ${refund.status}`);
  }
  throw invalidTransition(`refund ${refund.refundId} is ${refund.status}; it cannot become ${to}`);
}

function assertDisputeTransition(dispute: DisputeEntity, to: DisputeStatus): void {
  if (DISPUTE_TRANSITIONS[dispute.status].includes(to)) return;
  if (DISPUTE_TRANSITIONS[dispute.status].length === 0) {
    throw new LedgerException(LedgerErrorCode.TERMINAL_STATE, `dispute ${dispute.disputeId} is ${dispute.status}`);
  }
  throw invalidTransition(`dispute ${dispute.disputeId} is ${dispute.status}; it cannot become ${to}`);
}

/** Settled, not terminal: refunds and disputes may start. */
function assertRefundablePayment(state: PaymentState): void {
  if (state.status === 'refunded') {
    throw new LedgerException(LedgerErrorCode.ALREADY_REFUNDED, `payment is fully refunded`);
  }
  if (state.status === 'settlement_failed') {
    throw new LedgerException(LedgerErrorCode.TERMINAL_STATE, `payment settlement failed`);
  }
  if (!SETTLED_STATUSES.includes(state.status)) {
    throw new LedgerException(LedgerErrorCode.NOT_SETTLED, `payment is ${state.status}, not settled`);
  }
}

function requirePayment(state: PaymentState, paymentId: string): void {
  if (state.payment === null) throw new LedgerException(LedgerErrorCode.NOT_FOUND, `payment ${paymentId} not found`);
  if (state.payment.paymentId !== paymentId) {
    throw new LedgerException(
      LedgerErrorCode.PAYMENT_MISMATCH,
      `command names payment ${paymentId}, stream holds ${state.payment.paymentId}`,
    );
  }
}

function getRefund(state: PaymentState, refundId: string): RefundEntity {
  const refund = state.refunds[refundId];
  if (refund === undefined) throw new LedgerException(LedgerErrorCode.NOT_FOUND, `refund ${refundId} not found`);
  return refund;
}

function getDispute(state: PaymentState, disputeId: string): DisputeEntity {
  const dispute = state.disputes[disputeId];
  if (dispute === undefined) throw new LedgerException(LedgerErrorCode.NOT_FOUND, `dispute ${disputeId} not found`);
  return dispute;
}

type FactsInput = Omit<PaymentFacts, 'paymentId' | 'payer'> & { paymentId: string | null; payer: string | null };

/** Facts repeated by every payment.* event must agree with what the stream recorded. */
function checkFacts(state: PaymentState, data: FactsInput, amountMayBeLower: boolean): void {
  const recorded = state.payment;
  if (recorded === null) return;
  const problems: string[] = [];
  if (recorded.paymentId !== data.paymentId) problems.push('paymentId');
  if (recorded.scheme !== data.scheme) problems.push('scheme');
  if (recorded.network !== data.network) problems.push('network');
  if (recorded.asset.toLowerCase() !== data.asset.toLowerCase()) problems.push('asset');
  if (recorded.payTo.toLowerCase() !== data.payTo.toLowerCase()) problems.push('payTo');
  if (recorded.payer !== null && data.payer !== null && recorded.payer.toLowerCase() !== data.payer.toLowerCase()) {
    problems.push('payer');
  }
  const amountOk = amountMayBeLower ? BigInt(data.amount) <= BigInt(recorded.amount) : data.amount === recorded.amount;
  if (!amountOk) problems.push('amount');
  if (problems.length > 0) {
    throw new LedgerException(
      LedgerErrorCode.PAYMENT_MISMATCH,
      `fact contradicts the recorded payment on: ${problems.join(', ')}`,
    );
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

// ---------------------------------------------------------------------------------------------------------------
// evolve
// ---------------------------------------------------------------------------------------------------------------

/**
 * Folds one envelope of the payment stream into the state. Expects envelopes that passed the contract
 * (parseEnvelope / decodeEnvelope / EventFactory) in sequence order; re-checks the transition tables and money rules
 * so a corrupt stream fails loudly instead of yielding an impossible state. Never mutates `state`.
 */
export function evolvePayment(state: PaymentState, envelope: EventEnvelope): PaymentState {
  const cursor = nextCursor(state, envelope, 'payment');
  const next = apply(state, envelope.type as EventType, envelope.data, envelope.sequence);
  return { ...next, ...cursor };
}

function apply(state: PaymentState, type: EventType, raw: Record<string, unknown>, sequence: number): PaymentState {
  switch (type) {
    case 'payment.verified': {
      const data = raw as EventDataMap['payment.verified'];
      assertPaymentTransition(state.status, type);
      return {
        ...state,
        payment: mergeFacts(state.payment, data),
        authorization: {
          nonce: data.nonce,
          validAfter: data.validAfter,
          validBefore: data.validBefore,
          x402Version: data.x402Version,
          assetTransferMethod: data.assetTransferMethod,
          signatureKind: data.signatureKind,
        },
        status: 'verified',
      };
    }
    case 'payment.verification_failed': {
      const data = raw as EventDataMap['payment.verification_failed'];
      assertPaymentTransition(state.status, type);
      const beforeSubmission = state.status === 'none' || state.status === 'verified';
      return {
        ...state,
        payment: mergeFacts(state.payment, data),
        verificationFailures: state.verificationFailures + 1,
        lastVerificationFailure: { reason: data.reason, message: data.message },
        status: beforeSubmission ? 'verification_failed' : state.status,
      };
    }
    case 'payment.settlement_submitted': {
      const data = raw as EventDataMap['payment.settlement_submitted'];
      assertPaymentTransition(state.status, type);
      return {
        ...state,
        payment: mergeFacts(state.payment, data),
        submittedTxHashes: state.submittedTxHashes.includes(data.txHash)
          ? state.submittedTxHashes
          : [...state.submittedTxHashes, data.txHash],
        status: 'settlement_submitted',
      };
    }
    case 'payment.settled': {
      const data = raw as EventDataMap['payment.settled'];
      assertPaymentTransition(state.status, type);
      const next: PaymentState = {
        ...state,
        payment: mergeFacts(state.payment, data),
        settlement: {
          txHash: data.txHash,
          blockNumber: data.blockNumber,
          blockTimestamp: data.blockTimestamp,
          logIndex: data.logIndex,
          gasUsed: data.gasUsed,
          effectiveGasPrice: data.effectiveGasPrice,
          signer: data.signer,
        },
        settledAmount: data.amount,
      };
      return { ...next, status: settledStatus(next) };
    }
    case 'payment.settlement_failed': {
      const data = raw as EventDataMap['payment.settlement_failed'];
      assertPaymentTransition(state.status, type);
      return {
        ...state,
        payment: mergeFacts(state.payment, data),
        settlementFailure: { reason: data.reason, message: data.message, txHash: data.txHash },
        status: 'settlement_failed',
      };
    }
    case 'refund.requested': {
      const data = raw as EventDataMap['refund.requested'];
      assertRefundablePayment(state);
      if (state.refunds[data.refundId] !== undefined) throw corrupt(`refund ${data.refundId} requested twice`);
      if (state.refundInFlight !== null) {
        throw new LedgerException(LedgerErrorCode.REFUND_IN_FLIGHT, `refund ${state.refundInFlight} in flight`);
      }
      if (BigInt(data.amount) > refundableAmount(state)) {
        throw new LedgerException(LedgerErrorCode.REFUND_EXCEEDS_SETTLED, `refund exceeds the refundable amount`);
      }
      const refund: RefundEntity = {
        refundId: data.refundId,
        amount: data.amount,
        reason: data.reason,
        requestedBy: data.requestedBy,
        idempotencyKey: data.idempotencyKey,
        disputeId: data.disputeId ?? null,
        status: 'requested',
        approvedBy: null,
        method: null,
        submittedTxHashes: [],
        txHash: null,
        blockNumber: null,
        failureReason: null,
        requestedAtSequence: sequence,
      };
      let disputes = state.disputes;
      if (refund.disputeId !== null) {
        const dispute = getDispute(state, refund.disputeId);
        if (dispute.status !== 'lost' || dispute.paidOut) throw corrupt(`payout of dispute ${dispute.disputeId}`);
        disputes = { ...disputes, [dispute.disputeId]: { ...dispute, payoutRefundId: refund.refundId } };
      } else if (state.openDispute !== null || pendingDisputePayout(state) !== null) {
        throw new LedgerException(LedgerErrorCode.DISPUTE_OPEN, `a refund cannot start while a dispute is pending`);
      }
      return withStatus({
        ...state,
        refunds: { ...state.refunds, [refund.refundId]: refund },
        disputes,
        refundInFlight: refund.refundId,
      });
    }
    case 'refund.approved': {
      const data = raw as EventDataMap['refund.approved'];
      const refund = moveRefund(state, data.refundId, 'approved');
      return putRefund(state, { ...refund, status: 'approved', approvedBy: data.approvedBy });
    }
    case 'refund.submitted': {
      const data = raw as EventDataMap['refund.submitted'];
      const refund = moveRefund(state, data.refundId, 'submitted');
      return putRefund(state, {
        ...refund,
        status: 'submitted',
        method: data.method,
        submittedTxHashes: refund.submittedTxHashes.includes(data.txHash)
          ? refund.submittedTxHashes
          : [...refund.submittedTxHashes, data.txHash],
      });
    }
    case 'refund.succeeded': {
      const data = raw as EventDataMap['refund.succeeded'];
      const refund = moveRefund(state, data.refundId, 'succeeded');
      const refunded = BigInt(state.refundedAmount) + BigInt(refund.amount);
      if (refunded > BigInt(state.settledAmount)) {
        throw new LedgerException(LedgerErrorCode.REFUND_EXCEEDS_SETTLED, `Σ refunds would exceed the settled amount`);
      }
      let disputes = state.disputes;
      if (refund.disputeId !== null) {
        const dispute = getDispute(state, refund.disputeId);
        disputes = { ...disputes, [dispute.disputeId]: { ...dispute, paidOut: true } };
      }
      return putRefund(
        { ...state, refundedAmount: refunded.toString(), refundInFlight: null, disputes },
        { ...refund, status: 'succeeded', txHash: data.txHash, blockNumber: data.blockNumber },
      );
    }
    case 'refund.failed':
    case 'refund.canceled': {
      const data = raw as EventDataMap['refund.failed'];
      const to: RefundStatus = type === 'refund.failed' ? 'failed' : 'canceled';
      const refund = moveRefund(state, data.refundId, to);
      let disputes = state.disputes;
      if (refund.disputeId !== null) {
        const dispute = getDispute(state, refund.disputeId);
        disputes = { ...disputes, [dispute.disputeId]: { ...dispute, payoutRefundId: null } };
      }
      return putRefund(
        { ...state, refundInFlight: null, disputes },
        { ...refund, status: to, failureReason: data.reason, txHash: data.txHash ?? refund.txHash },
      );
    }
    case 'dispute.opened': {
      const data = raw as EventDataMap['dispute.opened'];
      assertRefundablePayment(state);
      if (state.disputes[data.disputeId] !== undefined) throw corrupt(`dispute ${data.disputeId} opened twice`);
      if (state.openDispute !== null || state.refundInFlight !== null) {
        throw invalidTransition(`a dispute cannot open while a dispute is open or a refund in flight`);
      }
      const dispute: DisputeEntity = {
        disputeId: data.disputeId,
        reason: data.reason,
        openedBy: data.openedBy,
        respondBy: data.respondBy,
        amount: refundableAmount(state).toString(),
        status: 'needs_response',
        evidence: { opening: [...data.evidence], payer: [], provider: [] },
        decidedBy: null,
        note: null,
        payoutRefundId: null,
        paidOut: false,
        openedAtSequence: sequence,
      };
      return withStatus({
        ...state,
        disputes: { ...state.disputes, [dispute.disputeId]: dispute },
        openDispute: dispute.disputeId,
      });
    }
    case 'dispute.evidence_submitted': {
      const data = raw as EventDataMap['dispute.evidence_submitted'];
      const dispute = getDispute(state, data.disputeId);
      if (!OPEN_DISPUTE_STATUSES.includes(dispute.status)) {
        throw new LedgerException(LedgerErrorCode.TERMINAL_STATE, `dispute ${dispute.disputeId} is ${dispute.status}`);
      }
      const evidence = { ...dispute.evidence, [data.party]: [...dispute.evidence[data.party], ...data.evidence] };
      return putDispute(state, { ...dispute, evidence });
    }
    case 'dispute.under_review':
    case 'dispute.withdrawn': {
      const data = raw as EventDataMap['dispute.under_review'];
      const to: DisputeStatus = type === 'dispute.under_review' ? 'under_review' : 'withdrawn';
      const dispute = getDispute(state, data.disputeId);
      assertDisputeTransition(dispute, to);
      return putDispute(state, { ...dispute, status: to });
    }
    case 'dispute.won':
    case 'dispute.lost': {
      const data = raw as EventDataMap['dispute.won'];
      const to: DisputeStatus = type === 'dispute.won' ? 'won' : 'lost';
      const dispute = getDispute(state, data.disputeId);
      assertDisputeTransition(dispute, to);
      return putDispute(state, { ...dispute, status: to, decidedBy: data.decidedBy, note: data.note });
    }
    default:
      throw new LedgerException(LedgerErrorCode.STREAM_MISMATCH, `${type} does not belong on a payment stream`);
  }
}

function mergeFacts(recorded: PaymentFacts | null, data: FactsInput & { resourceUrl: string | null }): PaymentFacts {
  if (recorded === null) {
    return {
      paymentId: data.paymentId,
      scheme: data.scheme,
      network: data.network,
      asset: data.asset,
      amount: data.amount,
      payer: data.payer,
      payTo: data.payTo,
      resourceUrl: data.resourceUrl,
    };
  }
  return {
    ...recorded,
    paymentId: recorded.paymentId ?? data.paymentId,
    payer: recorded.payer ?? data.payer,
    resourceUrl: recorded.resourceUrl ?? data.resourceUrl,
  };
}

function moveRefund(state: PaymentState, refundId: string, to: RefundStatus): RefundEntity {
  const refund = state.refunds[refundId];
  if (refund === undefined) throw corrupt(`refund ${refundId} is not on this stream`);
  assertRefundTransition(refund, to);
  return refund;
}

function putRefund(state: PaymentState, refund: RefundEntity): PaymentState {
  return withStatus({ ...state, refunds: { ...state.refunds, [refund.refundId]: refund } });
}

function putDispute(state: PaymentState, dispute: DisputeEntity): PaymentState {
  const open = OPEN_DISPUTE_STATUSES.includes(dispute.status);
  const openDispute = open ? dispute.disputeId : state.openDispute === dispute.disputeId ? null : state.openDispute;
  return withStatus({ ...state, disputes: { ...state.disputes, [dispute.disputeId]: dispute }, openDispute });
}

function withStatus(state: PaymentState): PaymentState {
  return state.settlement === null ? state : { ...state, status: settledStatus(state) };
}

function corrupt(message: string): LedgerException {
  return new LedgerException(LedgerErrorCode.INVALID_EVENT, message);
}

/** The Payment aggregate: one writer per payment stream owns its refunds and disputes (ADR 0003). */
export const paymentAggregate: Aggregate<PaymentState, PaymentCommand> = {
  streamType: 'payment',
  initialState: initialPaymentState,
  decide: decidePayment,
  evolve: evolvePayment,
};
