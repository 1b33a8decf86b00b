import { signEip3009Request, signPermit2Request } from '@x402-ledger/evm';
import { EvmReason, type PaymentRequirementsV2 } from '@x402-ledger/protocol';
import { recoverTransactionAddress, type TransactionSerialized } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { facilitatorHarness, PAY_TO, TOKEN } from '../testing/facilitator-harness';

const DEV = { tenant: 'dev', keyId: 'k1' };
const OTHER = { tenant: 'acme', keyId: 'k2' };

describe('SettleService', () => {
  const buyer = privateKeyToAccount(generatePrivateKey());
  const requirements: PaymentRequirementsV2 = {
    scheme: 'exact',
    network: 'eip155:31337',
    amount: '1000',
    asset: TOKEN,
    payTo: PAY_TO,
    maxTimeoutSeconds: 300,
    extra: { name: 'USD Coin', version: '2' },
  };
  let h: ReturnType<typeof facilitatorHarness>;
  const sign = (extra: Partial<Parameters<typeof signEip3009Request>[0]> = {}) =>
    signEip3009Request({ account: buyer, requirements, chainId: 31337, ...extra });

  beforeEach(() => {
    h = facilitatorHarness();
    h.token.balances.set(buyer.address.toLowerCase(), 1_000_000n);
  });

  it('verify → settle: one transfer, success once, replays name the tx and broadcast nothing', async () => {
    const request = await sign();
    expect((await h.verify.verify(request, DEV, 'v')).isValid).toBe(true);
    const sut = h.settle;
    const first = await sut.settle(request, DEV, 's1');
    expect(first).toMatchObject({
      success: true,
      network: 'eip155:31337',
      payer: buyer.address,
      transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(h.token.balances.get(PAY_TO.toLowerCase())).toBe(1000n);
    const replay = await sut.settle(request, DEV, 's2');
    expect(replay).toMatchObject({
      success: false,
      errorReason: EvmReason.NonceAlreadyUsed,
      transaction: first.transaction,
    });
    expect(h.chain.sent).toHaveLength(1);
    expect(h.log.types()).toEqual(['payment.verified', 'payment.settlement_submitted', 'payment.settled']);
    expect(h.log.records[2].data).toMatchObject({
      txHash: first.transaction,
      logIndex: 0,
      gasUsed: '60000',
      effectiveGasPrice: '1000000000',
    });
  });

  it('Permit2: verify → settle through the proxy; replay names the tx and broadcasts nothing', async () => {
    const request = await signPermit2Request({
      account: buyer,
      requirements: { ...requirements, extra: { assetTransferMethod: 'permit2' } },
      chainId: 31337,
    });
    h.chain.approvePermit2(TOKEN, buyer.address, 10n ** 30n);
    expect((await h.verify.verify(request, DEV, 'v')).isValid).toBe(true);
    const first = await h.settle.settle(request, DEV, 's1');
    expect(first).toMatchObject({ success: true, payer: buyer.address });
    expect(h.token.balances.get(PAY_TO.toLowerCase())).toBe(1000n);
    const replays = await Promise.all([h.settle.settle(request, DEV, 's2'), h.settle.settle(request, DEV, 's3')]);
    for (const replay of replays) {
      expect(replay).toMatchObject({
        success: false,
        errorReason: EvmReason.NonceAlreadyUsed,
        transaction: first.transaction,
      });
    }
    expect(h.chain.sent).toHaveLength(1);
    expect(h.txStore).toBeDefined();
    const [stored] = await h.txStore.forPayment(h.log.records[0].data.paymentId as string);
    expect(stored).toMatchObject({ to: PAY_TO, from: buyer.address, value: '1000', hash: first.transaction });
    expect(h.log.types()).toEqual(['payment.verified', 'payment.settlement_submitted', 'payment.settled']);
    expect(h.log.records[0].data).toMatchObject({ assetTransferMethod: 'permit2' });
  });

  it('N concurrent settles (upfront flow): exactly one broadcast and one success', async () => {
    const request = await sign();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => h.settle.settle(request, DEV, `s${i}`)));
    const wins = answers.filter((a) => a.success);
    expect(wins).toHaveLength(1);
    expect(
      answers
        .filter((a) => !a.success)
        .every((a) => a.errorReason === EvmReason.NonceAlreadyUsed && a.transaction === wins[0].transaction),
    ).toBe(true);
    expect(h.chain.sent).toHaveLength(1);
  });

  it('refuses a payment reserved by another tenant, without broadcasting', async () => {
    const request = await sign();
    await h.verify.verify(request, OTHER, 'v');
    expect(await h.settle.settle(request, DEV, 's')).toMatchObject({
      success: false,
      errorReason: EvmReason.NonceAlreadyUsed,
      transaction: '',
    });
    expect(h.chain.sent).toHaveLength(0);
  });

  it('records a settle-time verification failure as payment.settlement_failed, with transaction "" and network', async () => {
    h.token.balances.set(buyer.address.toLowerCase(), 10n);
    const request = await sign();
    const answer = await h.settle.settle(request, DEV, 's');
    expect(answer).toMatchObject({
      success: false,
      errorReason: EvmReason.InsufficientBalance,
      transaction: '',
      network: 'eip155:31337',
    });
    expect(h.log.types()).toEqual(['payment.settlement_failed']);
    expect(h.chain.sent).toHaveLength(0);
    // Terminal: the same payload keeps getting the recorded failure.
    expect(await h.settle.settle(request, DEV, 's')).toMatchObject({
      success: false,
      errorReason: EvmReason.InsufficientBalance,
    });
  });

  it('after settlement_pending, the next settle gets the outcome of the SAME transaction (never a second broadcast)', async () => {
    h.chain.autoMine = false;
    const request = await sign();
    const pending = await h.settle.settle(request, DEV, 's1');
    expect(pending).toMatchObject({
      success: false,
      errorReason: EvmReason.SettlementPending,
      transaction: expect.stringMatching(/^0x/),
    });
    h.chain.mineAll();
    const retry = await h.settle.settle(request, DEV, 's2');
    expect(retry).toMatchObject({ success: true, transaction: pending.transaction });
    expect(h.chain.sent).toHaveLength(1);
    expect(await h.settle.settle(request, DEV, 's3')).toMatchObject({
      success: false,
      errorReason: EvmReason.NonceAlreadyUsed,
      transaction: pending.transaction,
    });
  });

  it('the reconciler finishes a pending settlement in the background; the next caller still gets the one success', async () => {
    h.chain.autoMine = false;
    const request = await sign();
    const pending = await h.settle.settle(request, DEV, 's1');
    h.chain.mineAll();
    await h.outcomes.sweep();
    for (let i = 0; i < 100 && !h.log.types().includes('payment.settled'); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(h.log.types()).toEqual(['payment.settlement_submitted', 'payment.settled']);
    expect(await h.settle.settle(request, DEV, 's2')).toMatchObject({
      success: true,
      transaction: pending.transaction,
    });
  });

  it('a new owner without the signed transaction (failover) finishes the recorded one; it never signs another', async () => {
    h.chain.autoMine = false;
    const request = await sign();
    const pending = await h.settle.settle(request, DEV, 's1');
    expect(pending).toMatchObject({ errorReason: EvmReason.SettlementPending });
    // Another process takes the payment over: same chain and log, its own signers and an empty signed-tx store.
    const next = facilitatorHarness({}, { chain: h.chain, log: h.log });
    await next.store.load(h.log);
    expect(next.store.get(h.log.records[0].streamId)?.status).toBe('settlement_submitted');
    expect(await next.txStore.forPayment(h.log.records[0].streamId)).toEqual([]);
    // Not mined yet: pending again, naming the recorded transaction; nothing is broadcast.
    expect(await next.settle.settle(request, DEV, 's2')).toMatchObject({
      success: false,
      errorReason: EvmReason.SettlementPending,
      transaction: pending.transaction,
    });
    h.chain.mineAll();
    await next.outcomes.sweep();
    for (let i = 0; i < 100 && !h.log.types().includes('payment.settled'); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(h.log.types()).toEqual(['payment.settlement_submitted', 'payment.settled']);
    // The signer comes from the receipt: the first process's account, not the new owner's.
    const sender = await recoverTransactionAddress({ serializedTransaction: h.chain.sent[0] as TransactionSerialized });
    expect(h.log.records[1].data).toMatchObject({ txHash: pending.transaction, signer: sender });
    expect(await next.settle.settle(request, DEV, 's3')).toMatchObject({
      success: true,
      transaction: pending.transaction,
    });
    expect(h.chain.sent).toHaveLength(1);
    expect(h.token.balances.get(PAY_TO.toLowerCase())).toBe(1000n);
  });

  it('a broadcast the node rejects is a recorded failure, and the signer nonce is not burnt', async () => {
    h.chain.sendErrors.push(
      Object.assign(new Error('insufficient funds for gas * price + value'), { name: 'RpcRequestError' }),
    );
    const request = await sign();
    expect(await h.settle.settle(request, DEV, 's1')).toMatchObject({ success: false, transaction: '' });
    expect(h.log.types()).toEqual(['payment.settlement_failed']);
    const next = await h.settle.settle(await sign(), DEV, 's2');
    expect(next.success).toBe(true);
  });

  it('resyncs the nonce on "nonce too low" and retries with a fresh one', async () => {
    h.chain.sendErrors.push(new Error('nonce too low'));
    const answer = await h.settle.settle(await sign(), DEV, 's');
    expect(answer.success).toBe(true);
  });

  it('answers a payload whose nonce was consumed elsewhere with nonce_already_used', async () => {
    const request = await sign();
    const nonce = (request.paymentPayload.payload as { authorization: { nonce: string } }).authorization.nonce;
    h.token.usedNonces.add(`${buyer.address.toLowerCase()}|${nonce}`);
    expect(await h.settle.settle(request, DEV, 's')).toMatchObject({
      success: false,
      errorReason: EvmReason.NonceAlreadyUsed,
    });
  });
});
