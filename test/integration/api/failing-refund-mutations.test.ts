import { refundId } from '@x402-ledger/ledger';
import { startApiTestApp, TOKEN_SECRET, type ApiTestApp } from './support/api-test-app';
import { addr, LedgerWriter, type WrittenPayment } from './support/ledger-writer';
import { logTypes, mutate, mutateError } from './support/mutation-helpers';
import { AccessTokenService, payerPrincipal, SystemClock } from '@x402-ledger/auth';

/**
 * Refused refund commands: each answers a typed userError (or a top-level auth error) and writes nothing to the log.
 * The refunds lib's workflows are composed without a refund network or hot wallet for these payTos, so executeRefund
 * of an approved refund is NOT_AVAILABLE (of a refund that is not approved: refused for its state, wallet or not).
 */
describe('refund mutations (failing)', () => {
  let t: ApiTestApp;
  let acme: string;
  let payerToken: string;
  let settled: WrittenPayment;
  let unsettled: WrittenPayment;
  let refunded: WrittenPayment;
  let globexPayment: WrittenPayment;
  let succeededRefund: string;
  let approvedRefund: string;
  let approvedOn: WrittenPayment;

  beforeAll(async () => {
    const w = new LedgerWriter();
    const at = (h: number) => new Date(Date.UTC(2026, 2, 2, h));
    settled = w.payment({ tenant: 'acme', payTo: addr('acme'), payer: addr('buyer'), amount: 1_000_000n, at: at(1) });
    unsettled = w.payment({
      tenant: 'acme',
      payTo: addr('acme'),
      payer: addr('buyer'),
      amount: 1_000_000n,
      at: at(2),
      outcome: 'verified',
    });
    refunded = w.payment({ tenant: 'acme', payTo: addr('acme'), payer: addr('buyer'), amount: 500n, at: at(3) });
    succeededRefund = w.refund(refunded, { amount: 500n, at: at(4), key: 'full' });
    approvedOn = w.payment({ tenant: 'acme', payTo: addr('acme'), payer: addr('buyer'), amount: 700n, at: at(5) });
    approvedRefund = w.refund(approvedOn, { amount: 100n, at: at(6), key: 'approved', until: 'approved' });
    globexPayment = w.payment({ tenant: 'globex', payTo: addr('globex'), payer: addr('buyer'), amount: 9n, at: at(7) });
    t = await startApiTestApp({ seed: w.envelopes });
    acme = (await t.keys.create({ role: 'provider', tenant: 'acme', label: 'acme', createdBy: 'test' })).key;
    payerToken = (
      await new AccessTokenService(TOKEN_SECRET, new SystemClock()).issue(payerPrincipal('w', addr('buyer')))
    ).token;
  });
  afterAll(async () => t?.close());

  /** Runs `fn` and checks that it appended nothing to the log. */
  async function nothingWritten<T>(fn: () => Promise<T>): Promise<T> {
    const before = (await logTypes(t)).length;
    const result = await fn();
    expect((await logTypes(t)).length).toBe(before);
    return result;
  }

  const refused = async (name: string, input: Record<string, unknown>, code: string, token = acme) => {
    const payload = await nothingWritten(() => mutate(t, name, input, token));
    expect(payload.refund).toBeNull();
    expect(payload.userErrors).toEqual([{ code, message: expect.any(String) }]);
    return payload;
  };

  it('requestRefund: not settled, exceeding, fully refunded, unknown, other tenant', async () => {
    await refused(
      'requestRefund',
      { paymentId: unsettled.paymentId, amount: '1', reason: 'x', idempotencyKey: 'k1' },
      'NOT_SETTLED',
    );
    await refused(
      'requestRefund',
      { paymentId: settled.paymentId, amount: '1000001', reason: 'x', idempotencyKey: 'k2' },
      'REFUND_EXCEEDS_SETTLED',
    );
    await refused(
      'requestRefund',
      { paymentId: refunded.paymentId, amount: '1', reason: 'x', idempotencyKey: 'k3' },
      'ALREADY_REFUNDED',
    );
    await refused(
      'requestRefund',
      { paymentId: 'f'.repeat(64), amount: '1', reason: 'x', idempotencyKey: 'k4' },
      'NOT_FOUND',
    );
    const cross = await refused(
      'requestRefund',
      { paymentId: globexPayment.paymentId, amount: '1', reason: 'x', idempotencyKey: 'k5' },
      'NOT_FOUND',
    );
    expect(cross.userErrors[0].message).not.toContain('globex');
  });

  it('requestRefund: a refund in flight blocks another; the same key with other terms conflicts', async () => {
    const ok = await mutate(
      t,
      'requestRefund',
      { paymentId: settled.paymentId, amount: '10', reason: 'first', idempotencyKey: 'in-flight' },
      acme,
    );
    expect(ok.userErrors).toEqual([]);
    await refused(
      'requestRefund',
      { paymentId: settled.paymentId, amount: '10', reason: 'second', idempotencyKey: 'other' },
      'REFUND_IN_FLIGHT',
    );
    await refused(
      'requestRefund',
      { paymentId: settled.paymentId, amount: '11', reason: 'first', idempotencyKey: 'in-flight' },
      'IDEMPOTENCY_CONFLICT',
    );
  });

  it('invalid input is INVALID_INPUT (ids, amounts, keys, reasons)', async () => {
    await refused(
      'requestRefund',
      { paymentId: 'not-an-id', amount: '1', reason: 'x', idempotencyKey: 'k6' },
      'INVALID_INPUT',
    );
    await refused(
      'requestRefund',
      { paymentId: settled.paymentId, amount: '1.5', reason: 'x', idempotencyKey: 'k7' },
      'INVALID_INPUT',
    );
    await refused(
      'requestRefund',
      { paymentId: settled.paymentId, amount: '1', reason: 'x', idempotencyKey: '' },
      'INVALID_INPUT',
    );
    await refused(
      'requestRefund',
      { paymentId: settled.paymentId, amount: '1', reason: '   ', idempotencyKey: 'k8' },
      'INVALID_INPUT',
    );
    await refused('approveRefund', { refundId: 'zz', idempotencyKey: 'k9' }, 'INVALID_INPUT');
  });

  it('approve / execute / cancel: unknown, wrong state, terminal, not available', async () => {
    await refused('approveRefund', { refundId: 'e'.repeat(64), idempotencyKey: 'a1' }, 'NOT_FOUND');
    await refused('approveRefund', { refundId: succeededRefund, idempotencyKey: 'a2' }, 'TERMINAL_STATE');
    const requested = refundId({ paymentId: settled.paymentId, idempotencyKey: 'in-flight' });
    await refused('executeRefund', { refundId: requested, idempotencyKey: 'x1' }, 'INVALID_TRANSITION');
    await refused('executeRefund', { refundId: approvedRefund, idempotencyKey: 'x2' }, 'NOT_AVAILABLE');
    await refused(
      'cancelRefund',
      { refundId: succeededRefund, reason: 'late', idempotencyKey: 'c1' },
      'TERMINAL_STATE',
    );
  });

  it('role and authentication refusals are top-level errors (payer, anonymous, bad key)', async () => {
    const input = { paymentId: settled.paymentId, amount: '1', reason: 'x', idempotencyKey: 'k10' };
    expect(await nothingWritten(() => mutateError(t, 'requestRefund', input, payerToken))).toBe('FORBIDDEN');
    expect(await nothingWritten(() => mutateError(t, 'requestRefund', input, null))).toBe('UNAUTHENTICATED');
    expect(
      await nothingWritten(() =>
        mutateError(
          t,
          'approveRefund',
          { refundId: approvedRefund, idempotencyKey: 'k11' },
          `x402_${'a'.repeat(16)}_${'b'.repeat(64)}`,
        ),
      ),
    ).toBe('UNAUTHENTICATED');
    // A payTo-limited key of the same tenant does not reach the payments of other payTo addresses.
    const limited = (
      await t.keys.create({
        role: 'provider',
        tenant: 'acme',
        payTo: [addr('other-payto')],
        label: 'limited',
        createdBy: 'test',
      })
    ).key;
    await refused('requestRefund', { ...input, idempotencyKey: 'k12' }, 'NOT_FOUND', limited);
  });
});
