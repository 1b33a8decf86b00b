import { adminPrincipal, payerPrincipal, providerPrincipal } from '@x402-ledger/auth';
import { startDevChain, type DevChain } from '@x402-ledger/evm';
import { accounts, assetKey, LedgerErrorCode, parseEnvelope, type EventEnvelope } from '@x402-ledger/ledger';
import {
  RefundsErrorCode,
  disputeProofMessage,
  refundAuthorizationTypedData,
  type RefundAuthorization,
  type RefundView,
} from '@x402-ledger/refunds';
import { generateSiweNonce } from 'viem/siwe';
import { parseEther, toHex, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  SIWX_DOMAIN,
  TENANT,
  allEvents,
  journal,
  removeDir,
  settlePayment,
  startHarness,
  usdcBalance,
  type Harness,
} from './support/refunds-harness';

jest.setTimeout(180_000);

const USDC = 1_000_000n;

describe('refunds on the dev chain', () => {
  let dev: DevChain;
  let h: Harness;
  let hotWalletKey: `0x${string}`;
  let brokeKey: `0x${string}`;
  let brokeHotWallet: Address;

  /** Provider 1's own payTo wallet (limits 5 per refund, 8 per day), and a wallet without USDC paying for provider 2. */
  const hotWallets = () => [
    {
      network: dev.network,
      key: hotWalletKey,
      perRefundLimit: (5n * USDC).toString(),
      perDayLimit: (8n * USDC).toString(),
    },
    {
      network: dev.network,
      key: brokeKey,
      payTo: dev.providers[2].address,
      perRefundLimit: (100n * USDC).toString(),
      perDayLimit: (100n * USDC).toString(),
    },
  ];

  const provider0 = () => providerPrincipal('key:provider0', TENANT, [dev.providers[0].address]);
  const provider1 = () => providerPrincipal('key:provider1', TENANT, [dev.providers[1].address]);
  const provider2 = () => providerPrincipal('key:provider2', TENANT, [dev.providers[2].address]);
  const admin = adminPrincipal('admin:config');

  /** The provider's payTo wallet signs a TransferWithAuthorization back to the payer for the refund. */
  async function signRefund(
    view: RefundView,
    signerKey: `0x${string}`,
    overrides: Partial<{ to: Address; value: bigint; validBefore: bigint }> = {},
  ): Promise<RefundAuthorization> {
    const signer = privateKeyToAccount(signerKey);
    const nonce = toHex(crypto.getRandomValues(new Uint8Array(32)));
    const validBefore = overrides.validBefore ?? BigInt(Math.floor(h.clock.now().getTime() / 1000) + 3600);
    const typed = refundAuthorizationTypedData({
      chainId: dev.chainId,
      asset: {
        address: dev.token.address,
        name: dev.token.name,
        version: dev.token.version,
        decimals: 6,
        symbol: 'USDC',
      },
      from: signer.address,
      to: overrides.to ?? view.payer,
      value: overrides.value ?? BigInt(view.amount),
      validAfter: 0n,
      validBefore,
      nonce,
    });
    const signature = await signer.signTypedData(typed);
    return {
      from: signer.address,
      to: typed.message.to,
      value: typed.message.value.toString(),
      validAfter: '0',
      validBefore: validBefore.toString(),
      nonce,
      signature,
    };
  }

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    hotWalletKey = dev.providers[1].privateKey;
    // A hot wallet with gas but no USDC: its transfers revert on chain.
    brokeKey = generatePrivateKey();
    brokeHotWallet = privateKeyToAccount(brokeKey).address;
    const fund = await dev
      .walletClientFor(dev.deployer)
      .sendTransaction({ to: brokeHotWallet, value: parseEther('1') });
    await dev.publicClient.waitForTransactionReceipt({ hash: fund });
    h = await startHarness(dev, { hotWallets: hotWallets() });
  });

  afterAll(async () => {
    await h?.close();
    if (h) removeDir(h.dir);
    await dev?.close();
  });

  it('partial then full refund by provider authorization: balances move, the payment ends refunded, postings net out', async () => {
    const buyer = dev.buyers[0];
    const payment = await settlePayment(h, dev, { buyer, payTo: dev.providers[0], amount: 10n * USDC });
    const buyerBefore = await usdcBalance(dev, buyer.address);
    const providerBefore = await usdcBalance(dev, dev.providers[0].address);
    const providerEthBefore = await dev.publicClient.getBalance({ address: dev.providers[0].address });

    const partial = await h.refunds.requestRefund(provider0(), {
      paymentId: payment.paymentId,
      amount: (4n * USDC).toString(),
      reason: 'partial service outage',
      idempotencyKey: 'refund-partial',
    });
    expect(partial).toMatchObject({
      status: 'approved',
      requestedBy: 'provider',
      amount: '4000000',
      approvedBy: 'key:provider0',
    });

    const submitted = await h.refunds.executeRefund(provider0(), {
      refundId: partial.refundId,
      authorization: await signRefund(partial, dev.providers[0].privateKey),
    });
    expect(submitted).toMatchObject({ status: 'submitted', method: 'authorization' });
    expect(submitted.txHashes).toHaveLength(1);
    const done = await h.refunds.waitForOutcome(provider0(), partial.refundId, 30_000);
    expect(done).toMatchObject({ status: 'succeeded', txHash: submitted.txHashes[0] });
    expect(h.store.get(payment.paymentId)?.status).toBe('partially_refunded');
    expect(await usdcBalance(dev, buyer.address)).toBe(buyerBefore + 4n * USDC);
    expect(await usdcBalance(dev, dev.providers[0].address)).toBe(providerBefore - 4n * USDC);

    // The same request retried (same idempotency key, no amount) names the same refund; nothing new is recorded.
    const eventsBefore = (await allEvents(h.log)).length;
    const again = await h.refunds.requestRefund(provider0(), {
      paymentId: payment.paymentId,
      amount: (4n * USDC).toString(),
      reason: 'partial service outage',
      idempotencyKey: 'refund-partial',
    });
    expect(again).toMatchObject({ refundId: partial.refundId, status: 'succeeded' });
    expect((await allEvents(h.log)).length).toBe(eventsBefore);

    // The rest, without naming an amount.
    const rest = await h.refunds.requestRefund(provider0(), {
      paymentId: payment.paymentId,
      idempotencyKey: 'refund-rest',
    });
    expect(rest.amount).toBe((6n * USDC).toString());
    await h.refunds.executeRefund(provider0(), {
      refundId: rest.refundId,
      authorization: await signRefund(rest, dev.providers[0].privateKey),
    });
    expect((await h.refunds.waitForOutcome(provider0(), rest.refundId, 30_000)).status).toBe('succeeded');
    expect(h.store.get(payment.paymentId)).toMatchObject({
      status: 'refunded',
      refundedAmount: (10n * USDC).toString(),
    });
    expect(await usdcBalance(dev, buyer.address)).toBe(buyerBefore + 10n * USDC);
    expect(await usdcBalance(dev, dev.providers[0].address)).toBe(providerBefore - 10n * USDC);
    // Gas-free for the provider: a facilitator signer sent both transactions.
    expect(await dev.publicClient.getBalance({ address: dev.providers[0].address })).toBe(providerEthBefore);
    const receipt = await dev.publicClient.getTransactionReceipt({ hash: done.txHash as `0x${string}` });
    expect(receipt.from.toLowerCase()).toBe(dev.facilitatorSigners[1].address.toLowerCase());

    // Ledger postings: revenue 10 → 0 through refunds_payable, the payer's account back to zero.
    const books = await journal(h.log);
    const asset = assetKey(dev.network, dev.token.address);
    expect(books.balances.of(accounts.providerRevenue(TENANT, dev.providers[0].address), asset)).toBe(0n);
    expect(books.balances.of(accounts.providerRefundsPayable(TENANT, dev.providers[0].address), asset)).toBe(0n);
    expect(books.balances.of(accounts.payer(buyer.address), asset)).toBe(0n);

    // Fully refunded: no more refunds, no dispute.
    await expect(
      h.refunds.requestRefund(provider0(), { paymentId: payment.paymentId, amount: '1', idempotencyKey: 'one-more' }),
    ).rejects.toMatchObject({ code: LedgerErrorCode.ALREADY_REFUNDED });
  });

  it('refuses a refund above the remaining amount', async () => {
    const payment = await settlePayment(h, dev, { buyer: dev.buyers[1], payTo: dev.providers[0], amount: 5n * USDC });
    await expect(
      h.refunds.requestRefund(provider0(), {
        paymentId: payment.paymentId,
        amount: (6n * USDC).toString(),
        idempotencyKey: 'too-much',
      }),
    ).rejects.toMatchObject({ code: LedgerErrorCode.REFUND_EXCEEDS_SETTLED });
    const first = await h.refunds.requestRefund(provider0(), {
      paymentId: payment.paymentId,
      amount: (3n * USDC).toString(),
      idempotencyKey: 'three',
    });
    await h.refunds.executeRefund(provider0(), {
      refundId: first.refundId,
      authorization: await signRefund(first, dev.providers[0].privateKey),
    });
    expect((await h.refunds.waitForOutcome(provider0(), first.refundId, 30_000)).status).toBe('succeeded');
    await expect(
      h.refunds.requestRefund(provider0(), {
        paymentId: payment.paymentId,
        amount: (3n * USDC).toString(),
        idempotencyKey: 'three-more',
      }),
    ).rejects.toMatchObject({ code: LedgerErrorCode.REFUND_EXCEEDS_SETTLED });
    // What is left is still refundable.
    const last = await h.refunds.requestRefund(provider0(), { paymentId: payment.paymentId, idempotencyKey: 'rest' });
    expect(last.amount).toBe((2n * USDC).toString());
  });

  it('two concurrent refunds cannot exceed the payment, and one execution runs once', async () => {
    const payment = await settlePayment(h, dev, { buyer: dev.buyers[2], payTo: dev.providers[0], amount: 5n * USDC });
    const attempts = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((key) =>
        h.refunds.requestRefund(provider0(), {
          paymentId: payment.paymentId,
          amount: (4n * USDC).toString(),
          idempotencyKey: `concurrent-${key}`,
        }),
      ),
    );
    const accepted = attempts.filter((a): a is PromiseFulfilledResult<RefundView> => a.status === 'fulfilled');
    const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(accepted).toHaveLength(1);
    expect(refused.map((r) => (r.reason as { code: string }).code)).toEqual([
      LedgerErrorCode.REFUND_IN_FLIGHT,
      LedgerErrorCode.REFUND_IN_FLIGHT,
      LedgerErrorCode.REFUND_IN_FLIGHT,
    ]);
    const refund = accepted[0].value;
    const authorization = await signRefund(refund, dev.providers[0].privateKey);
    const executions = await Promise.all([
      h.refunds.executeRefund(provider0(), { refundId: refund.refundId, authorization }),
      h.refunds.executeRefund(provider0(), { refundId: refund.refundId, authorization }),
    ]);
    expect(executions[0].txHashes).toEqual(executions[1].txHashes);
    expect(executions[0].txHashes).toHaveLength(1);
    expect((await h.refunds.waitForOutcome(provider0(), refund.refundId, 30_000)).status).toBe('succeeded');
    // Once it succeeded, the second 4 would exceed the settled 5.
    const retries = await Promise.allSettled(
      ['e', 'f'].map((key) =>
        h.refunds.requestRefund(provider0(), {
          paymentId: payment.paymentId,
          amount: (4n * USDC).toString(),
          idempotencyKey: `concurrent-${key}`,
        }),
      ),
    );
    expect(retries.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'accepted'))).toEqual([
      LedgerErrorCode.REFUND_EXCEEDS_SETTLED,
      LedgerErrorCode.REFUND_EXCEEDS_SETTLED,
    ]);
    expect(h.store.get(payment.paymentId)?.refundedAmount).toBe((4n * USDC).toString());
  });

  it('rejects refund authorizations that do not fit the refund, and roles that may not act', async () => {
    const payment = await settlePayment(h, dev, { buyer: dev.buyers[3], payTo: dev.providers[0], amount: 2n * USDC });
    const payer = payerPrincipal(`wallet:${dev.buyers[3].address.toLowerCase()}`, dev.buyers[3].address);
    // A payer asks; only the provider approves.
    const asked = await h.refunds.requestRefund(payer, {
      paymentId: payment.paymentId,
      reason: 'never arrived',
      idempotencyKey: 'payer-ask',
    });
    expect(asked).toMatchObject({ status: 'requested', requestedBy: 'payer' });
    await expect(h.refunds.approveRefund(payer, { refundId: asked.refundId })).rejects.toMatchObject({
      code: RefundsErrorCode.FORBIDDEN,
    });
    // Another provider does not even see it.
    await expect(h.refunds.approveRefund(provider1(), { refundId: asked.refundId })).rejects.toMatchObject({
      code: RefundsErrorCode.NOT_FOUND,
    });
    // Not approved yet: nothing to execute.
    await expect(
      h.refunds.executeRefund(provider0(), {
        refundId: asked.refundId,
        authorization: await signRefund(asked, dev.providers[0].privateKey),
      }),
    ).rejects.toMatchObject({ code: LedgerErrorCode.INVALID_TRANSITION });
    const asset = assetKey(dev.network, dev.token.address);
    const payable = accounts.providerRefundsPayable(TENANT, dev.providers[0].address);
    const payableBefore = (await journal(h.log)).balances.of(payable, asset);
    const approved = await h.refunds.approveRefund(provider0(), { refundId: asked.refundId });
    expect(approved.status).toBe('approved');
    expect((await journal(h.log)).balances.of(payable, asset)).toBe(payableBefore + 2n * USDC);

    const cases: [string, Promise<RefundAuthorization>][] = [
      ['wrong amount', signRefund(approved, dev.providers[0].privateKey, { value: 1n })],
      ['wrong recipient', signRefund(approved, dev.providers[0].privateKey, { to: dev.buyers[4].address })],
      ['not the payTo wallet', signRefund(approved, dev.providers[1].privateKey)],
      [
        'expired',
        signRefund(approved, dev.providers[0].privateKey, { validBefore: BigInt(Math.floor(Date.now() / 1000) - 10) }),
      ],
    ];
    for (const [, authorization] of cases) {
      await expect(
        h.refunds.executeRefund(provider0(), { refundId: approved.refundId, authorization: await authorization }),
      ).rejects.toMatchObject({ code: RefundsErrorCode.AUTHORIZATION_REJECTED });
    }
    // A signature that is not the payTo's over otherwise right fields.
    const good = await signRefund(approved, dev.providers[0].privateKey);
    const forged = { ...good, signature: (await signRefund(approved, dev.providers[1].privateKey)).signature };
    await expect(
      h.refunds.executeRefund(provider0(), { refundId: approved.refundId, authorization: forged }),
    ).rejects.toMatchObject({
      code: RefundsErrorCode.AUTHORIZATION_REJECTED,
    });
    expect(h.refunds.getRefund(provider0(), approved.refundId).status).toBe('approved');
    // An operator may cancel; the hold is released.
    const canceled = await h.refunds.cancelRefund(admin, { refundId: approved.refundId, reason: 'test' });
    expect(canceled.status).toBe('canceled');
    expect((await journal(h.log)).balances.of(payable, asset)).toBe(payableBefore);
  });

  it('a hot wallet executes approved refunds within its per-refund and per-UTC-day limits, counted from the log across restarts', async () => {
    const payTo = dev.providers[1];
    const day1 = new Date('2031-05-01T10:00:00.000Z');
    h.clock.set(day1);
    const payments = [];
    for (let i = 0; i < 3; i++)
      payments.push(await settlePayment(h, dev, { buyer: dev.buyers[i], payTo, amount: 4n * USDC }));
    const big = await settlePayment(h, dev, { buyer: dev.buyers[3], payTo, amount: 6n * USDC });
    const refunds = [];
    for (const p of [...payments, big]) {
      refunds.push(await h.refunds.requestRefund(provider1(), { paymentId: p.paymentId, idempotencyKey: 'hot' }));
    }
    const walletBefore = await usdcBalance(dev, payTo.address);

    const first = await h.worker.tick();
    // 4 + 4 fit the 8/day limit; the third 4 waits for tomorrow; the 6 is above the 5 per refund.
    expect(first.hotWalletRefunds).toEqual([refunds[0].refundId, refunds[1].refundId]);
    expect(h.executor.skippedByHotWallet().get(refunds[2].refundId)).toBe('per_day_limit');
    expect(h.executor.skippedByHotWallet().get(refunds[3].refundId)).toBe('per_refund_limit');
    const second = await h.worker.tick();
    // Mined at once on the dev chain: confirmed in the same pass or the next.
    expect([...first.confirmedRefunds, ...second.confirmedRefunds].sort()).toEqual(
      [refunds[0].refundId, refunds[1].refundId].sort(),
    );
    expect(await usdcBalance(dev, payTo.address)).toBe(walletBefore - 8n * USDC);
    for (const r of refunds.slice(0, 2))
      expect(h.refunds.getRefund(provider1(), r.refundId)).toMatchObject({ status: 'succeeded', method: 'hot_wallet' });

    // Restart on the same folder: the day's spend is counted again from the log, not from memory.
    const dir = h.dir;
    await h.close();
    h = await startHarness(dev, { hotWallets: hotWallets() }, dir);
    h.clock.set(new Date(day1.getTime() + 3600_000));
    expect((await h.worker.tick()).hotWalletRefunds).toEqual([]);
    expect(h.refunds.getRefund(provider1(), refunds[2].refundId).status).toBe('approved');

    h.clock.set(new Date('2031-05-02T00:00:01.000Z'));
    const nextDay = await h.worker.tick();
    expect(nextDay.hotWalletRefunds).toEqual([refunds[2].refundId]);
    expect([...nextDay.confirmedRefunds, ...(await h.worker.tick()).confirmedRefunds]).toEqual([refunds[2].refundId]);
    expect(h.refunds.getRefund(provider1(), refunds[2].refundId).status).toBe('succeeded');
    expect(h.refunds.getRefund(provider1(), refunds[3].refundId).status).toBe('approved');
    expect(await usdcBalance(dev, payTo.address)).toBe(walletBefore - 12n * USDC);
  });

  it('a refund whose transaction reverts ends failed and its hold is released (reversing entries)', async () => {
    h.clock.set(new Date());
    const payment = await settlePayment(h, dev, { buyer: dev.buyers[4], payTo: dev.providers[2], amount: 3n * USDC });
    const refund = await h.refunds.requestRefund(provider2(), {
      paymentId: payment.paymentId,
      idempotencyKey: 'will-fail',
    });
    expect(refund.status).toBe('approved');
    const asset = assetKey(dev.network, dev.token.address);
    const revenue = accounts.providerRevenue(TENANT, dev.providers[2].address);
    const payable = accounts.providerRefundsPayable(TENANT, dev.providers[2].address);
    const held = await journal(h.log);
    expect(held.balances.of(payable, asset)).toBe(3n * USDC);
    expect(held.balances.of(revenue, asset)).toBe(0n);

    // Provider 2's hot wallet has gas but no USDC: its transfer is mined and reverts.
    const pass = await h.worker.tick();
    expect(pass.hotWalletRefunds).toEqual([refund.refundId]);
    expect([...pass.confirmedRefunds, ...(await h.worker.tick()).confirmedRefunds]).toEqual([refund.refundId]);
    const failedTx = h.refunds.getRefund(provider2(), refund.refundId).txHashes[0] as `0x${string}`;
    const receipt = await dev.publicClient.getTransactionReceipt({ hash: failedTx });
    expect(receipt.status).toBe('reverted');
    expect(receipt.from.toLowerCase()).toBe(brokeHotWallet.toLowerCase());
    expect(h.refunds.getRefund(provider2(), refund.refundId)).toMatchObject({
      status: 'failed',
      failureReason: 'refund transaction reverted',
    });
    expect(h.store.get(payment.paymentId)).toMatchObject({
      status: 'settled',
      refundedAmount: '0',
      refundInFlight: null,
    });
    const released = await journal(h.log);
    expect(released.balances.of(payable, asset)).toBe(0n);
    expect(released.balances.of(revenue, asset)).toBe(3n * USDC);
  });

  it('a lost dispute whose payout transaction reverts can be paid out again, once', async () => {
    const buyer = dev.buyers[3];
    const payment = await settlePayment(h, dev, { buyer, payTo: dev.providers[2], amount: 2n * USDC });
    const account = privateKeyToAccount(buyer.privateKey);
    const message = disputeProofMessage({
      domain: SIWX_DOMAIN,
      uri: `https://${SIWX_DOMAIN}/disputes`,
      address: account.address,
      chainId: dev.chainId,
      paymentId: payment.paymentId,
      reason: 'not_received',
      nonce: generateSiweNonce(),
      issuedAt: h.clock.now(),
    });
    const dispute = await h.disputes.openDispute({
      paymentId: payment.paymentId,
      reason: 'not_received',
      evidence: [],
      proof: { message, signature: await account.signMessage({ message }) },
    });
    const lost = await h.disputes.resolveDispute(provider2(), { disputeId: dispute.disputeId, resolution: 'accept' });
    const firstPayout = lost.payoutRefundId!;
    // Provider 2's hot wallet has no USDC: the payout reverts and is recorded failed; the dispute stays unpaid.
    const pass = await h.worker.tick();
    expect(pass.hotWalletRefunds).toEqual([firstPayout]);
    await h.worker.tick();
    expect(h.refunds.getRefund(admin, firstPayout).status).toBe('failed');
    expect(h.disputes.getDispute(admin, dispute.disputeId)).toMatchObject({
      status: 'lost',
      paidOut: false,
      payoutRefundId: null,
    });
    expect(h.store.get(payment.paymentId)?.status).toBe('disputed');
    await expect(
      h.refunds.requestRefund(provider2(), { paymentId: payment.paymentId, idempotencyKey: 'not-the-payout' }),
    ).rejects.toMatchObject({ code: LedgerErrorCode.DISPUTE_PAYOUT_PENDING });

    // Paid out again, this time with the provider's own authorization.
    const retried = await h.disputes.retryPayout(provider2(), { disputeId: dispute.disputeId });
    expect(retried.payoutRefundId).not.toBeNull();
    expect(retried.payoutRefundId).not.toBe(firstPayout);
    expect((await h.disputes.retryPayout(provider2(), { disputeId: dispute.disputeId })).payoutRefundId).toBe(
      retried.payoutRefundId,
    );
    const payout = h.refunds.getRefund(provider2(), retried.payoutRefundId!);
    expect(payout).toMatchObject({ status: 'approved', disputeId: dispute.disputeId, amount: (2n * USDC).toString() });
    const buyerBefore = await usdcBalance(dev, buyer.address);
    const asset = assetKey(dev.network, dev.token.address);
    const payerBooksBefore = (await journal(h.log)).balances.of(accounts.payer(buyer.address), asset);
    expect((await journal(h.log)).balances.of(accounts.disputesHeld(payment.paymentId), asset)).toBe(2n * USDC);
    await h.refunds.executeRefund(provider2(), {
      refundId: payout.refundId,
      authorization: await signRefund(payout, dev.providers[2].privateKey),
    });
    expect((await h.refunds.waitForOutcome(provider2(), payout.refundId, 30_000)).status).toBe('succeeded');
    expect(await usdcBalance(dev, buyer.address)).toBe(buyerBefore + 2n * USDC);
    expect(h.disputes.getDispute(admin, dispute.disputeId)).toMatchObject({ paidOut: true });
    expect(h.store.get(payment.paymentId)).toMatchObject({
      status: 'refunded',
      refundedAmount: (2n * USDC).toString(),
    });
    const books = await journal(h.log);
    expect(books.balances.of(accounts.disputesHeld(payment.paymentId), asset)).toBe(0n);
    expect(books.balances.of(accounts.payer(buyer.address), asset)).toBe(payerBooksBefore + 2n * USDC);
  });

  it('every fact it wrote satisfies the ledger contracts and every posting balances', async () => {
    const events: EventEnvelope[] = await allEvents(h.log);
    const types = new Set(events.map((e) => e.type));
    for (const t of [
      'refund.requested',
      'refund.approved',
      'refund.submitted',
      'refund.succeeded',
      'refund.failed',
      'refund.canceled',
    ]) {
      expect(types.has(t)).toBe(true);
    }
    for (const e of events) expect(parseEnvelope(e).id).toBe(e.id);
    await expect(journal(h.log)).resolves.toBeDefined();
  });
});
