import { EvmReason } from '@x402-ledger/protocol';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { SignerKey } from '../../networks/signer-key';
import { FakeEvmChain } from '../testing/fake-evm-chain';
import { signEip3009Request } from '../testing/sign-eip3009';
import { Eip3009Verifier } from '../eip3009/eip3009.verifier';
import { Eip3009Settler } from './eip3009.settler';
import { InMemorySignedTxStore } from './signed-tx.store';
import { SignerPool } from './signer-pool';

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;
const PAY_TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const;

describe('Eip3009Settler', () => {
  const buyer = privateKeyToAccount(generatePrivateKey());
  let chain: FakeEvmChain;
  let store: InMemorySignedTxStore;
  let pool: SignerPool;
  let sut: Eip3009Settler;

  const facts = async () => {
    const request = await signEip3009Request({
      account: buyer,
      chainId: 31337,
      requirements: {
        scheme: 'exact',
        network: 'eip155:31337',
        amount: '700',
        asset: TOKEN,
        payTo: PAY_TO,
        maxTimeoutSeconds: 300,
        extra: { name: 'USD Coin', version: '2' },
      },
    });
    const outcome = await new Eip3009Verifier({
      allowedFactories: [],
      validBeforeSkewSeconds: 5,
      simulate: true,
    }).verify(request, chain, Math.floor(Date.now() / 1000));
    if (!outcome.isValid) throw new Error(outcome.reason);
    return outcome.facts;
  };

  beforeEach(() => {
    chain = new FakeEvmChain();
    chain.addToken(TOKEN).balances.set(buyer.address.toLowerCase(), 10_000n);
    store = new InMemorySignedTxStore();
    pool = new SignerPool([SignerKey.parse(generatePrivateKey())!, SignerKey.parse(generatePrivateKey())!], chain);
    sut = new Eip3009Settler(chain, pool, store, {
      chainId: 31337,
      gasLimits: { transferWithAuthorization: 200_000n, deployment: 1n },
      confirmations: 1,
      receiptPollMs: 2,
    });
  });

  it('persists the signed bytes before broadcasting, then reads a settled outcome from the receipt', async () => {
    const submitted = await sut.submit('p1', await facts(), { tenant: 't' });
    if (!submitted.ok) throw new Error(submitted.message);
    expect(await store.forPayment('p1')).toEqual([submitted.tx]);
    expect(chain.sent).toEqual([submitted.tx.raw]);
    const outcome = await sut.awaitOutcome(submitted.tx, Date.now() + 1000);
    expect(outcome).toMatchObject({
      status: 'settled',
      txHash: submitted.tx.hash,
      logIndex: 0,
      signer: submitted.tx.signer,
    });
  });

  it('uses the signers round-robin, each with its own consecutive nonces', async () => {
    const txs = [];
    for (let i = 0; i < 4; i++) {
      const r = await sut.submit(`p${i}`, await facts());
      if (!r.ok) throw new Error(r.message);
      txs.push(r.tx);
    }
    expect(txs.map((t) => t.signer)).toEqual([
      pool.addresses[0],
      pool.addresses[1],
      pool.addresses[0],
      pool.addresses[1],
    ]);
    expect(txs.map((t) => t.nonce)).toEqual([0, 0, 1, 1]);
  });

  it('keeps the nonce when the node rejects a broadcast, and reports the SDK reason', async () => {
    chain.sendErrors.push(new Error('execution reverted: FiatTokenV2: authorization is used or canceled'));
    const rejected = await sut.submit('p1', await facts());
    expect(rejected).toMatchObject({ ok: false, reason: EvmReason.NonceAlreadyUsed, txHash: null });
    const next = await sut.submit('p2', await facts());
    expect(next.ok && next.tx.nonce).toBe(0);
  });

  it('treats a transport failure as sent (same bytes replayed later), never as a reason to sign again', async () => {
    chain.autoMine = false;
    chain.sendErrors.push(Object.assign(new Error('fetch failed'), { name: 'HttpRequestError' }));
    const submitted = await sut.submit('p1', await facts());
    if (!submitted.ok) throw new Error('expected ok');
    expect(chain.sent).toHaveLength(0);
    await sut.replayIfLost(submitted.tx);
    expect(chain.sent).toEqual([submitted.tx.raw]);
    chain.mineAll();
    expect((await sut.awaitOutcome(submitted.tx, Date.now() + 500)).status).toBe('settled');
  });

  it('is pending when no receipt comes before the deadline, failed when the receipt reverted or lacks the Transfer', async () => {
    chain.autoMine = false;
    const submitted = await sut.submit('p1', await facts());
    if (!submitted.ok) throw new Error('expected ok');
    expect(await sut.awaitOutcome(submitted.tx, Date.now() + 20)).toEqual({
      status: 'pending',
      txHash: submitted.tx.hash,
    });
    chain.receipts.set(submitted.tx.hash, {
      transactionHash: submitted.tx.hash,
      status: 'reverted',
      blockNumber: 5n,
      gasUsed: 1n,
      effectiveGasPrice: 1n,
      from: submitted.tx.signer,
      to: TOKEN,
      logs: [],
    });
    expect(await sut.awaitOutcome(submitted.tx, Date.now() + 50)).toMatchObject({
      status: 'failed',
      reason: EvmReason.TransactionFailed,
    });
    chain.receipts.set(submitted.tx.hash, {
      transactionHash: submitted.tx.hash,
      status: 'success',
      blockNumber: 5n,
      gasUsed: 1n,
      effectiveGasPrice: 1n,
      from: submitted.tx.signer,
      to: TOKEN,
      logs: [],
    });
    expect(await sut.awaitOutcome(submitted.tx, Date.now() + 50)).toMatchObject({
      status: 'failed',
      reason: EvmReason.TransferEventMismatch,
    });
  });
});
