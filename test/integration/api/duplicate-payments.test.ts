import { startApiTestApp, type ApiTestApp } from './support/api-test-app';
import { LedgerWriter, type WrittenPayment } from './support/ledger-writer';
import { logTypes, mutate } from './support/mutation-helpers';

const PAY_TO = '0x00000000000000000000000000000000000000a1';
const PAYER = '0x00000000000000000000000000000000000000b2';
const OTHER = '0x00000000000000000000000000000000000000c3';

/**
 * Duplicate-payment detection through GraphQL on the refunds lib (as the daemon binds it): three identical payments
 * inside the window are one group with two duplicates; one outside the window is not flagged; each duplicate is
 * refunded in one action, once.
 */
describe('duplicate payments (GraphQL)', () => {
  let t: ApiTestApp;
  let acme: string;
  let globex: string;
  let first: WrittenPayment;
  let dup1: WrittenPayment;
  let dup2: WrittenPayment;
  let late: WrittenPayment;
  let different: WrittenPayment;

  beforeAll(async () => {
    const w = new LedgerWriter();
    const spec = {
      tenant: 'acme',
      payTo: PAY_TO,
      payer: PAYER,
      amount: 250_000n,
      resource: 'https://api.example.com/report',
    };
    first = w.payment({ ...spec, at: new Date('2026-03-02T10:00:00Z') });
    dup1 = w.payment({ ...spec, at: new Date('2026-03-02T10:01:00Z') });
    dup2 = w.payment({ ...spec, at: new Date('2026-03-02T10:02:30Z') });
    late = w.payment({ ...spec, at: new Date('2026-03-02T12:00:00Z') }); // 2 h later: outside the 10 min window
    different = w.payment({ ...spec, payer: OTHER, at: new Date('2026-03-02T10:01:30Z') });
    t = await startApiTestApp({ seed: w.envelopes });
    acme = (await t.keys.create({ role: 'provider', tenant: 'acme', label: 'acme', createdBy: 'test' })).key;
    globex = (await t.keys.create({ role: 'provider', tenant: 'globex', label: 'globex', createdBy: 'test' })).key;
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = async (key: string) => {
    const r = await t.gql<{ duplicatePayments: Record<string, unknown>[] }>(
      `{ duplicatePayments { tenant payer payTo resource amount original { paymentId }
           duplicates { paymentId amount refundable refundId refundStatus } } }`,
      {},
      key,
    );
    expect(r.body.errors).toBeUndefined();
    return r.body.data!.duplicatePayments;
  };

  it('lists the two duplicates of the first payment, and nothing for another tenant', async () => {
    const groups = await list(acme);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      tenant: 'acme',
      resource: 'https://api.example.com/report',
      amount: '250000',
      original: { paymentId: first.paymentId },
    });
    const ids = (groups[0]['duplicates'] as { paymentId: string }[]).map((d) => d.paymentId);
    expect(ids.sort()).toEqual([dup1.paymentId, dup2.paymentId].sort());
    expect(ids).not.toContain(late.paymentId);
    expect(ids).not.toContain(different.paymentId);
    expect(await list(globex)).toEqual([]);
  });

  it('refunds a duplicate in full in one action, once; an unflagged payment is refused', async () => {
    const once = await mutate(t, 'refundDuplicatePayment', { paymentId: dup1.paymentId }, acme);
    expect(once.userErrors).toEqual([]);
    expect(once.refund).toMatchObject({ paymentId: dup1.paymentId, amount: '250000', reason: 'duplicate payment' });
    const again = await mutate(t, 'refundDuplicatePayment', { paymentId: dup1.paymentId }, acme);
    expect(again).toMatchObject({ replayed: true, refund: { id: once.refund!['id'] } });
    expect((await logTypes(t, dup1.paymentId)).filter((x) => x === 'refund.requested')).toHaveLength(1);

    const listed = (await list(acme))[0]['duplicates'] as {
      paymentId: string;
      refundId: string;
      refundStatus: string;
    }[];
    expect(listed.find((d) => d.paymentId === dup1.paymentId)).toMatchObject({
      refundId: once.refund!['id'],
      refundStatus: expect.stringMatching(/requested|approved/),
    });

    const refused = await mutate(t, 'refundDuplicatePayment', { paymentId: late.paymentId }, acme);
    expect(refused.refund).toBeNull();
    expect(refused.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect(await logTypes(t, late.paymentId)).not.toContain('refund.requested');
    const foreign = await mutate(t, 'refundDuplicatePayment', { paymentId: dup2.paymentId }, globex);
    expect(foreign.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
  });
});
