import { AccessTokenService, payerPrincipal, SystemClock } from '@x402-ledger/auth';
import { ADMIN_KEY, startApiTestApp, TOKEN_SECRET, type ApiTestApp } from './support/api-test-app';
import { addr, LedgerWriter, type WrittenPayment } from './support/ledger-writer';
import { logTypes, mutate, mutateError } from './support/mutation-helpers';

/** Refused dispute commands: typed userErrors (or top-level auth errors), nothing written to the log. */
describe('dispute mutations (failing)', () => {
  let t: ApiTestApp;
  let acme: string;
  let payer: string;
  let stranger: string;
  let open: WrittenPayment;
  let unsettled: WrittenPayment;
  let closed: WrittenPayment;
  let openId: string;
  let closedId: string;
  const BUYER = addr('buyer');

  beforeAll(async () => {
    const w = new LedgerWriter();
    const at = (h: number) => new Date(Date.UTC(2026, 2, 2, h));
    open = w.payment({ tenant: 'acme', payTo: addr('acme'), payer: BUYER, amount: 1_000n, at: at(1) });
    openId = w.dispute(open, { at: at(2), key: 'open' });
    unsettled = w.payment({
      tenant: 'acme',
      payTo: addr('acme'),
      payer: BUYER,
      amount: 1_000n,
      at: at(3),
      outcome: 'verified',
    });
    closed = w.payment({ tenant: 'acme', payTo: addr('acme'), payer: BUYER, amount: 1_000n, at: at(4) });
    t = await startApiTestApp({ seed: w.envelopes });
    acme = (await t.keys.create({ role: 'provider', tenant: 'acme', label: 'acme', createdBy: 'test' })).key;
    const tokens = new AccessTokenService(TOKEN_SECRET, new SystemClock());
    payer = (await tokens.issue(payerPrincipal('w', BUYER))).token;
    stranger = (await tokens.issue(payerPrincipal('w', addr('stranger')))).token;
    const opened = await mutate(
      t,
      'openDispute',
      { paymentId: closed.paymentId, reason: 'OTHER', idempotencyKey: 'c' },
      payer,
    );
    closedId = opened.dispute!['id'] as string;
    await mutate(t, 'withdrawDispute', { disputeId: closedId, idempotencyKey: 'cw' }, payer);
  });
  afterAll(async () => t?.close());

  async function refused(name: string, input: Record<string, unknown>, code: string, token: string) {
    const before = (await logTypes(t)).length;
    const payload = await mutate(t, name, input, token);
    expect(payload.dispute).toBeNull();
    expect(payload.userErrors).toEqual([{ code, message: expect.any(String) }]);
    expect((await logTypes(t)).length).toBe(before);
  }

  it("openDispute: not settled, already open, someone else's payment, unknown, conflicting key, bad deadline", async () => {
    await refused(
      'openDispute',
      { paymentId: unsettled.paymentId, reason: 'OTHER', idempotencyKey: 'o1' },
      'NOT_SETTLED',
      payer,
    );
    await refused(
      'openDispute',
      { paymentId: open.paymentId, reason: 'OTHER', idempotencyKey: 'o2' },
      'DISPUTE_OPEN',
      payer,
    );
    await refused(
      'openDispute',
      { paymentId: open.paymentId, reason: 'OTHER', idempotencyKey: 'o3' },
      'NOT_FOUND',
      stranger,
    );
    await refused(
      'openDispute',
      { paymentId: 'a'.repeat(64), reason: 'OTHER', idempotencyKey: 'o4' },
      'NOT_FOUND',
      payer,
    );
    await refused(
      'openDispute',
      { paymentId: closed.paymentId, reason: 'FRAUDULENT', idempotencyKey: 'c' },
      'IDEMPOTENCY_CONFLICT',
      payer,
    );
    await refused(
      'openDispute',
      { paymentId: closed.paymentId, reason: 'OTHER', respondBy: '2020-01-01T00:00:00Z', idempotencyKey: 'o5' },
      'INVALID_INPUT',
      payer,
    );
    await refused(
      'openDispute',
      { paymentId: closed.paymentId, reason: 'OTHER', evidence: [''], idempotencyKey: 'o6' },
      'INVALID_INPUT',
      payer,
    );
  });

  it('evidence, resolve, withdraw: terminal disputes (withdraw twice is a replay), empty evidence, unknown ids, providers may not declare a win', async () => {
    await refused(
      'submitDisputeEvidence',
      { disputeId: closedId, evidence: ['late'], idempotencyKey: 'e1' },
      'TERMINAL_STATE',
      payer,
    );
    await refused(
      'submitDisputeEvidence',
      { disputeId: openId, evidence: [], idempotencyKey: 'e2' },
      'INVALID_INPUT',
      acme,
    );
    await refused(
      'submitDisputeEvidence',
      { disputeId: 'b'.repeat(64), evidence: ['x'], idempotencyKey: 'e3' },
      'NOT_FOUND',
      acme,
    );
    await refused(
      'submitDisputeEvidence',
      { disputeId: openId, evidence: ['x'], idempotencyKey: 'e4' },
      'NOT_FOUND',
      stranger,
    );
    await refused('resolveDispute', { disputeId: openId, outcome: 'WON', idempotencyKey: 'r1' }, 'FORBIDDEN', acme);
    await refused(
      'resolveDispute',
      { disputeId: closedId, outcome: 'LOST', idempotencyKey: 'r2' },
      'TERMINAL_STATE',
      ADMIN_KEY,
    );
    // Withdrawing a withdrawn dispute again is not an error: the ledger answers the repeated fact, writing nothing.
    const before = (await logTypes(t)).length;
    expect(await mutate(t, 'withdrawDispute', { disputeId: closedId, idempotencyKey: 'w1' }, payer)).toMatchObject({
      replayed: true,
      userErrors: [],
      dispute: { status: 'WITHDRAWN' },
    });
    expect((await logTypes(t)).length).toBe(before);
    await refused(
      'resolveDispute',
      { disputeId: closedId, outcome: 'WON', idempotencyKey: 'r3' },
      'TERMINAL_STATE',
      ADMIN_KEY,
    );
    await refused('withdrawDispute', { disputeId: openId, idempotencyKey: 'w2' }, 'NOT_FOUND', stranger);
  });

  it('roles: providers cannot open or withdraw, payers cannot resolve, anonymous callers nothing', async () => {
    const before = (await logTypes(t)).length;
    expect(
      await mutateError(t, 'openDispute', { paymentId: closed.paymentId, reason: 'OTHER', idempotencyKey: 'p1' }, acme),
    ).toBe('FORBIDDEN');
    expect(await mutateError(t, 'withdrawDispute', { disputeId: openId, idempotencyKey: 'p2' }, acme)).toBe(
      'FORBIDDEN',
    );
    expect(
      await mutateError(t, 'resolveDispute', { disputeId: openId, outcome: 'LOST', idempotencyKey: 'p3' }, payer),
    ).toBe('FORBIDDEN');
    expect(
      await mutateError(t, 'submitDisputeEvidence', { disputeId: openId, evidence: ['x'], idempotencyKey: 'p4' }, null),
    ).toBe('UNAUTHENTICATED');
    expect((await logTypes(t)).length).toBe(before);
  });
});
