import { disputeId } from '@x402-ledger/ledger';
import { AccessTokenService, payerPrincipal, SystemClock } from '@x402-ledger/auth';
import { ADMIN_KEY, startApiTestApp, TOKEN_SECRET, type ApiTestApp } from './support/api-test-app';
import { addr, LedgerWriter, type WrittenPayment } from './support/ledger-writer';
import { logTypes, mutate } from './support/mutation-helpers';
import { subscribe } from './support/ws-client';

/**
 * The dispute workflow through GraphQL on the product's binding (the refunds lib's PaymentWorkflowAdapter, as in the
 * daemon: Payment aggregate decide under the payment's lock + EventLog).
 */
describe('dispute mutations (successful)', () => {
  let t: ApiTestApp;
  let acme: string;
  let payer: string;
  let won: WrittenPayment;
  let accepted: WrittenPayment;
  let withdrawn: WrittenPayment;
  const BUYER = addr('buyer');

  beforeAll(async () => {
    const w = new LedgerWriter();
    const at = (h: number) => new Date(Date.UTC(2026, 2, 2, h));
    won = w.payment({ tenant: 'acme', payTo: addr('acme'), payer: BUYER, amount: 1_000_000n, at: at(1) });
    accepted = w.payment({ tenant: 'acme', payTo: addr('acme'), payer: BUYER, amount: 2_000_000n, at: at(2) });
    withdrawn = w.payment({ tenant: 'acme', payTo: addr('acme'), payer: BUYER, amount: 3_000_000n, at: at(3) });
    t = await startApiTestApp({ seed: w.envelopes });
    acme = (await t.keys.create({ role: 'provider', tenant: 'acme', label: 'acme', createdBy: 'test' })).key;
    payer = (await new AccessTokenService(TOKEN_SECRET, new SystemClock()).issue(payerPrincipal('w', BUYER))).token;
  });
  afterAll(async () => t?.close());

  it('a payer opens a dispute on its payment (idempotent), both parties add evidence, an arbiter decides WON', async () => {
    const input = { paymentId: won.paymentId, reason: 'NOT_RECEIVED', evidence: ['order #1'], idempotencyKey: 'd-1' };
    const opened = await mutate(t, 'openDispute', input, payer);
    expect(opened.userErrors).toEqual([]);
    expect(opened.dispute).toMatchObject({
      id: disputeId({ paymentId: won.paymentId, idempotencyKey: 'd-1' }),
      status: 'NEEDS_RESPONSE',
      reason: 'NOT_RECEIVED',
      openedBy: `wallet:${BUYER.toLowerCase()}`,
      evidenceCount: 1,
      amount: '1000000',
    });
    expect(await mutate(t, 'openDispute', input, payer)).toMatchObject({
      replayed: true,
      dispute: { id: opened.dispute!['id'] },
    });
    const id = opened.dispute!['id'];
    expect(
      await mutate(
        t,
        'submitDisputeEvidence',
        { disputeId: id, evidence: ['delivery receipt', 'logs'], idempotencyKey: 'e-1' },
        acme,
      ),
    ).toMatchObject({
      userErrors: [],
      // The provider's response puts the dispute under review (dispute.evidence_submitted + dispute.under_review).
      dispute: { evidenceCount: 3, status: 'UNDER_REVIEW' },
    });
    expect(
      await mutate(
        t,
        'submitDisputeEvidence',
        { disputeId: id, evidence: ['screenshot'], idempotencyKey: 'e-2' },
        payer,
      ),
    ).toMatchObject({
      dispute: { evidenceCount: 4 },
    });
    // The same evidence request repeated with its key is answered, not recorded again.
    expect(
      await mutate(
        t,
        'submitDisputeEvidence',
        { disputeId: id, evidence: ['screenshot'], idempotencyKey: 'e-2' },
        payer,
      ),
    ).toMatchObject({
      replayed: true,
      dispute: { evidenceCount: 4 },
    });
    const decided = await mutate(
      t,
      'resolveDispute',
      { disputeId: id, outcome: 'WON', note: 'delivered', idempotencyKey: 'w-1' },
      ADMIN_KEY,
    );
    expect(decided).toMatchObject({
      userErrors: [],
      payoutRefund: null,
      dispute: { status: 'WON', decidedBy: 'admin:config', note: 'delivered' },
    });
    expect(await logTypes(t, won.paymentId)).toEqual([
      'payment.verified',
      'payment.settlement_submitted',
      'payment.settled',
      'dispute.opened',
      'dispute.evidence_submitted',
      'dispute.under_review',
      'dispute.evidence_submitted',
      'dispute.won',
    ]);
  });

  it('a provider accepts the loss: LOST requests and approves the payout refund to the payer', async () => {
    const opened = await mutate(
      t,
      'openDispute',
      { paymentId: accepted.paymentId, reason: 'NOT_AS_DESCRIBED', idempotencyKey: 'd-2' },
      payer,
    );
    const lost = await mutate(
      t,
      'resolveDispute',
      { disputeId: opened.dispute!['id'], outcome: 'LOST', idempotencyKey: 'l-2' },
      acme,
    );
    expect(lost.userErrors).toEqual([]);
    expect(lost.dispute).toMatchObject({ status: 'LOST', payoutRefundId: lost.payoutRefund!['id'] });
    // The ruling approves the payout in the same append (ready for execution by a hot wallet or an authorization).
    expect(lost.payoutRefund).toMatchObject({
      status: 'APPROVED',
      amount: '2000000',
      requestedBy: 'arbiter',
      disputeId: opened.dispute!['id'],
    });
    expect((await logTypes(t, accepted.paymentId)).slice(3)).toEqual([
      'dispute.opened',
      'dispute.lost',
      'refund.requested',
      'refund.approved',
    ]);
  });

  it('a payer withdraws its dispute; the disputes query shows every outcome once projected', async () => {
    const sub = await subscribe<{ disputeUpdated: Record<string, unknown> }>(
      t.url,
      acme,
      `subscription($p: ID) { disputeUpdated(paymentId: $p) { type status disputeId } }`,
      { p: withdrawn.paymentId },
    );
    try {
      const opened = await mutate(
        t,
        'openDispute',
        { paymentId: withdrawn.paymentId, reason: 'DUPLICATE', idempotencyKey: 'd-3' },
        payer,
      );
      const out = await mutate(
        t,
        'withdrawDispute',
        { disputeId: opened.dispute!['id'], idempotencyKey: 'x-3' },
        payer,
      );
      expect(out).toMatchObject({ userErrors: [], dispute: { status: 'WITHDRAWN' } });
      const events = await sub.waitFor(2);
      expect(events.map((e) => e.disputeUpdated['type'])).toEqual(['dispute.opened', 'dispute.withdrawn']);
    } finally {
      await sub.close();
    }
    await t.project();
    const r = await t.gql<{ disputes: { nodes: Record<string, unknown>[] } }>(
      `{ disputes { nodes { status payment { id status } } } }`,
      {},
      acme,
    );
    expect(r.body.errors).toBeUndefined();
    const byPayment = Object.fromEntries(
      r.body.data!.disputes.nodes.map((n) => [(n['payment'] as Record<string, unknown>)['id'], n]),
    );
    expect(byPayment[won.paymentId]).toMatchObject({ status: 'WON', payment: { status: 'SETTLED' } });
    expect(byPayment[accepted.paymentId]).toMatchObject({ status: 'LOST', payment: { status: 'DISPUTED' } });
    expect(byPayment[withdrawn.paymentId]).toMatchObject({ status: 'WITHDRAWN', payment: { status: 'SETTLED' } });
    // …and the payer sees its own disputes.
    const mine = await t.gql<{ disputes: { nodes: unknown[] } }>(`{ disputes { nodes { id } } }`, {}, payer);
    expect(mine.body.data!.disputes.nodes).toHaveLength(3);
  });
});
