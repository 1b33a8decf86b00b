import fc from 'fast-check';

import { canonicalJson } from '../../envelope/canonical-json.util';
import { decodeEnvelope, encodeEnvelope } from '../../envelope/envelope.codec';
import { disputePayoutKey } from '../../ids/ledger-ids.util';
import { LedgerErrorCode, LedgerException } from '../../ledger.exception';
import { accounts, assetKey } from '../../postings/posting';
import { LedgerJournal } from '../../postings/journal';
import {
  ASSET,
  NETWORK,
  PAYER,
  PAY_TO,
  PAYMENT_ID,
  paymentHarness,
  refundCommand,
  refundIdOf,
  settledData,
  settlementFailedData,
  submittedData,
  TENANT,
  TX,
  verificationFailedData,
  verifiedData,
} from '../../testing/ledger-test-data';
import { replay } from '../aggregate';
import { paymentAggregate } from './payment.aggregate';
import type { PaymentCommand } from './payment.commands';
import {
  OPEN_DISPUTE_STATUSES,
  REFUND_IN_FLIGHT_STATUSES,
  TERMINAL_PAYMENT_STATUSES,
  type PaymentState,
} from './payment.state';

const DISPUTES = ['1', '2', '3'].map((c) => c.repeat(64));
/** Ordinary refund keys, then the automatic payout key of each dispute, then each dispute's second payout attempt. */
const KEYS = [
  'a',
  'b',
  'c',
  ...DISPUTES.map((d) => disputePayoutKey(d)),
  ...DISPUTES.map((d) => disputePayoutKey(d, 2)),
];
const PAYOUT_KEY = (d: number): number => 3 + d;

/** Abstract steps, turned into commands against the current state (so amounts can refer to it). */
type Step =
  | { kind: 'verified' | 'verification_failed' | 'settlement_failed' }
  | { kind: 'submitted'; tx: number }
  | { kind: 'settled'; tx: number }
  | { kind: 'request'; key: number; tenths: number | 'rest'; dispute: number | null }
  | { kind: 'approve' | 'fail' | 'cancel'; key: number }
  | { kind: 'submit'; key: number; tx: number }
  | { kind: 'succeed'; key: number; tx: number; exact: boolean }
  | { kind: 'open'; dispute: number }
  | { kind: 'evidence' | 'review' | 'won' | 'lost' | 'withdraw'; dispute: number };

const key = fc.integer({ min: 0, max: KEYS.length - 1 });
const dispute = fc.integer({ min: 0, max: DISPUTES.length - 1 });
const tx = fc.integer({ min: 1, max: 3 });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('verified', 'verification_failed', 'settlement_failed')
      .map((kind) => ({ kind }) as Step),
  },
  { weight: 1, arbitrary: tx.map((t) => ({ kind: 'submitted', tx: t }) as Step) },
  { weight: 2, arbitrary: tx.map((t) => ({ kind: 'settled', tx: t }) as Step) },
  {
    weight: 6,
    arbitrary: fc
      .record({
        key,
        tenths: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant('rest' as const)),
        dispute: fc.option(dispute, { nil: null, freq: 3 }),
      })
      .map((r) => ({ kind: 'request', ...r }) as Step),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constantFrom('approve', 'fail', 'cancel'), key }) as fc.Arbitrary<Step>,
  },
  { weight: 3, arbitrary: fc.record({ key, tx }).map((r) => ({ kind: 'submit', ...r }) as Step) },
  {
    weight: 4,
    arbitrary: fc
      .record({ key, tx, exact: fc.boolean() })
      .map((r) => ({ kind: 'succeed', ...r, exact: r.exact || r.key % 2 === 0 }) as Step),
  },
  { weight: 2, arbitrary: dispute.map((d) => ({ kind: 'open', dispute: d }) as Step) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom('evidence', 'review', 'won', 'lost', 'withdraw'),
      dispute,
    }) as fc.Arbitrary<Step>,
  },
);

/** Whole happy paths as one chunk, so long lifecycles are reached often enough; single steps interleave with them. */
const refundChainArb: fc.Arbitrary<Step[]> = fc
  .record({ key, tenths: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant('rest' as const)), tx })
  .map(({ key: k, tenths, tx: t }) => [
    { kind: 'request', key: k, tenths, dispute: null },
    { kind: 'approve', key: k },
    { kind: 'submit', key: k, tx: t },
    { kind: 'succeed', key: k, tx: t, exact: true },
  ]);
const disputeChainArb: fc.Arbitrary<Step[]> = fc
  .record({ dispute, outcome: fc.constantFrom('won', 'lost', 'withdraw') as fc.Arbitrary<'won' | 'lost' | 'withdraw'> })
  .map(({ dispute: d, outcome }) => [
    { kind: 'open', dispute: d },
    { kind: 'review', dispute: d },
    { kind: outcome, dispute: d },
    { kind: 'approve', key: PAYOUT_KEY(d) },
    { kind: 'submit', key: PAYOUT_KEY(d), tx: 1 },
    { kind: 'succeed', key: PAYOUT_KEY(d), tx: 1, exact: true },
  ]);
/** Random operations aimed at one refund / one dispute, so out-of-order and after-terminal commands are common. */
const refundChaosArb: fc.Arbitrary<Step[]> = fc
  .record({
    key,
    tx,
    ops: fc.array(fc.constantFrom('approve', 'fail', 'cancel', 'submit', 'succeed', 'request'), { maxLength: 5 }),
  })
  .map(({ key: k, tx: t, ops }) => [
    { kind: 'request', key: k, tenths: 3, dispute: null } as Step,
    ...ops.map((op): Step => {
      if (op === 'submit') return { kind: 'submit', key: k, tx: t };
      if (op === 'succeed') return { kind: 'succeed', key: k, tx: t, exact: true };
      if (op === 'request') return { kind: 'request', key: k, tenths: 3, dispute: null };
      return { kind: op as 'approve' | 'fail' | 'cancel', key: k };
    }),
  ]);
const disputeChaosArb: fc.Arbitrary<Step[]> = fc
  .record({
    dispute,
    ops: fc.array(fc.constantFrom('evidence', 'review', 'won', 'lost', 'withdraw', 'open'), { maxLength: 5 }),
  })
  .map(({ dispute: d, ops }) => [
    { kind: 'open', dispute: d } as Step,
    ...ops.map((op): Step => (op === 'open' ? { kind: 'open', dispute: d } : { kind: op as 'review', dispute: d })),
  ]);
const stepsArb: fc.Arbitrary<Step[]> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: stepArb.map((step) => [step]) },
      { weight: 1, arbitrary: refundChainArb },
      { weight: 1, arbitrary: disputeChainArb },
      { weight: 1, arbitrary: refundChaosArb },
      { weight: 1, arbitrary: disputeChaosArb },
    ),
    { maxLength: 25 },
  )
  .map((chunks) => chunks.flat());

const prefixArb = fc.constantFrom<Step[]>(
  [{ kind: 'verified' }, { kind: 'submitted', tx: 1 }, { kind: 'settled', tx: 1 }],
  [{ kind: 'settled', tx: 2 }],
  [{ kind: 'verification_failed' }, { kind: 'verified' }, { kind: 'settled', tx: 1 }],
  [{ kind: 'verified' }],
  [],
);

const amountArb = fc.oneof(
  fc.bigInt({ min: 1n, max: 20n }),
  fc.bigInt({ min: 1n, max: 10n ** 30n }),
  fc.constant(10n ** 77n),
);

function toCommand(step: Step, state: PaymentState, amount: string): PaymentCommand {
  const refundKey = 'key' in step ? KEYS[step.key] : 'none';
  const refundId = refundIdOf(refundKey);
  const disputeId = 'dispute' in step && step.dispute !== null ? DISPUTES[step.dispute] : '';
  switch (step.kind) {
    case 'verified':
      return { type: 'RecordVerified', data: verifiedData(amount) };
    case 'verification_failed':
      return { type: 'RecordVerificationFailed', data: verificationFailedData(amount) };
    case 'settlement_failed':
      return { type: 'RecordSettlementFailed', data: settlementFailedData(amount) };
    case 'submitted':
      return { type: 'RecordSettlementSubmitted', data: submittedData(amount, TX(step.tx)) };
    case 'settled':
      return { type: 'RecordSettled', data: settledData(amount, TX(step.tx)) };
    case 'request': {
      const refundable = BigInt(state.settledAmount) - BigInt(state.refundedAmount);
      const base = step.tenths === 'rest' ? refundable : (BigInt(amount) * BigInt(step.tenths)) / 10n;
      const value = base > 0n ? base : 1n;
      // an ordinary request uses the step's key (a reserved payout key is refused); a linked one the retry key
      if (step.dispute === null) return refundCommand(refundKey, value.toString());
      return refundCommand(disputePayoutKey(disputeId, 2), value.toString(), { disputeId, requestedBy: 'arbiter' });
    }
    case 'approve':
      return { type: 'ApproveRefund', data: { refundId, approvedBy: 'ops' } };
    case 'fail':
      return { type: 'RecordRefundFailed', data: { refundId, reason: 'reverted', txHash: null } };
    case 'cancel':
      return { type: 'CancelRefund', data: { refundId, reason: 'merchant_request' } };
    case 'submit':
      return { type: 'SubmitRefund', data: { refundId, txHash: TX(100 + step.tx), method: 'hot_wallet' } };
    case 'succeed': {
      const requested = state.refunds[refundId]?.amount ?? '1';
      const value = step.exact ? requested : (BigInt(requested) + 1n).toString();
      return {
        type: 'RecordRefundSucceeded',
        data: { refundId, txHash: TX(100 + step.tx), blockNumber: '77', amount: value },
      };
    }
    case 'open':
      return {
        type: 'OpenDispute',
        data: {
          disputeId,
          paymentId: PAYMENT_ID,
          reason: 'not_as_described',
          evidence: [],
          respondBy: '2026-04-01T00:00:00.000Z',
          openedBy: 'payer',
        },
      };
    case 'evidence':
      return { type: 'SubmitDisputeEvidence', data: { disputeId, party: 'provider', evidence: ['receipt'] } };
    case 'review':
      return { type: 'StartDisputeReview', data: { disputeId } };
    case 'won':
    case 'lost':
      return { type: 'DecideDispute', outcome: step.kind, data: { disputeId, decidedBy: 'arbiter', note: 'ruling' } };
    case 'withdraw':
      return { type: 'WithdrawDispute', data: { disputeId } };
  }
}

const asset = assetKey(NETWORK, ASSET);
const payer = accounts.payer(PAYER);
const revenue = accounts.providerRevenue(TENANT, PAY_TO);
const payable = accounts.providerRefundsPayable(TENANT, PAY_TO);
const held = accounts.disputesHeld(PAYMENT_ID);

function checkInvariants(before: PaymentState, after: PaymentState, emitted: number, journal: LedgerJournal): void {
  const settled = BigInt(after.settledAmount);
  const refunded = BigInt(after.refundedAmount);
  // Σ refunds ≤ settled
  expect(refunded <= settled).toBe(true);
  const succeeded = Object.values(after.refunds)
    .filter((r) => r.status === 'succeeded')
    .reduce((sum, r) => sum + BigInt(r.amount), 0n);
  expect(succeeded).toBe(refunded);
  // at most one refund in flight, and it is the one the state names
  const inFlight = Object.values(after.refunds).filter((r) => REFUND_IN_FLIGHT_STATUSES.includes(r.status));
  expect(inFlight.length).toBeLessThanOrEqual(1);
  expect(inFlight[0]?.refundId ?? null).toBe(after.refundInFlight);
  // at most one open dispute
  expect(
    Object.values(after.disputes).filter((d) => OPEN_DISPUTE_STATUSES.includes(d.status)).length,
  ).toBeLessThanOrEqual(1);
  // a dispute and a refund never both pay out: an ordinary refund never runs while a dispute holds the funds,
  // and a lost dispute is paid by at most one succeeded refund
  const holding = Object.values(after.disputes).some(
    (d) => OPEN_DISPUTE_STATUSES.includes(d.status) || (d.status === 'lost' && !d.paidOut),
  );
  if (holding && inFlight.length === 1) expect(inFlight[0].disputeId).not.toBeNull();
  for (const d of Object.values(after.disputes)) {
    const payouts = Object.values(after.refunds).filter((r) => r.disputeId === d.disputeId && r.status === 'succeeded');
    expect(payouts.length).toBeLessThanOrEqual(1);
    expect(d.paidOut).toBe(payouts.length === 1);
  }
  // no move out of a terminal state
  if (TERMINAL_PAYMENT_STATUSES.includes(before.status)) {
    expect(emitted).toBe(0);
    expect(after.status).toBe(before.status);
  }
  for (const r of Object.values(before.refunds)) {
    if (!REFUND_IN_FLIGHT_STATUSES.includes(r.status)) expect(after.refunds[r.refundId]).toEqual(r);
  }
  for (const d of Object.values(before.disputes)) {
    if (!OPEN_DISPUTE_STATUSES.includes(d.status)) expect(after.disputes[d.disputeId].status).toBe(d.status);
  }
  // money: the books agree with the state, every account stays non-negative where it must, Σ = 0
  const b = journal.balances;
  expect(b.total(asset)).toBe(0n);
  if (after.settlement !== null) {
    expect(b.of(payer, asset)).toBe(refunded - settled);
    expect(b.of(revenue, asset) + b.of(payable, asset) + b.of(held, asset)).toBe(settled - refunded);
  }
  expect(b.of(revenue, asset) >= 0n).toBe(true);
  expect(b.of(payable, asset) >= 0n).toBe(true);
  expect(b.of(held, asset) >= 0n).toBe(true);
  const openHeld = Object.values(after.disputes)
    .filter((d) => OPEN_DISPUTE_STATUSES.includes(d.status) || (d.status === 'lost' && !d.paidOut))
    .reduce((sum, d) => sum + BigInt(d.amount), 0n);
  expect(b.of(held, asset)).toBe(openHeld);
}

describe('Payment aggregate (property)', () => {
  it('keeps every invariant over random command sequences and replays to byte-identical state', () => {
    fc.assert(
      fc.property(amountArb, prefixArb, stepsArb, (amount, prefix, steps) => {
        const sut = paymentHarness();
        const journal = new LedgerJournal();
        const value = amount.toString();
        let accepted = 0;
        for (const step of [...prefix, ...steps]) {
          const before = sut.state;
          const beforeBytes = canonicalJson(before);
          let emitted: ReturnType<typeof sut.run>;
          try {
            emitted = sut.run(toCommand(step, before, value));
          } catch (error) {
            expect(error).toBeInstanceOf(LedgerException);
            expect(Object.values(LedgerErrorCode)).toContain((error as LedgerException).code);
            expect(canonicalJson(sut.state)).toBe(beforeBytes);
            continue;
          }
          for (const envelope of emitted) journal.record(envelope);
          accepted += emitted.length;
          checkInvariants(before, sut.state, emitted.length, journal);
        }
        expect(sut.state.sequence).toBe(accepted);
        // replaying the stored bytes rebuilds byte-identical state and books
        const decoded = sut.bytes.map((bytes) => decodeEnvelope(bytes));
        const rebuilt = replay(paymentAggregate, decoded);
        expect(canonicalJson(rebuilt)).toBe(canonicalJson(sut.state));
        const books = new LedgerJournal();
        decoded.forEach((envelope) => books.record(envelope));
        expect(books.balances.entries()).toEqual(journal.balances.entries());
        // a retried append re-encodes to identical bytes
        decoded.forEach((envelope, i) => expect(encodeEnvelope(envelope).equals(sut.bytes[i])).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it('reaches the interesting states (guards the generator against vacuity)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(amountArb, prefixArb, stepsArb, (amount, prefix, steps) => {
        const sut = paymentHarness();
        for (const step of [...prefix, ...steps]) {
          try {
            sut.run(toCommand(step, sut.state, amount.toString()));
          } catch {
            // refused commands are the other property's business
          }
          seen.add(sut.state.status);
          for (const r of Object.values(sut.state.refunds))
            seen.add(`refund:${r.status}${r.disputeId ? ':payout' : ''}`);
          for (const d of Object.values(sut.state.disputes)) seen.add(`dispute:${d.status}`);
        }
      }),
      { numRuns: 300, seed: 42 },
    );
    for (const expected of [
      'settled',
      'partially_refunded',
      'refunded',
      'disputed',
      'settlement_failed',
      'refund:succeeded',
      'refund:succeeded:payout',
      'refund:canceled',
      'refund:failed',
      'dispute:won',
      'dispute:lost',
      'dispute:withdrawn',
    ]) {
      expect([...seen]).toContain(expected);
    }
  });
});
