import { assetDecimalsOf } from './asset-decimals';
import type { NetworkConfig } from './network.config';

describe('assetDecimalsOf', () => {
  it('answers the configured decimals by network and case-insensitive address, null otherwise', () => {
    const usdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
    const sut = assetDecimalsOf([
      { network: 'eip155:84532', assets: [{ address: usdc, decimals: 6 }] } as unknown as NetworkConfig,
    ]);
    expect(sut('eip155:84532', usdc.toLowerCase())).toBe(6);
    expect(sut('eip155:84532', usdc)).toBe(6);
    expect(sut('eip155:8453', usdc)).toBeNull();
    expect(sut('eip155:84532', '0x0000000000000000000000000000000000000001')).toBeNull();
  });
});
