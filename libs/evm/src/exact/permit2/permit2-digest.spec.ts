import fc from 'fast-check';
import { getAddress, type Address } from 'viem';
import { permit2Digest, permit2DigestViem } from './permit2-digest';

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).chain((b) =>
  fc
    .constantFrom<(a: string) => string>(
      (a) => a,
      (a) => getAddress(a),
      (a) => a.toUpperCase().replace('0X', '0x'),
    )
    .map((f) => f(`0x${Buffer.from(b).toString('hex')}`) as Address),
);
const uintText = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map(String),
  fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }).map((n) => `0x${n.toString(16)}`),
  fc.constantFrom('-1', `${1n << 256n}`, '1.5', 'abc', '0', ' 7 '),
);

describe('permit2Digest', () => {
  it('equals viem hashTypedData (the SDK) on random authorizations, null exactly where viem throws', () => {
    fc.assert(
      fc.property(
        fc.record({
          from: address,
          permitted: fc.record({ token: address, amount: uintText }),
          spender: address,
          nonce: uintText,
          deadline: uintText,
          witness: fc.record({ to: address, validAfter: uintText }),
        }),
        fc.constantFrom(1, 8453, 31337),
        (auth, chainId) => {
          expect(permit2Digest(chainId, auth)).toBe(permit2DigestViem(chainId, auth));
        },
      ),
      { numRuns: 300 },
    );
  });
});
