import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SignedSettlementTx } from '@x402-ledger/evm';
import { LmdbFacilitatorState } from '@x402-ledger/facilitator';

const tx = (paymentId: string, nonce: number): SignedSettlementTx => ({
  paymentId,
  network: 'eip155:31337',
  kind: 'transfer',
  signer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  nonce,
  hash: `0x${String(nonce).padStart(64, '0')}`,
  raw: '0x02f8',
  asset: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  from: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  value: '1000',
  signedAt: `2026-11-23T00:00:0${nonce}.000Z`,
  context: { tenant: 'dev' },
});

describe('LmdbFacilitatorState', () => {
  it('keeps signed transactions, success marks and payment-identifier bindings across a reopen', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'x402-state-')), 'state');
    let sut = new LmdbFacilitatorState(dir);
    await sut.signedTxs.save(tx('a'.repeat(64), 1));
    await sut.signedTxs.save(tx('b'.repeat(64), 2));
    await sut.markSuccessAnswered('c'.repeat(64));
    const bound = await sut.bindPaymentIdentifier('dev|pay_1', { fingerprint: 'f1', streamId: 'a'.repeat(64) });
    expect(bound.fingerprint).toBe('f1');
    await sut.close();

    sut = new LmdbFacilitatorState(dir);
    expect((await sut.signedTxs.unresolved()).map((t) => t.nonce)).toEqual([1, 2]);
    expect(await sut.signedTxs.forPayment('a'.repeat(64))).toHaveLength(1);
    expect(sut.successAnswered('c'.repeat(64))).toBe(true);
    expect(sut.successAnswered('d'.repeat(64))).toBe(false);
    expect(await sut.bindPaymentIdentifier('dev|pay_1', { fingerprint: 'f2', streamId: null })).toEqual({
      fingerprint: 'f1',
      streamId: 'a'.repeat(64),
    });

    await sut.signedTxs.resolve('a'.repeat(64));
    expect((await sut.signedTxs.unresolved()).map((t) => t.paymentId)).toEqual(['b'.repeat(64)]);
    expect(await sut.signedTxs.forPayment('a'.repeat(64))).toEqual([]);
    await sut.close();
  });
});
