import { inspect } from 'node:util';
import { RefundsErrorCode } from './refunds.exception';
import { resolveRefundsOptions } from './refunds.options';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

describe('resolveRefundsOptions', () => {
  it('applies defaults and derives each hot wallet address (payTo defaults to it)', () => {
    const sut = resolveRefundsOptions({
      siwxDomain: 'api.example.com',
      hotWallets: [{ network: 'eip155:8453', key: KEY, perRefundLimit: '5000000', perDayLimit: 20_000_000n }],
    });
    expect(sut).toMatchObject({
      disputeResponseSeconds: 604800,
      duplicateWindowSeconds: 600,
      tickIntervalMs: 1000,
      stateDir: null,
    });
    expect(sut.hotWallets[0]).toMatchObject({
      address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      payTo: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      perRefundLimit: 5_000_000n,
      perDayLimit: 20_000_000n,
    });
  });

  it('lists every problem, and never prints a key', () => {
    let message = '';
    try {
      resolveRefundsOptions({
        siwxDomain: '',
        disputeResponseSeconds: -1,
        hotWallets: [{ network: 'base', key: KEY.slice(0, 20), perRefundLimit: '1.5', perDayLimit: '1' }],
      });
    } catch (error) {
      expect(error).toMatchObject({ code: RefundsErrorCode.INVALID_INPUT });
      message = (error as Error).message;
    }
    expect(message).toMatch(/siwxDomain/);
    expect(message).toMatch(/disputeResponseSeconds/);
    expect(message).toMatch(/hotWallets\.0\.network/);
    expect(message).toMatch(/perRefundLimit/);
    expect(message).not.toContain(KEY.slice(2, 20));
    const hot = resolveRefundsOptions({
      siwxDomain: 'x',
      hotWallets: [{ network: 'eip155:1', key: KEY, perRefundLimit: '1', perDayLimit: '1' }],
    });
    expect(inspect(hot, { depth: 10 })).not.toContain(KEY.slice(2));
    expect(JSON.stringify(hot, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain(KEY.slice(2));
  });

  it('refuses two hot wallets for one payTo on one network', () => {
    const wallet = { network: 'eip155:1', key: KEY, perRefundLimit: '1', perDayLimit: '1' };
    expect(() => resolveRefundsOptions({ siwxDomain: 'x', hotWallets: [wallet, wallet] })).toThrow(/two hot wallets/);
  });
});
