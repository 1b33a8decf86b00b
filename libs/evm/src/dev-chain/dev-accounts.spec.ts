import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { DEV_ACCOUNT_LAYOUT, DEV_MNEMONIC, deriveDevAccount, devAccounts } from './dev-accounts';

describe('dev accounts', () => {
  it('derives the same keys as viem mnemonicToAccount at each index', () => {
    for (const index of [0, 1, 4, 5, 7, 8, 12]) {
      const sut = deriveDevAccount(index, 'buyer');
      const expected = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
      expect(sut.address).toBe(expected.address);
      expect(privateKeyToAccount(sut.privateKey).address).toBe(expected.address);
      expect(sut.hdIndex).toBe(index);
    }
  });

  it('assigns roles to fixed, disjoint index ranges (the well-known Hardhat account #0 deploys)', () => {
    const sut = devAccounts();
    expect(sut.deployer).toMatchObject({
      hdIndex: 0,
      role: 'deployer',
      address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    });
    expect(sut.facilitatorSigners.map((a) => a.hdIndex)).toEqual([1, 2, 3, 4]);
    expect(sut.providers.map((a) => a.hdIndex)).toEqual([5, 6, 7]);
    expect(sut.buyers.map((a) => a.hdIndex)).toEqual([8, 9, 10, 11, 12]);
    expect(sut.facilitatorSigners.every((a) => a.role === 'facilitatorSigner')).toBe(true);
    expect(sut.providers.every((a) => a.role === 'provider')).toBe(true);
    expect(sut.buyers.every((a) => a.role === 'buyer')).toBe(true);
    const total = Object.values(DEV_ACCOUNT_LAYOUT).reduce((n, r) => n + r.count, 0);
    const all = [sut.deployer, ...sut.facilitatorSigners, ...sut.providers, ...sut.buyers];
    expect(new Set(all.map((a) => a.address)).size).toBe(total);
    expect(devAccounts()).toBe(sut);
    expect(Object.isFrozen(sut.buyers[0])).toBe(true);
  });

  it('rejects a negative or fractional index', () => {
    expect(() => deriveDevAccount(-1, 'buyer')).toThrow(RangeError);
    expect(() => deriveDevAccount(1.5, 'buyer')).toThrow(RangeError);
  });
});
