import fc from 'fast-check';
import { canonicalJson, fingerprint } from './fingerprint';

describe('canonicalJson / fingerprint', () => {
  it('ignores key order at every level', () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } };
    const b = { a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(fingerprint(a)).toBe(fingerprint(b));
  });

  it('distinguishes different values and is valid JSON that round-trips', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const sut = canonicalJson(value);
        expect(JSON.parse(sut)).toEqual(JSON.parse(JSON.stringify(value) ?? 'null'));
      }),
      { numRuns: 200 },
    );
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });
});
