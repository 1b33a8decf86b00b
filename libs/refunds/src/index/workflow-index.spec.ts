import { disputeId, refundId } from '@x402-ledger/ledger';
import { buildEnvelopes, ManualClock, settledPaymentCommands } from '../testing/payment-stream.fixture';
import { WorkflowIndex } from './workflow-index';

const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OTHER_PAYER = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

describe('WorkflowIndex', () => {
  const clock = new ManualClock(new Date('2030-01-01T10:00:00.000Z'));
  const at = (minutes: number) => clock.set(new Date(Date.parse('2030-01-01T10:00:00.000Z') + minutes * 60_000));

  function settle(
    sut: WorkflowIndex,
    minutes: number,
    over: { payer?: string; amount?: string; resourceUrl?: string; tenant?: string } = {},
  ) {
    at(minutes);
    const { paymentId, commands } = settledPaymentCommands({
      payer: over.payer ?? PAYER,
      amount: over.amount ?? '100',
      resourceUrl: over.resourceUrl,
    });
    const built = buildEnvelopes(clock, over.tenant ?? 'acme', paymentId, commands);
    built.envelopes.forEach((e) => sut.applyEnvelope(e));
    return { paymentId, ...built };
  }

  it('clusters same payer/resource/amount payments each within the window of the previous', () => {
    const sut = new WorkflowIndex();
    const a = settle(sut, 0);
    const b = settle(sut, 3);
    const c = settle(sut, 6); // 6 min after a, but 3 after b: still one run
    settle(sut, 30); // alone
    settle(sut, 31, { amount: '101' });
    settle(sut, 32, { resourceUrl: 'http://127.0.0.1:4021/other' });
    settle(sut, 33, { payer: OTHER_PAYER });
    const d = settle(sut, 60);
    const e = settle(sut, 64);
    settle(sut, 1, { tenant: 'beta' });
    const clusters = sut.duplicateClusters('acme', 5 * 60_000);
    expect(clusters.map((k) => k.payments.map((p) => p.paymentId))).toEqual([
      [a.paymentId, b.paymentId, c.paymentId],
      [d.paymentId, e.paymentId],
    ]);
    expect(sut.duplicateClusters('acme', 60_000)).toEqual([]);
    expect(sut.duplicateClusters('beta', 5 * 60_000)).toEqual([]);
  });

  it('is idempotent: re-applying the same envelopes changes nothing', () => {
    const sut = new WorkflowIndex();
    const a = settle(sut, 0);
    settle(sut, 1);
    a.envelopes.forEach((e) => sut.applyEnvelope(e));
    expect(sut.duplicateClusters(null, 5 * 60_000)[0].payments).toHaveLength(2);
  });

  it('follows refunds and sums hot-wallet spend per UTC day, failed ones excluded', () => {
    const sut = new WorkflowIndex();
    const p1 = settle(sut, 0, { amount: '500' });
    const r1 = refundId({ paymentId: p1.paymentId, idempotencyKey: 'a' });
    at(10);
    const refund1 = buildEnvelopes(
      clock,
      'acme',
      p1.paymentId,
      [
        {
          type: 'RequestRefund',
          data: {
            refundId: r1,
            paymentId: p1.paymentId,
            amount: '200',
            reason: 'x',
            requestedBy: 'provider',
            idempotencyKey: 'a',
          },
        },
        { type: 'ApproveRefund', data: { refundId: r1, approvedBy: 'p' } },
        { type: 'SubmitRefund', data: { refundId: r1, txHash: `0x${'01'.repeat(32)}`, method: 'hot_wallet' } },
      ],
      p1.state,
    );
    refund1.envelopes.forEach((e) => sut.applyEnvelope(e));
    expect(sut.refund(r1)).toMatchObject({
      status: 'submitted',
      method: 'hot_wallet',
      submittedAt: clock.now().toISOString(),
    });
    expect(sut.hotWalletSpend('eip155:31337', '0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc', clock.now())).toBe(200n);
    expect(
      sut.hotWalletSpend(
        'eip155:31337',
        '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
        new Date('2030-01-02T00:00:00.000Z'),
      ),
    ).toBe(0n);
    const failed = buildEnvelopes(
      clock,
      'acme',
      p1.paymentId,
      [{ type: 'RecordRefundFailed', data: { refundId: r1, reason: 'reverted', txHash: `0x${'01'.repeat(32)}` } }],
      refund1.state,
    );
    failed.envelopes.forEach((e) => sut.applyEnvelope(e));
    expect(sut.refund(r1)?.status).toBe('failed');
    expect(sut.hotWalletSpend('eip155:31337', '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc', clock.now())).toBe(0n);
  });

  it('lists disputes awaiting a response past their respondBy, not those answered', () => {
    const sut = new WorkflowIndex();
    const p = settle(sut, 0);
    const q = settle(sut, 1, { amount: '7' });
    const open = (paymentId: string, state: typeof p.state, key: string) => {
      const id = disputeId({ paymentId, idempotencyKey: key });
      const built = buildEnvelopes(
        clock,
        'acme',
        paymentId,
        [
          {
            type: 'OpenDispute',
            data: {
              disputeId: id,
              paymentId,
              reason: 'not_received',
              evidence: [],
              respondBy: '2030-01-02T00:00:00.000Z',
              openedBy: 'payer:x',
            },
          },
        ],
        state,
      );
      built.envelopes.forEach((e) => sut.applyEnvelope(e));
      return { id, state: built.state };
    };
    const d1 = open(p.paymentId, p.state, 'k1');
    const d2 = open(q.paymentId, q.state, 'k2');
    buildEnvelopes(
      clock,
      'acme',
      q.paymentId,
      [{ type: 'SubmitDisputeEvidence', data: { disputeId: d2.id, party: 'provider', evidence: ['served'] } }],
      d2.state,
    ).envelopes.forEach((e) => sut.applyEnvelope(e));
    expect(sut.dueDisputes(new Date('2030-01-01T23:59:59.999Z'))).toEqual([]);
    expect(sut.dueDisputes(new Date('2030-01-02T00:00:00.000Z')).map((d) => d.disputeId)).toEqual([d1.id]);
  });
});
