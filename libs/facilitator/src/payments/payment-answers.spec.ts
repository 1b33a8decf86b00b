import { initialPaymentState, type PaymentState } from '@x402-ledger/ledger';
import { EvmReason } from '@x402-ledger/protocol';
import { refusal } from './payment-answers';
import { KeyedMutex } from './keyed-mutex';

const state = (patch: Partial<PaymentState>): PaymentState => ({ ...initialPaymentState(), ...patch });
const auth = (validBefore: string) => ({
  nonce: '0x',
  validAfter: '0',
  validBefore,
  x402Version: 2,
  assetTransferMethod: 'eip3009' as const,
  signatureKind: 'eoa' as const,
});

describe('refusal', () => {
  it('refuses reserved (until validBefore), in-flight and settled payments with nonce_already_used', () => {
    expect(refusal(state({ status: 'verified', authorization: auth('100') }), 50)?.reason).toBe(
      EvmReason.NonceAlreadyUsed,
    );
    expect(refusal(state({ status: 'verified', authorization: auth('100') }), 100)).toBeNull();
    expect(refusal(state({ status: 'settlement_submitted', submittedTxHashes: ['0xaa'] }), 0)).toMatchObject({
      reason: EvmReason.NonceAlreadyUsed,
      txHash: '0xaa',
    });
    expect(refusal(state({ status: 'refunded' }), 0)?.reason).toBe(EvmReason.NonceAlreadyUsed);
  });

  it('repeats a recorded settlement failure, and lets new or failed-verification payments through', () => {
    expect(
      refusal(
        state({ status: 'settlement_failed', settlementFailure: { reason: 'x_reason', message: null, txHash: null } }),
        0,
      )?.reason,
    ).toBe('x_reason');
    expect(refusal(state({ status: 'verification_failed' }), 0)).toBeNull();
    expect(refusal(undefined, 0)).toBeNull();
  });
});

describe('KeyedMutex', () => {
  it('runs work for one key one at a time and other keys concurrently', async () => {
    const sut = new KeyedMutex();
    const order: string[] = [];
    const step = (label: string, ms: number) => async () => {
      order.push(`${label}+`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${label}-`);
    };
    await Promise.all([sut.run('a', step('a1', 20)), sut.run('a', step('a2', 1)), sut.run('b', step('b1', 1))]);
    expect(order.indexOf('a2+')).toBeGreaterThan(order.indexOf('a1-'));
    expect(order.indexOf('b1+')).toBeLessThan(order.indexOf('a1-'));
    expect(sut.isBusy('a')).toBe(false);
  });
});
