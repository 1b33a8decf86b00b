import { disputePayoutKey } from '../../ids/ledger-ids.util';
import { LedgerErrorCode } from '../../ledger.exception';
import {
  decision,
  DISPUTE_ID,
  expectLedgerError,
  PAYMENT_ID,
  paymentHarness,
  refundCommand,
  refundIdOf,
  settledData,
  settledPayment,
  settlementFailedData,
  submittedData,
  TX,
  verificationFailedData,
  verifiedData,
} from '../../testing/ledger-test-data';
import type { PaymentCommand } from './payment.commands';
import { decidePayment } from './payment.aggregate';
import { initialPaymentState } from './payment.state';

const openDispute = (disputeId = DISPUTE_ID): PaymentCommand => ({
  type: 'OpenDispute',
  data: {
    disputeId,
    paymentId: PAYMENT_ID,
    reason: 'not_received',
    evidence: ['no response body'],
    respondBy: '2026-03-15T00:00:00.000Z',
    openedBy: 'payer',
  },
});
const decide = (outcome: 'won' | 'lost', disputeId = DISPUTE_ID): PaymentCommand => ({
  type: 'DecideDispute',
  outcome,
  data: { disputeId, decidedBy: 'arbiter-1', note: null },
});
const review = (disputeId = DISPUTE_ID): PaymentCommand => ({ type: 'StartDisputeReview', data: { disputeId } });

function refundFlow(sut: ReturnType<typeof paymentHarness>, key: string, amount: string, tx: string): void {
  const id = refundIdOf(key);
  sut.run(refundCommand(key, amount));
  sut.run({ type: 'ApproveRefund', data: { refundId: id, approvedBy: 'ops' } });
  sut.run({ type: 'SubmitRefund', data: { refundId: id, txHash: tx, method: 'hot_wallet' } });
  sut.run({ type: 'RecordRefundSucceeded', data: { refundId: id, txHash: tx, blockNumber: '200', amount } });
}

describe('Payment aggregate', () => {
  describe('settlement', () => {
    it('moves verified → settlement_submitted → settled', () => {
      const sut = paymentHarness();
      sut.run({ type: 'RecordVerified', data: verifiedData() });
      expect(sut.state.status).toBe('verified');
      sut.run({ type: 'RecordSettlementSubmitted', data: submittedData() });
      expect(sut.state.status).toBe('settlement_submitted');
      sut.run({ type: 'RecordSettled', data: settledData() });
      expect(sut.state.status).toBe('settled');
      expect(sut.state.settledAmount).toBe('1000000');
      expect(sut.envelopes.map((e) => [e.type, e.sequence])).toEqual([
        ['payment.verified', 1],
        ['payment.settlement_submitted', 2],
        ['payment.settled', 3],
      ]);
    });

    it('accepts settled without a prior verified event (upfront flow)', () => {
      const sut = paymentHarness();
      sut.run({ type: 'RecordSettled', data: settledData() });
      expect(sut.state.status).toBe('settled');
      expect(sut.state.payment?.payer).toBe(settledData().payer);
    });

    it('records a verification failure, then a later successful verification', () => {
      const sut = paymentHarness();
      sut.run({ type: 'RecordVerificationFailed', data: verificationFailedData() });
      expect(sut.state.status).toBe('verification_failed');
      sut.run({ type: 'RecordVerified', data: verifiedData() });
      expect(sut.state.status).toBe('verified');
      expect(sut.state.verificationFailures).toBe(1);
    });

    it('records a failed verification of a settled payment without changing its status (replay attempt)', () => {
      const sut = settledPayment();
      sut.run({ type: 'RecordVerificationFailed', data: verificationFailedData() });
      expect(sut.state.status).toBe('settled');
      expect(sut.state.verificationFailures).toBe(1);
    });

    it('is idempotent: repeating an accepted fact yields no event', () => {
      const verified = paymentHarness();
      verified.run({ type: 'RecordVerified', data: verifiedData() });
      expect(verified.run({ type: 'RecordVerified', data: verifiedData() })).toEqual([]);
      const sut = settledPayment();
      expect(sut.run({ type: 'RecordSettlementSubmitted', data: submittedData() })).toEqual([]);
      expect(sut.run({ type: 'RecordSettled', data: settledData() })).toEqual([]);
      expect(sut.state.sequence).toBe(3);
    });

    it('accepts a replacement settlement transaction while submitted', () => {
      const sut = paymentHarness();
      sut.run({ type: 'RecordSettlementSubmitted', data: submittedData('1000000', TX(1)) });
      sut.run({ type: 'RecordSettlementSubmitted', data: submittedData('1000000', TX(2)) });
      sut.run({ type: 'RecordSettled', data: settledData('1000000', TX(2)) });
      expect(sut.state.submittedTxHashes).toEqual([TX(1), TX(2)]);
      expect(sut.state.settlement?.txHash).toBe(TX(2));
    });

    it('refuses a second settlement by another transaction with ALREADY_SETTLED', () => {
      const sut = settledPayment();
      expectLedgerError(
        () => sut.run({ type: 'RecordSettled', data: settledData('1000000', TX(7)) }),
        'ALREADY_SETTLED',
      );
      expectLedgerError(() => sut.run({ type: 'RecordVerified', data: verifiedData() }), 'ALREADY_SETTLED');
      expectLedgerError(
        () => sut.run({ type: 'RecordSettlementFailed', data: settlementFailedData() }),
        'ALREADY_SETTLED',
      );
    });

    it('keeps settlement_failed terminal', () => {
      const sut = paymentHarness();
      sut.run({ type: 'RecordSettlementSubmitted', data: submittedData() });
      sut.run({ type: 'RecordSettlementFailed', data: settlementFailedData() });
      expect(sut.state.status).toBe('settlement_failed');
      expect(sut.run({ type: 'RecordSettlementFailed', data: settlementFailedData() })).toEqual([]);
      for (const command of [
        { type: 'RecordSettled', data: settledData() },
        { type: 'RecordVerified', data: verifiedData() },
        { type: 'RecordVerificationFailed', data: verificationFailedData() },
        { type: 'RecordSettlementSubmitted', data: submittedData('1000000', TX(3)) },
      ] as PaymentCommand[]) {
        expectLedgerError(() => sut.run(command), 'TERMINAL_STATE');
      }
      expectLedgerError(() => sut.run(refundCommand('k', '1')), 'TERMINAL_STATE');
    });

    it('refuses verified while a settlement is submitted (INVALID_TRANSITION)', () => {
      const sut = paymentHarness();
      sut.run({ type: 'RecordSettlementSubmitted', data: submittedData() });
      expectLedgerError(() => sut.run({ type: 'RecordVerified', data: verifiedData() }), 'INVALID_TRANSITION');
    });

    it('refuses facts that contradict the recorded payment (PAYMENT_MISMATCH)', () => {
      const sut = paymentHarness();
      sut.run({ type: 'RecordVerified', data: verifiedData() });
      expectLedgerError(
        () => sut.run({ type: 'RecordSettled', data: { ...settledData(), payTo: '0x' + '1'.repeat(40) } }),
        'PAYMENT_MISMATCH',
      );
      expectLedgerError(() => sut.run({ type: 'RecordSettled', data: settledData('2000000') }), 'PAYMENT_MISMATCH');
    });

    it('accepts a settled amount below the authorized one, and settles that amount', () => {
      const sut = paymentHarness();
      sut.run({ type: 'RecordVerified', data: verifiedData('1000') });
      sut.run({ type: 'RecordSettled', data: settledData('700') });
      expect(sut.state.settledAmount).toBe('700');
    });

    it('refuses a verified event whose paymentId is not derived from the authorization (INVALID_COMMAND)', () => {
      const sut = paymentHarness();
      expectLedgerError(
        () => sut.run({ type: 'RecordVerified', data: { ...verifiedData(), nonce: '0x' + 'ab'.repeat(32) } }),
        'INVALID_COMMAND',
      );
    });

    it('refuses malformed data (INVALID_COMMAND)', () => {
      const sut = paymentHarness();
      expectLedgerError(
        () => sut.run({ type: 'RecordSettled', data: { ...settledData(), amount: '1.5' } }),
        'INVALID_COMMAND',
      );
      expectLedgerError(
        () => sut.run({ type: 'RecordSettled', data: { ...settledData(), extra: 1 } as never }),
        'INVALID_COMMAND',
      );
      expectLedgerError(
        () => sut.run({ type: 'RecordSettled', data: settledData(), occurredAt: '2026-03-01' }),
        'INVALID_COMMAND',
      );
      expectLedgerError(() => sut.run({ type: 'Nope' } as never), 'INVALID_COMMAND');
    });

    it('hides a payment from another tenant (NOT_FOUND)', () => {
      const sut = settledPayment();
      expectLedgerError(
        () => decidePayment(sut.state, refundCommand('k', '1'), { ...decision, tenant: 'other' }),
        'NOT_FOUND',
      );
    });
  });

  describe('refunds', () => {
    it('runs requested → approved → submitted → succeeded and ends fully refunded', () => {
      const sut = settledPayment();
      refundFlow(sut, 'r1', '400000', TX(11));
      expect(sut.state.status).toBe('partially_refunded');
      expect(sut.state.refundedAmount).toBe('400000');
      refundFlow(sut, 'r2', '600000', TX(12));
      expect(sut.state.status).toBe('refunded');
      expect(sut.state.refunds[refundIdOf('r2')].status).toBe('succeeded');
      expect(sut.state.refundInFlight).toBeNull();
    });

    it('refuses refunds before settlement (NOT_SETTLED) and on unknown payments (NOT_FOUND)', () => {
      expectLedgerError(() => decidePayment(initialPaymentState(), refundCommand('k', '1'), decision), 'NOT_FOUND');
      const sut = paymentHarness();
      sut.run({ type: 'RecordVerified', data: verifiedData() });
      expectLedgerError(() => sut.run(refundCommand('k', '1')), 'NOT_SETTLED');
    });

    it('refuses Σ refunds above the settled amount (REFUND_EXCEEDS_SETTLED)', () => {
      const sut = settledPayment();
      expectLedgerError(() => sut.run(refundCommand('big', '1000001')), 'REFUND_EXCEEDS_SETTLED');
      refundFlow(sut, 'r1', '999999', TX(11));
      expectLedgerError(() => sut.run(refundCommand('r2', '2')), 'REFUND_EXCEEDS_SETTLED');
    });

    it('allows one refund in flight at a time (REFUND_IN_FLIGHT)', () => {
      const sut = settledPayment();
      sut.run(refundCommand('r1', '10'));
      expectLedgerError(() => sut.run(refundCommand('r2', '10')), 'REFUND_IN_FLIGHT');
      sut.run({ type: 'CancelRefund', data: { refundId: refundIdOf('r1'), reason: 'merchant_request' } });
      expect(sut.run(refundCommand('r2', '10'))).toHaveLength(1);
    });

    it('treats a repeated request as idempotent and a changed one as IDEMPOTENCY_CONFLICT', () => {
      const sut = settledPayment();
      sut.run(refundCommand('r1', '10'));
      expect(sut.run(refundCommand('r1', '10'))).toEqual([]);
      expectLedgerError(() => sut.run(refundCommand('r1', '11')), 'IDEMPOTENCY_CONFLICT');
    });

    it('requires refundId = refundId(paymentId, idempotencyKey) (INVALID_COMMAND)', () => {
      const sut = settledPayment();
      const command = refundCommand('r1', '10') as Extract<PaymentCommand, { type: 'RequestRefund' }>;
      expectLedgerError(
        () => sut.run({ ...command, data: { ...command.data, refundId: 'e'.repeat(64) } }),
        'INVALID_COMMAND',
      );
    });

    it('enforces the refund state machine (INVALID_TRANSITION, TERMINAL_STATE, NOT_FOUND)', () => {
      const sut = settledPayment();
      const id = refundIdOf('r1');
      sut.run(refundCommand('r1', '10'));
      expectLedgerError(
        () => sut.run({ type: 'SubmitRefund', data: { refundId: id, txHash: TX(5), method: 'hot_wallet' } }),
        'INVALID_TRANSITION',
      );
      sut.run({ type: 'ApproveRefund', data: { refundId: id, approvedBy: 'ops' } });
      expect(sut.run({ type: 'ApproveRefund', data: { refundId: id, approvedBy: 'ops' } })).toEqual([]);
      expectLedgerError(
        () =>
          sut.run({
            type: 'RecordRefundSucceeded',
            data: { refundId: id, txHash: TX(5), blockNumber: '1', amount: '10' },
          }),
        'INVALID_TRANSITION',
      );
      sut.run({ type: 'SubmitRefund', data: { refundId: id, txHash: TX(5), method: 'hot_wallet' } });
      expectLedgerError(
        () => sut.run({ type: 'CancelRefund', data: { refundId: id, reason: 'too late' } }),
        'INVALID_TRANSITION',
      );
      sut.run({ type: 'RecordRefundFailed', data: { refundId: id, reason: 'reverted', txHash: TX(5) } });
      expect(sut.state.refunds[id].status).toBe('failed');
      expect(
        sut.run({ type: 'RecordRefundFailed', data: { refundId: id, reason: 'reverted', txHash: TX(5) } }),
      ).toEqual([]);
      expectLedgerError(
        () => sut.run({ type: 'ApproveRefund', data: { refundId: id, approvedBy: 'ops' } }),
        'TERMINAL_STATE',
      );
      expectLedgerError(
        () => sut.run({ type: 'ApproveRefund', data: { refundId: 'f'.repeat(64), approvedBy: 'ops' } }),
        'NOT_FOUND',
      );
    });

    it('refuses a confirmation for another amount (REFUND_AMOUNT_MISMATCH)', () => {
      const sut = settledPayment();
      const id = refundIdOf('r1');
      sut.run(refundCommand('r1', '10'));
      sut.run({ type: 'ApproveRefund', data: { refundId: id, approvedBy: 'ops' } });
      sut.run({ type: 'SubmitRefund', data: { refundId: id, txHash: TX(5), method: 'authorization' } });
      expectLedgerError(
        () =>
          sut.run({
            type: 'RecordRefundSucceeded',
            data: { refundId: id, txHash: TX(5), blockNumber: '1', amount: '9' },
          }),
        'REFUND_AMOUNT_MISMATCH',
      );
    });

    it('refuses any refund once fully refunded (ALREADY_REFUNDED) and keeps refunded terminal', () => {
      const sut = settledPayment('10');
      refundFlow(sut, 'r1', '10', TX(11));
      expect(sut.state.status).toBe('refunded');
      expectLedgerError(() => sut.run(refundCommand('r2', '1')), 'ALREADY_REFUNDED');
      expectLedgerError(() => sut.run(openDispute()), 'ALREADY_REFUNDED');
      expectLedgerError(
        () => sut.run({ type: 'RecordVerificationFailed', data: verificationFailedData('10') }),
        'TERMINAL_STATE',
      );
    });
  });

  describe('disputes', () => {
    it('blocks refunds while a dispute is open (DISPUTE_OPEN) and releases them when won', () => {
      const sut = settledPayment();
      sut.run(openDispute());
      expect(sut.state.status).toBe('disputed');
      expect(sut.state.disputes[DISPUTE_ID].amount).toBe('1000000');
      expectLedgerError(() => sut.run(refundCommand('r1', '10')), 'DISPUTE_OPEN');
      expectLedgerError(() => sut.run(openDispute('c'.repeat(64))), 'DISPUTE_OPEN');
      sut.run(review());
      sut.run(decide('won'));
      expect(sut.state.status).toBe('settled');
      expect(sut.run(refundCommand('r1', '10'))).toHaveLength(1);
    });

    it('refuses a dispute while a refund is in flight (REFUND_IN_FLIGHT) and before settlement (NOT_SETTLED)', () => {
      const sut = settledPayment();
      sut.run(refundCommand('r1', '10'));
      expectLedgerError(() => sut.run(openDispute()), 'REFUND_IN_FLIGHT');
      const fresh = paymentHarness();
      fresh.run({ type: 'RecordVerified', data: verifiedData() });
      expectLedgerError(() => fresh.run(openDispute()), 'NOT_SETTLED');
    });

    it('pays a lost dispute out through exactly one linked refund, requested with the decision', () => {
      const sut = settledPayment();
      refundFlow(sut, 'r1', '100000', TX(11));
      sut.run(openDispute());
      expect(sut.state.disputes[DISPUTE_ID].amount).toBe('900000');
      const emitted = sut.run(decide('lost'));
      const payoutKey = disputePayoutKey(DISPUTE_ID);
      const id = refundIdOf(payoutKey);
      expect(emitted.map((e) => e.type)).toEqual(['dispute.lost', 'refund.requested']);
      expect(emitted[1].data).toEqual({
        refundId: id,
        paymentId: PAYMENT_ID,
        amount: '900000',
        reason: `dispute ${DISPUTE_ID} lost (not_received)`,
        requestedBy: 'arbiter',
        idempotencyKey: payoutKey,
        disputeId: DISPUTE_ID,
      });
      expect(sut.state.status).toBe('disputed');
      expect(sut.state.disputes[DISPUTE_ID].payoutRefundId).toBe(id);
      expectLedgerError(() => sut.run(refundCommand('r2', '10')), 'REFUND_IN_FLIGHT');
      sut.run({ type: 'ApproveRefund', data: { refundId: id, approvedBy: 'arbiter-1' } });
      sut.run({ type: 'SubmitRefund', data: { refundId: id, txHash: TX(12), method: 'hot_wallet' } });
      sut.run({
        type: 'RecordRefundSucceeded',
        data: { refundId: id, txHash: TX(12), blockNumber: '9', amount: '900000' },
      });
      expect(sut.state.disputes[DISPUTE_ID].paidOut).toBe(true);
      expect(sut.state.status).toBe('refunded');
      expectLedgerError(
        () => sut.run(refundCommand(disputePayoutKey(DISPUTE_ID, 2), '1', { disputeId: DISPUTE_ID })),
        'ALREADY_REFUNDED',
      );
    });

    it('only lets the payout run while a lost dispute is unpaid, and lets a failed payout be retried', () => {
      const sut = settledPayment();
      sut.run(openDispute());
      expectLedgerError(
        () => sut.run(refundCommand(disputePayoutKey(DISPUTE_ID, 2), '10', { disputeId: DISPUTE_ID })),
        'INVALID_TRANSITION',
      );
      expectLedgerError(() => sut.run(refundCommand('p1', '10', { disputeId: DISPUTE_ID })), 'INVALID_COMMAND');
      expectLedgerError(() => sut.run(refundCommand(disputePayoutKey(DISPUTE_ID), '10')), 'INVALID_COMMAND');
      sut.run(decide('lost'));
      const first = refundIdOf(disputePayoutKey(DISPUTE_ID));
      sut.run({ type: 'CancelRefund', data: { refundId: first, reason: 'arbiter awards less' } });
      expect(sut.state.disputes[DISPUTE_ID].payoutRefundId).toBeNull();
      expectLedgerError(() => sut.run(refundCommand('r2', '10')), 'DISPUTE_PAYOUT_PENDING');
      expectLedgerError(
        () => sut.run(refundCommand(disputePayoutKey(DISPUTE_ID, 2), '1000001', { disputeId: DISPUTE_ID })),
        'REFUND_EXCEEDS_SETTLED',
      );
      const second = disputePayoutKey(DISPUTE_ID, 2);
      expect(sut.run(refundCommand(second, '600000', { disputeId: DISPUTE_ID }))).toHaveLength(1);
      expect(sut.state.disputes[DISPUTE_ID].payoutRefundId).toBe(refundIdOf(second));
    });

    it('enforces the dispute state machine', () => {
      const sut = settledPayment();
      sut.run(openDispute());
      expect(sut.run(openDispute())).toEqual([]);
      expectLedgerError(
        () => sut.run({ ...openDispute(), data: { ...openDispute().data, openedBy: 'x' } } as PaymentCommand),
        'IDEMPOTENCY_CONFLICT',
      );
      expectLedgerError(() => sut.run(decide('won')), 'INVALID_TRANSITION');
      sut.run({ type: 'SubmitDisputeEvidence', data: { disputeId: DISPUTE_ID, party: 'provider', evidence: ['log'] } });
      expect(sut.state.disputes[DISPUTE_ID].evidence.provider).toEqual(['log']);
      sut.run(review());
      expect(sut.run(review())).toEqual([]);
      sut.run({ type: 'WithdrawDispute', data: { disputeId: DISPUTE_ID } });
      expect(sut.state.status).toBe('settled');
      expect(sut.run({ type: 'WithdrawDispute', data: { disputeId: DISPUTE_ID } })).toEqual([]);
      expectLedgerError(() => sut.run(review()), 'TERMINAL_STATE');
      expectLedgerError(
        () =>
          sut.run({ type: 'SubmitDisputeEvidence', data: { disputeId: DISPUTE_ID, party: 'payer', evidence: ['x'] } }),
        'TERMINAL_STATE',
      );
      expectLedgerError(() => sut.run(review('9'.repeat(64))), 'NOT_FOUND');
      // a withdrawn dispute does not prevent a new one; a decided one does
      sut.run(openDispute('c'.repeat(64)));
      expect(sut.run(decide('lost', 'c'.repeat(64)))).toHaveLength(2);
      expect(sut.run(decide('lost', 'c'.repeat(64)))).toEqual([]);
      expectLedgerError(() => sut.run(decide('won', 'c'.repeat(64))), 'TERMINAL_STATE');
      expectLedgerError(() => sut.run(openDispute('b'.repeat(64))), 'ALREADY_DISPUTED');
    });

    it('refuses a bad outcome (INVALID_COMMAND)', () => {
      const sut = settledPayment();
      sut.run(openDispute());
      expectLedgerError(
        () => sut.run({ ...decide('won'), outcome: 'draw' } as unknown as PaymentCommand),
        LedgerErrorCode.INVALID_COMMAND,
      );
    });
  });

  describe('evolve', () => {
    it('refuses an envelope out of sequence or of another stream (STREAM_MISMATCH)', () => {
      const sut = settledPayment();
      const [first] = sut.envelopes;
      expectLedgerError(() => sut['aggregate'].evolve(sut.state, first), 'STREAM_MISMATCH');
      const other = paymentHarness();
      expectLedgerError(
        () => other['aggregate'].evolve(other.state, { ...first, streamType: 'session' }),
        'STREAM_MISMATCH',
      );
    });
  });
});
