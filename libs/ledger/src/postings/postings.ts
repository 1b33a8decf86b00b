import type { PaymentState, RefundEntity, DisputeEntity } from '../aggregates/payment/payment.state';
import { refundableAmount } from '../aggregates/payment/payment.state';
import type { EventEnvelope } from '../envelope/event-envelope';
import type { EventDataMap } from '../events/ledger-events';
import { LedgerErrorCode, LedgerException } from '../ledger.exception';
import { assertBalanced } from './balances';
import { accounts, assetKey, nativeAssetKey, transfer, type Posting } from './posting';

/**
 * Double-entry postings of one event. Only money-moving facts post:
 *
 * | event | postings (from → to) |
 * |---|---|
 * | payment.settled | payer → provider revenue (amount); facilitator gas → network_fees (gasUsed × effectiveGasPrice, native) |
 * | refund.approved (ordinary) | provider revenue → refunds_payable (hold) |
 * | refund.succeeded (ordinary) | refunds_payable → payer |
 * | refund.failed / canceled after approval (ordinary) | refunds_payable → provider revenue (release) |
 * | dispute.opened | provider revenue → disputes_held (settled − refunded) |
 * | dispute.won / withdrawn | disputes_held → provider revenue |
 * | refund.succeeded (payout of a lost dispute) | disputes_held → payer (payout); disputes_held → revenue (any rest) |
 *
 * Refund and dispute events do not repeat the payment's accounts and amounts, so they need `before`: the payment
 * state the event applies to (the state before evolvePayment(before, envelope)). Events of other streams post
 * nothing. The result is checked with assertBalanced.
 */
export function postingsFor(envelope: EventEnvelope, before?: PaymentState): Posting[] {
  if (envelope.streamType !== 'payment') return [];
  const postings = compute(envelope, before);
  assertBalanced(postings);
  return postings;
}

function compute(envelope: EventEnvelope, before: PaymentState | undefined): Posting[] {
  switch (envelope.type) {
    case 'payment.settled': {
      const data = envelope.data as EventDataMap['payment.settled'];
      const gas = BigInt(data.gasUsed) * BigInt(data.effectiveGasPrice);
      return [
        ...transfer(
          accounts.payer(data.payer),
          accounts.providerRevenue(envelope.tenant, data.payTo),
          assetKey(data.network, data.asset),
          BigInt(data.amount),
        ),
        ...transfer(accounts.facilitatorGas(data.signer), accounts.networkFees, nativeAssetKey(data.network), gas),
      ];
    }
    case 'refund.approved': {
      const { state, refund } = refundContext(envelope, before);
      if (refund.disputeId !== null) return [];
      const p = money(state);
      return transfer(p.revenue, p.refundsPayable, p.asset, BigInt(refund.amount));
    }
    case 'refund.succeeded': {
      const { state, refund } = refundContext(envelope, before);
      const p = money(state);
      if (refund.disputeId === null) return transfer(p.refundsPayable, p.payer, p.asset, BigInt(refund.amount));
      const dispute = disputeOf(state, refund.disputeId);
      const held = accounts.disputesHeld(p.paymentId);
      const payout = BigInt(refund.amount);
      return [
        ...transfer(held, p.payer, p.asset, payout),
        ...transfer(held, p.revenue, p.asset, BigInt(dispute.amount) - payout),
      ];
    }
    case 'refund.failed':
    case 'refund.canceled': {
      const { state, refund } = refundContext(envelope, before);
      const held = refund.status === 'approved' || refund.status === 'submitted';
      if (refund.disputeId !== null || !held) return [];
      const p = money(state);
      return transfer(p.refundsPayable, p.revenue, p.asset, BigInt(refund.amount));
    }
    case 'dispute.opened': {
      const state = requireBefore(envelope, before);
      const p = money(state);
      return transfer(p.revenue, accounts.disputesHeld(p.paymentId), p.asset, refundableAmount(state));
    }
    case 'dispute.won':
    case 'dispute.withdrawn': {
      const state = requireBefore(envelope, before);
      const dispute = disputeOf(state, (envelope.data as { disputeId: string }).disputeId);
      const p = money(state);
      return transfer(accounts.disputesHeld(p.paymentId), p.revenue, p.asset, BigInt(dispute.amount));
    }
    default:
      return [];
  }
}

function requireBefore(envelope: EventEnvelope, before: PaymentState | undefined): PaymentState {
  if (before === undefined || before.streamId !== envelope.streamId || before.sequence !== envelope.sequence - 1) {
    throw new LedgerException(
      LedgerErrorCode.STREAM_MISMATCH,
      `postings of ${envelope.type} need the state of stream ${envelope.streamId} at sequence ${envelope.sequence - 1}`,
    );
  }
  return before;
}

function refundContext(
  envelope: EventEnvelope,
  before: PaymentState | undefined,
): { state: PaymentState; refund: RefundEntity } {
  const state = requireBefore(envelope, before);
  const refundId = (envelope.data as { refundId: string }).refundId;
  const refund = state.refunds[refundId];
  if (refund === undefined) throw new LedgerException(LedgerErrorCode.NOT_FOUND, `refund ${refundId} not found`);
  return { state, refund };
}

function disputeOf(state: PaymentState, disputeId: string): DisputeEntity {
  const dispute = state.disputes[disputeId];
  if (dispute === undefined) throw new LedgerException(LedgerErrorCode.NOT_FOUND, `dispute ${disputeId} not found`);
  return dispute;
}

function money(state: PaymentState): {
  paymentId: string;
  asset: string;
  payer: string;
  revenue: string;
  refundsPayable: string;
} {
  const payment = state.payment;
  if (payment === null || payment.paymentId === null || payment.payer === null || state.tenant === null) {
    throw new LedgerException(LedgerErrorCode.NOT_SETTLED, `payment has no settled facts to post against`);
  }
  return {
    paymentId: payment.paymentId,
    asset: assetKey(payment.network, payment.asset),
    payer: accounts.payer(payment.payer),
    revenue: accounts.providerRevenue(state.tenant, payment.payTo),
    refundsPayable: accounts.providerRefundsPayable(state.tenant, payment.payTo),
  };
}
