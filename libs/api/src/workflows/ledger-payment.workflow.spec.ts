import {
  Clock,
  decidePayment,
  EventFactory,
  evolvePayment,
  initialPaymentState,
  LedgerErrorCode,
  paymentId as derivePaymentId,
  refundId,
  type EventEnvelope,
  type PaymentCommand,
} from '@x402-ledger/ledger';
import { providerPrincipal } from '@x402-ledger/auth';
import { ApiErrorCode } from '../api.exception';
import { InMemoryEventLog } from '../testing/in-memory-event-log';
import { LedgerPaymentWorkflow } from './ledger-payment.workflow';
import { PaymentStateStore } from './payment-state.store';
import { RefundTransfer } from './refund-transfer.port';

class FixedClock extends Clock {
  now(): Date {
    return new Date('2026-03-02T00:00:00.000Z');
  }
}

const NETWORK = 'eip155:84532';
const ASSET = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const PAYER = '0x857b06519E91e3A54538791bDbb0E22373e36b66';
const PAY_TO = '0x209693Bc6afc0C5328bA36FaF03C514EF312287C';
const NONCE = `0x${'12'.repeat(32)}`;
const PID = derivePaymentId({ network: NETWORK, asset: ASSET, payer: PAYER, nonce: NONCE });

/** A settled payment of 1000 on tenant `acme`, written by the ledger's own decide + EventFactory. */
function settledPayment(): EventEnvelope[] {
  const common = {
    paymentId: PID,
    scheme: 'exact',
    network: NETWORK,
    asset: ASSET,
    amount: '1000',
    payer: PAYER,
    payTo: PAY_TO,
    resourceUrl: null,
  };
  const commands: PaymentCommand[] = [
    {
      type: 'RecordVerified',
      data: {
        ...common,
        nonce: NONCE,
        validAfter: '0',
        validBefore: '9999999999',
        x402Version: 2,
        assetTransferMethod: 'eip3009',
        signatureKind: 'eoa',
      },
    },
    {
      type: 'RecordSettled',
      data: {
        ...common,
        txHash: `0x${'ab'.repeat(32)}`,
        blockNumber: '1',
        blockTimestamp: '2026-03-01T00:00:00.000Z',
        logIndex: 0,
        gasUsed: '1',
        effectiveGasPrice: '1',
        signer: PAY_TO,
      },
    },
  ];
  const factory = new EventFactory(new FixedClock());
  let state = initialPaymentState();
  const out: EventEnvelope[] = [];
  for (const command of commands) {
    const created = factory.create(
      { streamType: 'payment', streamId: PID, lastSequence: state.sequence },
      decidePayment(state, command, { tenant: 'acme', now: new FixedClock().now() }),
      { tenant: 'acme', correlationId: 'c', causationId: null, producer: 'spec' },
    );
    state = created.reduce(evolvePayment, state);
    out.push(...created);
  }
  return out;
}

class FakeTransfer extends RefundTransfer {
  sends = 0;
  constructor(private readonly succeed: boolean) {
    super();
  }
  async send() {
    this.sends++;
    return { txHash: `0x${'cd'.repeat(32)}`, method: 'hot_wallet' as const };
  }
  async confirm() {
    return this.succeed
      ? { success: true as const, blockNumber: '7' }
      : { success: false as const, reason: 'reverted' };
  }
}

function setup(transfer: RefundTransfer | null = null) {
  const log = new InMemoryEventLog();
  const store = new PaymentStateStore();
  const seed = settledPayment();
  log.records.push(...seed);
  store.apply(seed);
  const sut = new LedgerPaymentWorkflow(log, store, new FixedClock(), transfer);
  const ctx = (key: string) => ({
    tenant: 'acme',
    paymentId: PID,
    principal: providerPrincipal('key:1', 'acme', []),
    actor: 'key:1',
    idempotencyKey: key,
    correlationId: 'req-1',
  });
  return { sut, log, store, ctx };
}

describe('LedgerPaymentWorkflow', () => {
  it("requests, approves and executes a refund, appending the aggregate's events in order", async () => {
    const transfer = new FakeTransfer(true);
    const { sut, log, ctx } = setup(transfer);
    const requested = await sut.requestRefund({
      ...ctx('r1'),
      amount: '400',
      reason: 'asked',
      requestedBy: 'provider',
    });
    expect(requested.result).toMatchObject({
      refundId: refundId({ paymentId: PID, idempotencyKey: 'r1' }),
      status: 'requested',
      amount: '400',
    });
    expect(
      (await sut.requestRefund({ ...ctx('r1'), amount: '400', reason: 'asked', requestedBy: 'provider' })).replayed,
    ).toBe(true);
    const id = requested.result.refundId;
    expect(await sut.locateRefund(id)).toBe(PID);
    await sut.approveRefund({ ...ctx('a1'), refundId: id });
    const done = await sut.executeRefund({ ...ctx('x1'), refundId: id });
    expect(done.result).toMatchObject({ status: 'succeeded', txHash: `0x${'cd'.repeat(32)}`, method: 'hot_wallet' });
    expect(done.payment).toMatchObject({ refundedAmount: '400', status: 'partially_refunded' });
    expect((await sut.executeRefund({ ...ctx('x2'), refundId: id })).replayed).toBe(true);
    expect(transfer.sends).toBe(1);
    expect(log.records.map((r) => r.type).slice(2)).toEqual([
      'refund.requested',
      'refund.approved',
      'refund.submitted',
      'refund.succeeded',
    ]);
    expect(log.records.slice(2).every((r) => r.correlationId === 'req-1' && r.producer === 'api@0.1.0')).toBe(true);
  });

  it('records a failed on-chain refund; without a transfer binding execution is NOT_AVAILABLE', async () => {
    const failing = setup(new FakeTransfer(false));
    const r = await failing.sut.requestRefund({
      ...failing.ctx('r'),
      amount: null,
      reason: 'all',
      requestedBy: 'provider',
    });
    expect(r.result.amount).toBe('1000');
    await failing.sut.approveRefund({ ...failing.ctx('a'), refundId: r.result.refundId });
    expect(
      (await failing.sut.executeRefund({ ...failing.ctx('x'), refundId: r.result.refundId })).result,
    ).toMatchObject({ status: 'failed', failureReason: 'reverted' });

    const unbound = setup(null);
    const q = await unbound.sut.requestRefund({
      ...unbound.ctx('r'),
      amount: '1',
      reason: 'x',
      requestedBy: 'provider',
    });
    await unbound.sut.approveRefund({ ...unbound.ctx('a'), refundId: q.result.refundId });
    await expect(unbound.sut.executeRefund({ ...unbound.ctx('x'), refundId: q.result.refundId })).rejects.toMatchObject(
      { code: ApiErrorCode.NOT_AVAILABLE },
    );
  });

  it('serializes concurrent commands on one payment: exactly one of two racing refunds gets in', async () => {
    const { sut, log, ctx } = setup();
    const results = await Promise.allSettled([
      sut.requestRefund({ ...ctx('one'), amount: '10', reason: 'x', requestedBy: 'provider' }),
      sut.requestRefund({ ...ctx('two'), amount: '10', reason: 'x', requestedBy: 'provider' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: LedgerErrorCode.REFUND_IN_FLIGHT },
    });
    expect(log.records.filter((r) => r.type === 'refund.requested')).toHaveLength(1);
    expect(new Set(log.records.map((r) => r.sequence)).size).toBe(log.records.length);
  });

  it('opens, evidences and decides disputes; LOST also requests the payout refund', async () => {
    const { sut, ctx } = setup();
    const opened = await sut.openDispute({
      ...ctx('d'),
      reason: 'not_received',
      evidence: ['e'],
      respondBy: '2026-03-09T00:00:00.000Z',
    });
    expect(opened.result).toMatchObject({ status: 'needs_response', amount: '1000', evidenceCount: 1 });
    const id = opened.result.disputeId;
    await sut.submitDisputeEvidence({ ...ctx('e'), disputeId: id, party: 'provider', evidence: ['p1', 'p2'] });
    const lost = await sut.resolveDispute({ ...ctx('l'), disputeId: id, outcome: 'lost', note: null });
    expect(lost.result).toMatchObject({ status: 'lost', evidenceCount: 3, decidedBy: 'key:1' });
    expect(lost.payoutRefund).toMatchObject({
      status: 'requested',
      amount: '1000',
      requestedBy: 'arbiter',
      disputeId: id,
    });
    await expect(sut.withdrawDispute({ ...ctx('w'), disputeId: id })).rejects.toMatchObject({
      code: LedgerErrorCode.TERMINAL_STATE,
    });
  });

  it("treats another tenant's payment as not found", async () => {
    const { sut, ctx } = setup();
    await expect(
      sut.requestRefund({ ...ctx('r'), tenant: 'globex', amount: '1', reason: 'x', requestedBy: 'provider' }),
    ).rejects.toMatchObject({
      code: LedgerErrorCode.NOT_FOUND,
    });
  });
});
