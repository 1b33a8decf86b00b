import { adminPrincipal, payerPrincipal, providerPrincipal } from '@x402-ledger/auth';
import { startDevChain, type DevAccount, type DevChain } from '@x402-ledger/evm';
import { accounts, assetKey, LedgerErrorCode } from '@x402-ledger/ledger';
import {
  DEADLINE_ACTOR,
  RefundsErrorCode,
  disputeProofMessage,
  refundAuthorizationTypedData,
  type DisputeProof,
  type DisputeReason,
  type RefundAuthorization,
  type RefundView,
} from '@x402-ledger/refunds';
import { toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { generateSiweNonce } from 'viem/siwe';
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
const RESPONSE_SECONDS = 3 * 24 * 3600;

describe('disputes and duplicate payments on the dev chain', () => {
  let dev: DevChain;
  let h: Harness;
  const provider0 = () => providerPrincipal('key:provider0', TENANT, [dev.providers[0].address]);
  const provider1 = () => providerPrincipal('key:provider1', TENANT, [dev.providers[1].address]);
  const payer = (account: DevAccount) => payerPrincipal(`wallet:${account.address.toLowerCase()}`, account.address);
  const admin = adminPrincipal('admin:config');
  const options = () => ({
    disputeResponseSeconds: RESPONSE_SECONDS,
    duplicateWindowSeconds: 600,
    hotWallets: [
      {
        network: dev.network,
        key: dev.providers[1].privateKey,
        perRefundLimit: (50n * USDC).toString(),
        perDayLimit: (50n * USDC).toString(),
      },
    ],
  });

  async function proof(
    signer: DevAccount,
    paymentId: string,
    reason: DisputeReason,
    overrides: Partial<{ domain: string; paymentId: string; chainId: number }> = {},
  ): Promise<DisputeProof> {
    const account = privateKeyToAccount(signer.privateKey);
    const message = disputeProofMessage({
      domain: overrides.domain ?? SIWX_DOMAIN,
      uri: `https://${SIWX_DOMAIN}/disputes`,
      address: account.address,
      chainId: overrides.chainId ?? dev.chainId,
      paymentId: overrides.paymentId ?? paymentId,
      reason,
      nonce: generateSiweNonce(),
      issuedAt: h.clock.now(),
    });
    return { message, signature: await account.signMessage({ message }) };
  }

  async function signRefund(view: RefundView, signerKey: `0x${string}`): Promise<RefundAuthorization> {
    const signer = privateKeyToAccount(signerKey);
    const nonce = toHex(crypto.getRandomValues(new Uint8Array(32)));
    const validBefore = BigInt(Math.floor(h.clock.now().getTime() / 1000) + 3600);
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
      to: view.payer,
      value: BigInt(view.amount),
      validAfter: 0n,
      validBefore,
      nonce,
    });
    return {
      from: signer.address,
      to: view.payer,
      value: view.amount,
      validAfter: '0',
      validBefore: validBefore.toString(),
      nonce,
      signature: await signer.signTypedData(typed),
    };
  }

  const held = async (paymentId: string) =>
    (await journal(h.log)).balances.of(accounts.disputesHeld(paymentId), assetKey(dev.network, dev.token.address));

  beforeAll(async () => {
    dev = await startDevChain({ rpcPort: 0 });
    h = await startHarness(dev, options());
  });

  afterAll(async () => {
    await h?.close();
    if (h) removeDir(h.dir);
    await dev?.close();
  });

  it('the payer opens a dispute with a SIWx proof; a non-payer proof (or one for another payment) is refused', async () => {
    const buyer = dev.buyers[0];
    const payment = await settlePayment(h, dev, { buyer, payTo: dev.providers[0], amount: 5n * USDC });
    const other = await settlePayment(h, dev, { buyer, payTo: dev.providers[0], amount: 1n * USDC });
    const refused: [string, Promise<DisputeProof>][] = [
      ['signed by someone else', proof(dev.buyers[1], payment.paymentId, 'not_received')],
      ['names another payment', proof(buyer, payment.paymentId, 'not_received', { paymentId: other.paymentId })],
      ['another domain', proof(buyer, payment.paymentId, 'not_received', { domain: 'evil.example' })],
      ['another chain', proof(buyer, payment.paymentId, 'not_received', { chainId: 1 })],
      ['another reason', proof(buyer, payment.paymentId, 'fraudulent')],
    ];
    for (const [, p] of refused) {
      await expect(
        h.disputes.openDispute({ paymentId: payment.paymentId, reason: 'not_received', evidence: [], proof: await p }),
      ).rejects.toMatchObject({ code: RefundsErrorCode.PROOF_REJECTED });
    }
    // A signature that does not match the message.
    const good = await proof(buyer, payment.paymentId, 'not_received');
    const forged = {
      message: good.message,
      signature: (await proof(dev.buyers[1], payment.paymentId, 'not_received')).signature,
    };
    await expect(
      h.disputes.openDispute({ paymentId: payment.paymentId, reason: 'not_received', evidence: [], proof: forged }),
    ).rejects.toMatchObject({
      code: RefundsErrorCode.PROOF_REJECTED,
    });

    const openedAt = h.clock.now();
    const dispute = await h.disputes.openDispute({
      paymentId: payment.paymentId,
      reason: 'not_received',
      evidence: ['the API returned 500 after payment', 'sha256:2f1e0c'],
      proof: good,
    });
    expect(dispute).toMatchObject({
      status: 'needs_response',
      reason: 'not_received',
      openedBy: `payer:${buyer.address.toLowerCase()}`,
      amount: (5n * USDC).toString(),
      respondBy: new Date(openedAt.getTime() + RESPONSE_SECONDS * 1000).toISOString(),
    });
    expect(await held(payment.paymentId)).toBe(5n * USDC);
    // The same proof again opens nothing new.
    const count = (await allEvents(h.log)).length;
    h.clock.advance(1000);
    const again = await h.disputes.openDispute({
      paymentId: payment.paymentId,
      reason: 'not_received',
      evidence: dispute.evidence.opening,
      proof: good,
    });
    expect(again.disputeId).toBe(dispute.disputeId);
    expect((await allEvents(h.log)).length).toBe(count);
    // While it is open, no refund may start.
    await expect(
      h.refunds.requestRefund(provider0(), { paymentId: payment.paymentId, idempotencyKey: 'during-dispute' }),
    ).rejects.toMatchObject({ code: LedgerErrorCode.DISPUTE_OPEN });

    // The provider responds (→ under review); only an operator rules.
    const responded = await h.disputes.submitEvidence(provider0(), {
      disputeId: dispute.disputeId,
      evidence: ['https://logs.example/req/42'],
    });
    expect(responded).toMatchObject({
      status: 'under_review',
      evidence: { provider: ['https://logs.example/req/42'] },
    });
    await expect(
      h.disputes.resolveDispute(provider0(), { disputeId: dispute.disputeId, resolution: 'won' }),
    ).rejects.toMatchObject({
      code: RefundsErrorCode.FORBIDDEN,
    });
    await expect(
      h.disputes.resolveDispute(payer(buyer), { disputeId: dispute.disputeId, resolution: 'lost' }),
    ).rejects.toMatchObject({
      code: RefundsErrorCode.FORBIDDEN,
    });
    const won = await h.disputes.resolveDispute(admin, {
      disputeId: dispute.disputeId,
      resolution: 'won',
      note: 'served per logs',
    });
    expect(won).toMatchObject({
      status: 'won',
      decidedBy: 'admin:config',
      note: 'served per logs',
      payoutRefundId: null,
    });
    expect(await held(payment.paymentId)).toBe(0n);
    expect(h.store.get(payment.paymentId)?.status).toBe('settled');
    // Decided once: a second dispute is refused.
    await expect(
      h.disputes.openDispute({
        paymentId: payment.paymentId,
        reason: 'not_received',
        evidence: [],
        proof: await proof(buyer, payment.paymentId, 'not_received'),
      }),
    ).rejects.toMatchObject({ code: LedgerErrorCode.ALREADY_DISPUTED });
  });

  it('the provider accepts a dispute: the payer is paid back once, through the linked payout refund', async () => {
    const buyer = dev.buyers[1];
    const payment = await settlePayment(h, dev, { buyer, payTo: dev.providers[0], amount: 7n * USDC });
    const partial = await h.refunds.requestRefund(provider0(), {
      paymentId: payment.paymentId,
      amount: (2n * USDC).toString(),
      idempotencyKey: 'p',
    });
    await h.refunds.executeRefund(provider0(), {
      refundId: partial.refundId,
      authorization: await signRefund(partial, dev.providers[0].privateKey),
    });
    expect((await h.refunds.waitForOutcome(provider0(), partial.refundId, 30_000)).status).toBe('succeeded');

    const dispute = await h.disputes.openDispute({
      paymentId: payment.paymentId,
      reason: 'not_as_described',
      evidence: ['returned an empty body'],
      proof: await proof(buyer, payment.paymentId, 'not_as_described'),
    });
    expect(dispute.amount).toBe((5n * USDC).toString());
    const accepted = await h.disputes.resolveDispute(provider0(), {
      disputeId: dispute.disputeId,
      resolution: 'accept',
    });
    expect(accepted).toMatchObject({ status: 'lost', decidedBy: 'key:provider0' });
    expect(accepted.payoutRefundId).not.toBeNull();
    const payout = h.refunds.getRefund(provider0(), accepted.payoutRefundId!);
    expect(payout).toMatchObject({
      status: 'approved',
      requestedBy: 'arbiter',
      disputeId: dispute.disputeId,
      amount: (5n * USDC).toString(),
    });
    expect(h.store.get(payment.paymentId)?.status).toBe('disputed');
    // No second payout path: an ordinary refund is refused while the payout is in flight.
    await expect(
      h.refunds.requestRefund(provider0(), { paymentId: payment.paymentId, idempotencyKey: 'double' }),
    ).rejects.toMatchObject({ code: LedgerErrorCode.REFUND_IN_FLIGHT });

    const buyerBefore = await usdcBalance(dev, buyer.address);
    await h.refunds.executeRefund(provider0(), {
      refundId: payout.refundId,
      authorization: await signRefund(payout, dev.providers[0].privateKey),
    });
    expect((await h.refunds.waitForOutcome(provider0(), payout.refundId, 30_000)).status).toBe('succeeded');
    expect(await usdcBalance(dev, buyer.address)).toBe(buyerBefore + 5n * USDC);
    expect(h.store.get(payment.paymentId)).toMatchObject({
      status: 'refunded',
      refundedAmount: (7n * USDC).toString(),
    });
    expect(h.disputes.getDispute(payer(buyer), dispute.disputeId)).toMatchObject({ paidOut: true });
    expect(await held(payment.paymentId)).toBe(0n);
    const books = await journal(h.log);
    expect(books.balances.of(accounts.payer(buyer.address), assetKey(dev.network, dev.token.address))).toBe(0n);
  });

  it('no response by the deadline: resolved for the payer on the fake clock (also after a restart), paid out by the hot wallet, once', async () => {
    const buyer = dev.buyers[2];
    const payment = await settlePayment(h, dev, { buyer, payTo: dev.providers[1], amount: 3n * USDC });
    const dispute = await h.disputes.openDispute({
      paymentId: payment.paymentId,
      reason: 'not_received',
      evidence: [],
      proof: await proof(buyer, payment.paymentId, 'not_received'),
    });
    const respondBy = Date.parse(dispute.respondBy);
    expect((await h.worker.tick()).overdueDisputes).toEqual([]);

    // The deadline is a fact on the log: a restarted process finds it again.
    const dir = h.dir;
    await h.close();
    h = await startHarness(dev, options(), dir);
    h.clock.set(new Date(respondBy - 1000));
    expect((await h.worker.tick()).overdueDisputes).toEqual([]);
    expect(h.disputes.getDispute(provider1(), dispute.disputeId).status).toBe('needs_response');

    const buyerBefore = await usdcBalance(dev, buyer.address);
    h.clock.set(new Date(respondBy));
    const pass = await h.worker.tick();
    expect(pass.overdueDisputes).toEqual([dispute.disputeId]);
    const lost = h.disputes.getDispute(provider1(), dispute.disputeId);
    expect(lost).toMatchObject({
      status: 'lost',
      decidedBy: DEADLINE_ACTOR,
      note: `no provider response by ${dispute.respondBy}`,
    });
    expect(pass.hotWalletRefunds).toEqual([lost.payoutRefundId]);
    const confirmed = [...pass.confirmedRefunds, ...(await h.worker.tick()).confirmedRefunds];
    expect(confirmed).toEqual([lost.payoutRefundId]);
    expect(await usdcBalance(dev, buyer.address)).toBe(buyerBefore + 3n * USDC);
    expect(h.store.get(payment.paymentId)?.status).toBe('refunded');

    // Idempotent: later passes add nothing.
    const count = (await allEvents(h.log)).length;
    h.clock.advance(3600_000);
    const later = await h.worker.tick();
    expect(later).toEqual({ overdueDisputes: [], hotWalletRefunds: [], confirmedRefunds: [] });
    expect((await allEvents(h.log)).length).toBe(count);
  });

  it('refuses a dispute on a fully refunded payment; a payer may withdraw an open one', async () => {
    h.clock.set(new Date());
    const buyer = dev.buyers[3];
    const refunded = await settlePayment(h, dev, { buyer, payTo: dev.providers[0], amount: 1n * USDC });
    const refund = await h.refunds.requestRefund(provider0(), { paymentId: refunded.paymentId, idempotencyKey: 'all' });
    await h.refunds.executeRefund(provider0(), {
      refundId: refund.refundId,
      authorization: await signRefund(refund, dev.providers[0].privateKey),
    });
    expect((await h.refunds.waitForOutcome(provider0(), refund.refundId, 30_000)).status).toBe('succeeded');
    await expect(
      h.disputes.openDispute({
        paymentId: refunded.paymentId,
        reason: 'duplicate',
        evidence: [],
        proof: await proof(buyer, refunded.paymentId, 'duplicate'),
      }),
    ).rejects.toMatchObject({ code: LedgerErrorCode.ALREADY_REFUNDED });

    const open = await settlePayment(h, dev, { buyer, payTo: dev.providers[0], amount: 2n * USDC });
    const dispute = await h.disputes.openDispute({
      paymentId: open.paymentId,
      reason: 'other',
      evidence: ['changed my mind'],
      proof: await proof(buyer, open.paymentId, 'other'),
    });
    await expect(h.disputes.withdrawDispute(provider0(), { disputeId: dispute.disputeId })).rejects.toMatchObject({
      code: RefundsErrorCode.FORBIDDEN,
    });
    await expect(
      h.disputes.withdrawDispute(payer(dev.buyers[4]), { disputeId: dispute.disputeId }),
    ).rejects.toMatchObject({
      code: RefundsErrorCode.NOT_FOUND,
    });
    expect((await h.disputes.withdrawDispute(payer(buyer), { disputeId: dispute.disputeId })).status).toBe('withdrawn');
    expect(await held(open.paymentId)).toBe(0n);
    expect(h.disputes.listDisputes(payer(buyer)).map((d) => d.disputeId)).toContain(dispute.disputeId);
    expect(h.disputes.listDisputes(provider1()).map((d) => d.disputeId)).not.toContain(dispute.disputeId);
  });

  it('serves the GraphQL workflow ports (RefundWorkflow, DisputeWorkflow) on the same single writer', async () => {
    h.clock.set(new Date());
    const buyer = dev.buyers[0];
    const payment = await settlePayment(h, dev, { buyer, payTo: dev.providers[1], amount: 3n * USDC });
    const ctx = (idempotencyKey: string) => ({
      tenant: TENANT,
      paymentId: payment.paymentId,
      principal: provider1(),
      actor: 'key:provider1',
      idempotencyKey,
      correlationId: `req-${idempotencyKey}`,
    });
    const requested = await h.workflow.requestRefund({
      ...ctx('api-1'),
      amount: null,
      reason: 'api',
      requestedBy: 'provider',
    });
    expect(requested).toMatchObject({
      replayed: false,
      result: { status: 'requested', amount: (3n * USDC).toString() },
    });
    expect(
      (await h.workflow.requestRefund({ ...ctx('api-1'), amount: null, reason: 'api', requestedBy: 'provider' }))
        .replayed,
    ).toBe(true);
    await expect(
      h.workflow.approveRefund({ ...ctx('x'), tenant: 'someone-else', refundId: requested.result.refundId }),
    ).rejects.toMatchObject({
      code: LedgerErrorCode.NOT_FOUND,
    });
    await h.workflow.approveRefund({ ...ctx('api-2'), refundId: requested.result.refundId });
    expect(await h.workflow.locateRefund(requested.result.refundId)).toBe(payment.paymentId);
    // No authorization given: provider 1's hot wallet executes it.
    const executed = await h.workflow.executeRefund({ ...ctx('api-3'), refundId: requested.result.refundId });
    expect(executed.result).toMatchObject({ status: 'submitted', method: 'hot_wallet' });
    await h.worker.tick();
    expect((await h.workflow.getPayment(payment.paymentId))?.status).toBe('refunded');

    // A dispute ruled won straight from needs_response goes through review first.
    const other = await settlePayment(h, dev, { buyer, payTo: dev.providers[0], amount: 1n * USDC });
    const dctx = {
      tenant: TENANT,
      paymentId: other.paymentId,
      principal: payer(buyer),
      actor: `wallet:${buyer.address.toLowerCase()}`,
      idempotencyKey: 'd',
      correlationId: 'req-d',
    };
    const opened = await h.workflow.openDispute({
      ...dctx,
      reason: 'other',
      evidence: ['x'],
      respondBy: new Date(h.clock.now().getTime() + 86_400_000).toISOString(),
    });
    expect(opened.result.status).toBe('needs_response');
    const ruled = await h.workflow.resolveDispute({
      ...dctx,
      principal: admin,
      actor: 'admin:config',
      disputeId: opened.result.disputeId,
      outcome: 'won',
      note: null,
    });
    expect(ruled).toMatchObject({ result: { status: 'won' }, payoutRefund: null });
    await expect(h.workflow.executeRefund({ ...dctx, refundId: 'f'.repeat(64) })).rejects.toMatchObject({
      code: RefundsErrorCode.NOT_FOUND,
    });
  });

  it('flags three identical payments inside the window and none outside it; each is refundable in one action', async () => {
    const buyer = dev.buyers[4];
    const resourceUrl = 'http://127.0.0.1:4021/premium';
    const t0 = new Date('2032-01-10T09:00:00.000Z');
    const at = async (minutes: number, amount = 1n * USDC, resource = resourceUrl) => {
      h.clock.set(new Date(t0.getTime() + minutes * 60_000));
      return settlePayment(h, dev, { buyer, payTo: dev.providers[0], amount, resourceUrl: resource });
    };
    const first = await at(0);
    const second = await at(2);
    const third = await at(4);
    const otherAmount = await at(5, 2n * USDC);
    const otherResource = await at(6, 1n * USDC, 'http://127.0.0.1:4021/weather-pro');
    const outside = await at(30);

    const groups = h.duplicates
      .list(provider0())
      .filter((g) => g.resourceUrl === resourceUrl || g.original.paymentId === otherResource.paymentId);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      payer: buyer.address,
      resourceUrl,
      amount: (1n * USDC).toString(),
      original: { paymentId: first.paymentId },
    });
    expect(groups[0].duplicates.map((d) => d.paymentId)).toEqual([second.paymentId, third.paymentId]);
    const flagged = new Set(
      h.duplicates.list(admin).flatMap((g) => [g.original.paymentId, ...g.duplicates.map((d) => d.paymentId)]),
    );
    for (const p of [outside, otherAmount, otherResource]) expect(flagged.has(p.paymentId)).toBe(false);
    expect(h.duplicates.list(provider1()).some((g) => g.resourceUrl === resourceUrl)).toBe(false);

    const refund = await h.duplicates.refundDuplicate(provider0(), second.paymentId);
    expect(refund).toMatchObject({ status: 'approved', amount: (1n * USDC).toString(), reason: 'duplicate payment' });
    expect((await h.duplicates.refundDuplicate(provider0(), second.paymentId)).refundId).toBe(refund.refundId);
    await expect(h.duplicates.refundDuplicate(provider0(), outside.paymentId)).rejects.toMatchObject({
      code: RefundsErrorCode.NOT_FOUND,
    });
    await expect(h.duplicates.refundDuplicate(provider0(), first.paymentId)).rejects.toMatchObject({
      code: RefundsErrorCode.NOT_FOUND,
    });
    await h.refunds.executeRefund(provider0(), {
      refundId: refund.refundId,
      authorization: await signRefund(refund, dev.providers[0].privateKey),
    });
    expect((await h.refunds.waitForOutcome(provider0(), refund.refundId, 30_000)).status).toBe('succeeded');
    const after = h.duplicates.list(provider0()).find((g) => g.original.paymentId === first.paymentId)!;
    expect(after.duplicates.find((d) => d.paymentId === second.paymentId)).toMatchObject({
      refundStatus: 'succeeded',
      refundable: '0',
    });
  });
});
