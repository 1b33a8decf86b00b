import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { PaymentCommand } from '../aggregates/payment/payment.commands';
import { initialPaymentState } from '../aggregates/payment/payment.state';
import { decodeEnvelope } from '../envelope/envelope.codec';
import { disputePayoutKey } from '../ids/ledger-ids.util';
import {
  ASSET,
  DISPUTE_ID,
  expectLedgerError,
  NETWORK,
  PAY_TO,
  PAYER,
  PAYMENT_ID,
  refundCommand,
  refundIdOf,
  settledPayment,
  SIGNER,
  TENANT,
  TX,
} from '../testing/ledger-test-data';
import { assertBalanced, Balances } from './balances';
import { LedgerJournal } from './journal';
import { accounts, assetKey, nativeAssetKey } from './posting';
import { postingsFor } from './postings';

const usdc = assetKey(NETWORK, ASSET);
const native = nativeAssetKey(NETWORK);
const payer = accounts.payer(PAYER);
const revenue = accounts.providerRevenue(TENANT, PAY_TO);
const payable = accounts.providerRefundsPayable(TENANT, PAY_TO);
const held = accounts.disputesHeld(PAYMENT_ID);

function book(sut: ReturnType<typeof settledPayment>): LedgerJournal {
  const journal = new LedgerJournal();
  sut.envelopes.forEach((e) => journal.record(e));
  return journal;
}

describe('postings', () => {
  it('posts a settlement: payer → provider revenue, facilitator gas → network fees', () => {
    const sut = settledPayment();
    const settled = sut.envelopes[2];
    const postings = postingsFor(settled);
    expect(postings).toEqual([
      { account: payer, asset: usdc, debit: 1000000n, credit: 0n },
      { account: revenue, asset: usdc, debit: 0n, credit: 1000000n },
      { account: accounts.facilitatorGas(SIGNER), asset: native, debit: 60000n * 1000000000n, credit: 0n },
      { account: 'network_fees', asset: native, debit: 0n, credit: 60000n * 1000000000n },
    ]);
    expect(usdc).toBe(`eip155:84532/${ASSET.toLowerCase()}`);
    expect(postingsFor(sut.envelopes[0])).toEqual([]);
  });

  it('holds an approved refund in refunds_payable, pays it out, and releases a failed one', () => {
    const sut = settledPayment();
    const id = refundIdOf('r1');
    sut.run(refundCommand('r1', '300'));
    sut.run({ type: 'ApproveRefund', data: { refundId: id, approvedBy: 'ops' } });
    let b = book(sut).balances;
    expect([b.of(revenue, usdc), b.of(payable, usdc)]).toEqual([999700n, 300n]);
    sut.run({ type: 'SubmitRefund', data: { refundId: id, txHash: TX(5), method: 'hot_wallet' } });
    sut.run({ type: 'RecordRefundSucceeded', data: { refundId: id, txHash: TX(5), blockNumber: '9', amount: '300' } });
    b = book(sut).balances;
    expect([b.of(revenue, usdc), b.of(payable, usdc), b.of(payer, usdc)]).toEqual([999700n, 0n, -999700n]);

    const id2 = refundIdOf('r2');
    sut.run(refundCommand('r2', '50'));
    sut.run({ type: 'ApproveRefund', data: { refundId: id2, approvedBy: 'ops' } });
    sut.run({ type: 'RecordRefundFailed', data: { refundId: id2, reason: 'no funds', txHash: null } });
    b = book(sut).balances;
    expect([b.of(revenue, usdc), b.of(payable, usdc)]).toEqual([999700n, 0n]);
    expect(b.total(usdc)).toBe(0n);
    expect(b.total(native)).toBe(0n);
  });

  it('holds disputed funds, returns them on a win, and pays a lost dispute from the hold only', () => {
    const open: PaymentCommand = {
      type: 'OpenDispute',
      data: {
        disputeId: DISPUTE_ID,
        paymentId: PAYMENT_ID,
        reason: 'fraudulent',
        evidence: [],
        respondBy: '2026-04-01T00:00:00.000Z',
        openedBy: 'payer',
      },
    };
    const won = settledPayment();
    won.run(open);
    expect(book(won).balances.of(held, usdc)).toBe(1000000n);
    expect(book(won).balances.of(revenue, usdc)).toBe(0n);
    won.run({ type: 'StartDisputeReview', data: { disputeId: DISPUTE_ID } });
    won.run({ type: 'DecideDispute', outcome: 'won', data: { disputeId: DISPUTE_ID, decidedBy: 'a', note: null } });
    expect(book(won).balances.of(revenue, usdc)).toBe(1000000n);
    expect(book(won).balances.of(held, usdc)).toBe(0n);

    const lost = settledPayment();
    lost.run(open);
    lost.run({ type: 'DecideDispute', outcome: 'lost', data: { disputeId: DISPUTE_ID, decidedBy: 'a', note: null } });
    const auto = refundIdOf(disputePayoutKey(DISPUTE_ID));
    lost.run({ type: 'CancelRefund', data: { refundId: auto, reason: 'partial award' } });
    const key = disputePayoutKey(DISPUTE_ID, 2);
    const id = refundIdOf(key);
    lost.run(refundCommand(key, '600000', { disputeId: DISPUTE_ID, requestedBy: 'arbiter' }));
    lost.run({ type: 'ApproveRefund', data: { refundId: id, approvedBy: 'a' } });
    expect(book(lost).balances.of(payable, usdc)).toBe(0n);
    expect(book(lost).balances.of(held, usdc)).toBe(1000000n);
    lost.run({ type: 'SubmitRefund', data: { refundId: id, txHash: TX(6), method: 'hot_wallet' } });
    lost.run({
      type: 'RecordRefundSucceeded',
      data: { refundId: id, txHash: TX(6), blockNumber: '9', amount: '600000' },
    });
    const b = book(lost).balances;
    expect([b.of(payer, usdc), b.of(held, usdc), b.of(revenue, usdc)]).toEqual([-400000n, 0n, 400000n]);
  });

  it('needs the payment state before a refund or dispute event', () => {
    const sut = settledPayment();
    sut.run(refundCommand('r1', '1'));
    sut.run({ type: 'ApproveRefund', data: { refundId: refundIdOf('r1'), approvedBy: 'ops' } });
    const approved = sut.envelopes[4];
    expectLedgerError(() => postingsFor(approved), 'STREAM_MISMATCH');
    expectLedgerError(() => postingsFor(approved, initialPaymentState()), 'STREAM_MISMATCH');
    expectLedgerError(() => postingsFor(approved, sut.state), 'STREAM_MISMATCH');
  });

  it('posts nothing for other streams', () => {
    const journal = new LedgerJournal();
    const other = decodeEnvelope(
      readFileSync(join(__dirname, '..', 'events', '__fixtures__', 'v1', 'discovery.resource_updated.event')),
    );
    expect(journal.record(other)).toEqual([]);
  });
});

describe('Balances', () => {
  it('folds postings into credit − debit per account and asset', () => {
    const sut = new Balances();
    sut.apply([
      { account: 'a', asset: 'x', debit: 5n, credit: 0n },
      { account: 'b', asset: 'x', debit: 0n, credit: 5n },
    ]);
    sut.apply([
      { account: 'b', asset: 'x', debit: 2n, credit: 0n },
      { account: 'a', asset: 'x', debit: 0n, credit: 2n },
    ]);
    expect([sut.of('a', 'x'), sut.of('b', 'x'), sut.of('c', 'x')]).toEqual([-3n, 3n, 0n]);
    expect(sut.entries().map((e) => [e.account, e.debit, e.credit])).toEqual([
      ['a', 5n, 2n],
      ['b', 2n, 5n],
    ]);
  });

  it('refuses unbalanced or malformed postings without applying them', () => {
    const sut = new Balances();
    expectLedgerError(
      () =>
        sut.apply([
          { account: 'a', asset: 'x', debit: 5n, credit: 0n },
          { account: 'b', asset: 'x', debit: 0n, credit: 4n },
        ]),
      'UNBALANCED_POSTINGS',
    );
    expectLedgerError(
      () =>
        assertBalanced([
          { account: 'a', asset: 'x', debit: 5n, credit: 0n },
          { account: 'b', asset: 'y', debit: 0n, credit: 5n },
        ]),
      'UNBALANCED_POSTINGS',
    );
    expectLedgerError(
      () => assertBalanced([{ account: 'a', asset: 'x', debit: 1n, credit: 1n }]),
      'UNBALANCED_POSTINGS',
    );
    expectLedgerError(
      () => assertBalanced([{ account: 'a', asset: 'x', debit: -1n, credit: 0n }]),
      'UNBALANCED_POSTINGS',
    );
    expect(sut.entries()).toEqual([]);
  });
});
