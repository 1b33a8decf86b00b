import {
  Clock,
  EventFactory,
  decidePayment,
  evolvePayment,
  initialPaymentState,
  paymentId as derivePaymentId,
  refundId as deriveRefundId,
  type EventEnvelope,
  type PaymentCommand,
} from '@x402-ledger/ledger';

import { ledgerFigures, projectedStatus } from './ledger-reconcile.service';
import { LedgerSnapshot } from './ledger-snapshot';

const NETWORK = 'eip155:84532';
const ASSET = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const PAYER = '0x109e5E0a5D2A4C5b1f2E3D4c5B6a7980A1b2C3d4';
const PAY_TO = '0x209E5e0A5d2a4c5B1F2e3d4C5b6A7980a1B2c3D5';
const SIGNER = '0x309e5E0a5D2A4C5b1f2E3D4c5B6a7980A1b2C3d6';
const NOW = new Date('2026-03-01T12:00:00.000Z');
const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

class FixedClock extends Clock {
  now(): Date {
    return NOW;
  }
}

function stream(nonceByte: string, commands: (paymentId: string) => PaymentCommand[]): EventEnvelope[] {
  const nonce = `0x${nonceByte.repeat(32)}`;
  const paymentId = derivePaymentId({ network: NETWORK, asset: ASSET, payer: PAYER, nonce });
  const factory = new EventFactory(new FixedClock());
  let state = initialPaymentState();
  const out: EventEnvelope[] = [];
  for (const command of commands(paymentId)) {
    const drafts = decidePayment(state, command, { tenant: 'acme', now: NOW });
    const built = factory.create({ streamType: 'payment', streamId: paymentId, lastSequence: state.sequence }, drafts, {
      tenant: 'acme',
      correlationId: 'c',
      causationId: null,
      producer: 'spec',
    });
    for (const e of built) state = evolvePayment(state, e);
    out.push(...built);
  }
  return out;
}

const common = (paymentId: string, amount: string) => ({
  paymentId,
  scheme: 'exact',
  network: NETWORK,
  asset: ASSET,
  amount,
  payer: PAYER,
  payTo: PAY_TO,
  resourceUrl: 'https://api.example.com/weather',
});

const settled = (paymentId: string, amount: string, n: number): PaymentCommand => ({
  type: 'RecordSettled',
  data: {
    ...common(paymentId, amount),
    txHash: tx(n),
    blockNumber: String(100 + n),
    blockTimestamp: NOW.toISOString(),
    logIndex: 3,
    gasUsed: '50000',
    effectiveGasPrice: '1000000000',
    signer: SIGNER,
  },
});

function refunded(paymentId: string, key: string, amount: string, n: number, method: 'authorization' | 'hot_wallet') {
  const refundId = deriveRefundId({ paymentId, idempotencyKey: key });
  return [
    {
      type: 'RequestRefund',
      data: { refundId, paymentId, amount, reason: 'r', requestedBy: 'provider', idempotencyKey: key },
    },
    { type: 'ApproveRefund', data: { refundId, approvedBy: 'provider' } },
    { type: 'SubmitRefund', data: { refundId, txHash: tx(n), method } },
    { type: 'RecordRefundSucceeded', data: { refundId, txHash: tx(n), blockNumber: String(100 + n), amount } },
  ] as PaymentCommand[];
}

describe('LedgerSnapshot', () => {
  const a = stream('aa', (id) => [
    settled(id, '1000', 1),
    ...refunded(id, 'k1', '300', 2, 'authorization'),
    ...refunded(id, 'k2', '200', 3, 'hot_wallet'),
  ]);
  const b = stream('bb', (id) => [settled(id, '5000', 4)]);

  it('folds payment streams and lists their settlements and succeeded refunds as chain facts', () => {
    const sut = LedgerSnapshot.of([...a, ...b]);
    const paymentA = a[0]!.streamId;
    expect(sut.payment('acme', paymentA)?.state).toMatchObject({
      status: 'partially_refunded',
      settledAmount: '1000',
      refundedAmount: '500',
    });
    const facts = sut.chainFacts(NETWORK);
    expect(facts.map((f) => [f.kind, f.txHash, f.from, f.to, f.amount, f.logIndex, f.blockNumber])).toEqual([
      ['settlement', tx(1), PAYER.toLowerCase(), PAY_TO.toLowerCase(), 1000n, 3, 101n],
      ['refund', tx(2), PAY_TO.toLowerCase(), PAYER.toLowerCase(), 300n, null, 102n],
      ['refund', tx(3), null, PAYER.toLowerCase(), 200n, null, 103n],
      ['settlement', tx(4), PAYER.toLowerCase(), PAY_TO.toLowerCase(), 5000n, 3, 104n],
    ]);
    expect(facts.every((f) => f.asset === ASSET.toLowerCase() && f.tenant === 'acme')).toBe(true);
    expect(sut.chainFacts('eip155:1')).toEqual([]);
    expect(sut.payment('acme', paymentA)?.settledAt).toBe(NOW.toISOString());
  });

  it('ignores redelivered events and records events that do not fold instead of throwing', () => {
    const broken = { ...b[0]!, id: 'x', sequence: 1, streamId: 'f'.repeat(64), data: { nope: true } };
    const sut = LedgerSnapshot.of([...b, b[0]!, broken]);
    expect(sut.eventsRead).toBe(3);
    expect(sut.chainFacts()).toHaveLength(1);
    expect(sut.rejected).toEqual([expect.objectContaining({ eventId: 'x', type: 'payment.settled' })]);
  });

  it('figures in the projection’s vocabulary', () => {
    const sut = LedgerSnapshot.of(a);
    expect(ledgerFigures(sut.payment('acme', a[0]!.streamId)!)).toEqual({
      status: 'settled',
      settled: '1000',
      refunded: '500',
      txHash: tx(1),
      settledAt: NOW.toISOString(),
    });
    expect(projectedStatus('settlement_submitted')).toBe('submitted');
    expect(projectedStatus('refunded')).toBe('settled');
    expect(projectedStatus('disputed')).toBe('settled');
    expect(projectedStatus('settlement_failed')).toBe('settlement_failed');
  });
});
