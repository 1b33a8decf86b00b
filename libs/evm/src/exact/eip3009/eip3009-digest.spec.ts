import { authorizationTypes } from '@x402/evm';
import fc from 'fast-check';
import { getAddress, hashTypedData, type Address, type Hex } from 'viem';
import { eip3009Digest, type Eip3009DigestInput } from './eip3009-digest';

function reference(input: Eip3009DigestInput): Hex | null {
  try {
    return hashTypedData({
      types: authorizationTypes,
      primaryType: 'TransferWithAuthorization',
      domain: {
        name: input.name as string,
        version: input.version as string,
        chainId: input.chainId,
        verifyingContract: input.verifyingContract,
      },
      message: {
        from: input.from as Address,
        to: input.to as Address,
        value: input.value,
        validAfter: input.validAfter,
        validBefore: input.validBefore,
        nonce: input.nonce as Hex,
      },
    });
  } catch {
    return null;
  }
}

const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString('hex')}`);
const address = hex(20).chain((a) =>
  fc.constantFrom(a, getAddress(a), a.toUpperCase().replace('0X', '0x'), `${getAddress(a).slice(0, 41)}${a.slice(41)}`),
);
const uint = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), fc.constantFrom(-1n, 1n << 256n, 0n));

describe('eip3009Digest', () => {
  it('equals viem hashTypedData, and is null exactly where hashTypedData throws', () => {
    fc.assert(
      fc.property(
        fc.record({
          name: fc.oneof(fc.string(), fc.constant('USD Coin')),
          version: fc.constantFrom('2', '1', ''),
          chainId: fc.integer({ min: 1, max: 2 ** 40 }),
          verifyingContract: hex(20).map((a) => getAddress(a)),
          from: address,
          to: address,
          value: uint,
          validAfter: uint,
          validBefore: uint,
          nonce: fc.oneof(hex(32), hex(31), hex(33)),
        }),
        (input) => {
          const sut = eip3009Digest(input);
          expect(sut).toBe(reference(input));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('follows hashTypedData for a non-string domain name', () => {
    const input: Eip3009DigestInput = {
      name: 5,
      version: '2',
      chainId: 1,
      verifyingContract: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
      from: '0x036cbd53842c5426634e7929541ec2318f3dcf7e',
      to: '0x036cbd53842c5426634e7929541ec2318f3dcf7e',
      value: 1n,
      validAfter: 0n,
      validBefore: 1n,
      nonce: `0x${'00'.repeat(32)}`,
    };
    const sut = eip3009Digest(input);
    expect(sut).toBe(reference(input));
  });
});
