import { toHex, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { refundAuthorizationTypedData } from '@x402-ledger/refunds';
import { refundId } from '@x402-ledger/ledger';
import { startDevChain, TEST_USDC_ABI, type DevChain } from '@x402-ledger/evm';
import { startApiTestApp, type ApiTestApp } from './support/api-test-app';
import { LedgerWriter, type WrittenPayment } from './support/ledger-writer';
import { logTypes, mutate } from './support/mutation-helpers';
import { subscribe } from './support/ws-client';

/**
 * The refund workflow end to end through GraphQL, on the product's binding (the refunds lib's PaymentWorkflowAdapter,
 * as in the daemon): Payment aggregate decide → EventLog append → (executeRefund) the payTo's hot wallet sends a real
 * ERC-20 transfer on the in-process dev chain → the worker records its receipt → analytics projection → queries.
 */
describe('refund mutations (successful)', () => {
  let chain: DevChain;
  let t: ApiTestApp;
  const balanceOf = (address: string) =>
    chain.publicClient.readContract({
      address: chain.token.address,
      abi: TEST_USDC_ABI,
      functionName: 'balanceOf',
      args: [address as Address],
    }) as Promise<bigint>;
  /** Transactions the address has sent (its nonce): counts the hot wallet's transfers exactly. */
  const sentBy = (address: string) => chain.publicClient.getTransactionCount({ address: address as Address });
  let acme: string;
  let keyId: string;
  let p1: WrittenPayment;
  let p2: WrittenPayment;
  let p3: WrittenPayment;
  const w = new LedgerWriter();

  beforeAll(async () => {
    chain = await startDevChain({ rpcPort: 0 });
    const provider = chain.providers[0].address;
    const buyer = chain.buyers[0].address;
    const spec = { tenant: 'acme', payTo: provider, payer: buyer, network: chain.network, asset: chain.token.address };
    p1 = w.payment({ ...spec, amount: 1_000_000n, at: new Date('2026-03-02T10:00:00Z') });
    p2 = w.payment({ ...spec, amount: 2_000_000n, at: new Date('2026-03-02T11:00:00Z') });
    p3 = w.payment({ ...spec, amount: 3_000_000n, at: new Date('2026-03-02T12:00:00Z') });
    t = await startApiTestApp({ seed: w.envelopes, chain });
    const created = await t.keys.create({ role: 'provider', tenant: 'acme', label: 'acme', createdBy: 'test' });
    acme = created.key;
    keyId = created.record.keyId;
  });
  afterAll(async () => {
    await t?.close();
    await chain?.close();
  });

  it('requestRefund records refund.requested once, with the id derived from the idempotency key', async () => {
    const input = { paymentId: p1.paymentId, amount: '400000', reason: 'customer asked', idempotencyKey: 'r-1' };
    const first = await mutate(t, 'requestRefund', input, acme);
    expect(first.userErrors).toEqual([]);
    expect(first.replayed).toBe(false);
    expect(first.refund).toMatchObject({
      id: refundId({ paymentId: p1.paymentId, idempotencyKey: 'r-1' }),
      paymentId: p1.paymentId,
      status: 'REQUESTED',
      amount: '400000',
      requestedBy: 'provider',
      payTo: chain.providers[0].address,
    });
    const again = await mutate(t, 'requestRefund', input, acme);
    expect(again).toMatchObject({
      replayed: true,
      userErrors: [],
      refund: { id: first.refund!['id'], status: 'REQUESTED' },
    });
    expect((await logTypes(t, p1.paymentId)).filter((x) => x === 'refund.requested')).toHaveLength(1);
  });

  it('approveRefund then executeRefund moves the money on chain once: submitted, then succeeded once confirmed', async () => {
    const id = refundId({ paymentId: p1.paymentId, idempotencyKey: 'r-1' });
    const approved = await mutate(t, 'approveRefund', { refundId: id, idempotencyKey: 'a-1' }, acme);
    expect(approved).toMatchObject({ userErrors: [], refund: { status: 'APPROVED', approvedBy: `key:${keyId}` } });
    const buyer = chain.buyers[0].address;
    const provider = chain.providers[0].address;
    const [buyerBefore, providerBefore, sentBefore] = [
      await balanceOf(buyer),
      await balanceOf(provider),
      await sentBy(provider),
    ];
    // No authorization given: the payTo's hot wallet (the dev provider's own wallet) sends the transfer now; the
    // answer comes once refund.submitted is durable, before the receipt is judged.
    const executed = await mutate(t, 'executeRefund', { refundId: id, idempotencyKey: 'x-1' }, acme);
    expect(executed.userErrors).toEqual([]);
    expect(executed.replayed).toBe(false);
    expect(executed.refund).toMatchObject({
      status: 'SUBMITTED',
      method: 'hot_wallet',
      transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    const tx = executed.refund!['transaction'];
    expect(await balanceOf(buyer)).toBe(buyerBefore + 400_000n);
    expect(await balanceOf(provider)).toBe(providerBefore - 400_000n);
    expect(await sentBy(provider)).toBe(sentBefore + 1);
    // The worker's confirmation pass judges the receipt and records refund.succeeded.
    expect((await t.confirmRefunds()).confirmedRefunds).toEqual([id]);
    // Repeating with the same key answers the first answer (SUBMITTED); a new key reads the refund as it is now.
    // Neither sends a second transfer.
    expect(await mutate(t, 'executeRefund', { refundId: id, idempotencyKey: 'x-1' }, acme)).toMatchObject({
      replayed: true,
      refund: { status: 'SUBMITTED', transaction: tx },
    });
    expect(await mutate(t, 'executeRefund', { refundId: id, idempotencyKey: 'x-2' }, acme)).toMatchObject({
      replayed: true,
      userErrors: [],
      refund: { status: 'SUCCEEDED', transaction: tx },
    });
    expect((await t.confirmRefunds()).confirmedRefunds).toEqual([]);
    expect(await sentBy(provider)).toBe(sentBefore + 1);
    expect(await balanceOf(buyer)).toBe(buyerBefore + 400_000n);
    expect(await balanceOf(provider)).toBe(providerBefore - 400_000n);
    expect(await logTypes(t, p1.paymentId)).toEqual([
      'payment.verified',
      'payment.settlement_submitted',
      'payment.settled',
      'refund.requested',
      'refund.approved',
      'refund.submitted',
      'refund.succeeded',
    ]);
  });

  it('executeRefund with a provider-signed EIP-3009 authorization: a facilitator signer submits it, gas-free for the provider', async () => {
    const requested = await mutate(
      t,
      'requestRefund',
      { paymentId: p3.paymentId, amount: '1000000', reason: 'signed refund', idempotencyKey: 'r-auth' },
      acme,
    );
    const id = requested.refund!['id'] as string;
    await mutate(t, 'approveRefund', { refundId: id, idempotencyKey: 'a-auth' }, acme);
    const provider = privateKeyToAccount(chain.providers[0].privateKey);
    const buyer = chain.buyers[0].address;
    const now = BigInt(Math.floor(Date.now() / 1000));
    const fields = {
      from: provider.address,
      to: buyer,
      value: 1_000_000n,
      validAfter: 0n,
      validBefore: now + 3600n,
      nonce: toHex(crypto.getRandomValues(new Uint8Array(32))),
    };
    const asset = {
      address: chain.token.address,
      name: chain.token.name,
      version: chain.token.version,
      decimals: 6,
      symbol: 'USDC',
    };
    const signature = await provider.signTypedData(
      refundAuthorizationTypedData({ chainId: chain.chainId, asset, ...fields }),
    );
    const authorization = {
      from: fields.from,
      to: fields.to,
      value: '1000000',
      validAfter: '0',
      validBefore: fields.validBefore.toString(),
      nonce: fields.nonce,
      signature,
    };
    // A tampered authorization (another amount than signed) is refused and nothing moves.
    const [buyerBefore, providerBefore, providerTxs] = [
      await balanceOf(buyer),
      await balanceOf(provider.address),
      await sentBy(provider.address),
    ];
    const tampered = await mutate(
      t,
      'executeRefund',
      { refundId: id, idempotencyKey: 'x-auth-bad', authorization: { ...authorization, value: '999999' } },
      acme,
    );
    expect(tampered.refund).toBeNull();
    expect(tampered.userErrors.map((e) => e.code)).toEqual(['INVALID_INPUT']);
    expect(await balanceOf(buyer)).toBe(buyerBefore);

    const executed = await mutate(t, 'executeRefund', { refundId: id, idempotencyKey: 'x-auth', authorization }, acme);
    expect(executed.userErrors).toEqual([]);
    expect(executed.refund).toMatchObject({ status: 'SUBMITTED', method: 'authorization' });
    expect(await balanceOf(buyer)).toBe(buyerBefore + 1_000_000n);
    expect(await balanceOf(provider.address)).toBe(providerBefore - 1_000_000n);
    expect(await sentBy(provider.address)).toBe(providerTxs); // the provider's wallet sent nothing: no gas spent
    expect((await t.confirmRefunds()).confirmedRefunds).toEqual([id]);
  });

  it('the refunded state reaches the queries once projected', async () => {
    await t.project();
    const r = await t.gql<{ payment: Record<string, unknown> }>(
      `query($id: ID!) { payment(id: $id) { status refundedAmount refunds { status amount refundedAmount approvedBy } } }`,
      { id: p1.paymentId },
      acme,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.payment).toEqual({
      status: 'PARTIALLY_REFUNDED',
      refundedAmount: '400000',
      refunds: [{ status: 'SUCCEEDED', amount: '400000', refundedAmount: '400000', approvedBy: null }],
    });
  });

  it('cancelRefund cancels a requested refund; a default amount refunds everything refundable', async () => {
    const requested = await mutate(
      t,
      'requestRefund',
      { paymentId: p2.paymentId, reason: 'duplicate', idempotencyKey: 'r-2' },
      acme,
    );
    expect(requested.refund).toMatchObject({ status: 'REQUESTED', amount: '2000000' });
    const canceled = await mutate(
      t,
      'cancelRefund',
      { refundId: requested.refund!['id'], reason: 'customer changed mind', idempotencyKey: 'c-2' },
      acme,
    );
    expect(canceled).toMatchObject({ userErrors: [], replayed: false, refund: { status: 'CANCELED' } });
    expect(
      await mutate(
        t,
        'cancelRefund',
        { refundId: requested.refund!['id'], reason: 'customer changed mind', idempotencyKey: 'c-2' },
        acme,
      ),
    ).toMatchObject({
      replayed: true,
      refund: { status: 'CANCELED' },
    });
    // A new refund may start once the previous one is no longer in flight.
    const again = await mutate(
      t,
      'requestRefund',
      { paymentId: p2.paymentId, amount: '5', reason: 'partial', idempotencyKey: 'r-2b' },
      acme,
    );
    expect(again).toMatchObject({ userErrors: [], refund: { status: 'REQUESTED', amount: '5' } });
  });

  it('an admin requests as arbiter', async () => {
    const r = await mutate(
      t,
      'requestRefund',
      { paymentId: p3.paymentId, amount: '1', reason: 'ops', idempotencyKey: 'r-3' },
      'x402_admin_test_0123456789abcdef0123456789abcdef',
    );
    expect(r).toMatchObject({ userErrors: [], refund: { requestedBy: 'arbiter', status: 'REQUESTED' } });
  });

  it('a payment settled after start (folded in by the settling side, as the facilitator does) is refundable at once', async () => {
    const from = w.envelopes.length;
    const late = w.payment({
      tenant: 'acme',
      payTo: chain.providers[0].address,
      payer: chain.buyers[0].address,
      network: chain.network,
      asset: chain.token.address,
      amount: 700n,
      at: new Date('2026-03-02T13:00:00Z'),
    });
    await t.append(w.since(from));
    const r = await mutate(
      t,
      'requestRefund',
      { paymentId: late.paymentId, reason: 'late', idempotencyKey: 'r-late' },
      acme,
    );
    expect(r).toMatchObject({ userErrors: [], refund: { status: 'REQUESTED', amount: '700' } });
  });

  it('pushes refundUpdated events to subscribers of the payment', async () => {
    const sub = await subscribe<{ refundUpdated: Record<string, unknown> }>(
      t.url,
      acme,
      `subscription($p: ID) { refundUpdated(paymentId: $p) { type status refundId paymentId } }`,
      { p: p3.paymentId },
    );
    try {
      const id = refundId({ paymentId: p3.paymentId, idempotencyKey: 'r-3' });
      await mutate(t, 'cancelRefund', { refundId: id, reason: 'not needed', idempotencyKey: 'c-3' }, acme);
      // The previous test's refund.requested may still be on its way (the log is tailed every 20 ms): it is a live
      // event of this payment too. The cancellation is the last event.
      let events = await sub.waitFor(1);
      if (events[events.length - 1].refundUpdated['type'] !== 'refund.canceled') events = await sub.waitFor(2);
      expect(
        events.map((e) => e.refundUpdated['type']).every((x) => x === 'refund.requested' || x === 'refund.canceled'),
      ).toBe(true);
      expect(events[events.length - 1].refundUpdated).toEqual({
        type: 'refund.canceled',
        status: 'canceled',
        refundId: id,
        paymentId: p3.paymentId,
      });
    } finally {
      await sub.close();
    }
  });
});
