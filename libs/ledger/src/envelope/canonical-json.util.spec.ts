import { runInNewContext } from 'node:vm';
import fc from 'fast-check';

import { expectLedgerError } from '../testing/ledger-test-data';
import { canonicalJson } from './canonical-json.util';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":1}]},"b":1}',
    );
  });

  it('gives the same string whatever the insertion order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        const shuffled = shuffle(value, seed);
        expect(canonicalJson(shuffled)).toBe(canonicalJson(value));
        expect(canonicalJson(JSON.parse(canonicalJson(value)))).toBe(canonicalJson(value));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses values JSON cannot carry faithfully', () => {
    expectLedgerError(() => canonicalJson({ a: 1n }), 'NON_CANONICAL_VALUE');
    expectLedgerError(() => canonicalJson({ a: Number.NaN }), 'NON_CANONICAL_VALUE');
    expectLedgerError(() => canonicalJson({ a: Infinity }), 'NON_CANONICAL_VALUE');
    expectLedgerError(() => canonicalJson([1, undefined]), 'NON_CANONICAL_VALUE');
    expectLedgerError(() => canonicalJson({ a: new Date(0) }), 'NON_CANONICAL_VALUE');
    expectLedgerError(() => canonicalJson({ a: () => 1 }), 'NON_CANONICAL_VALUE');
  });
});

function shuffle(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffle(v, seed + i));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const rotated = entries.length
      ? [...entries.slice(Math.abs(seed) % entries.length), ...entries.slice(0, Math.abs(seed) % entries.length)]
      : entries;
    return Object.fromEntries(rotated.reverse().map(([k, v]) => [k, shuffle(v, seed + 1)]));
  }
  return value;
}

describe('canonicalJson across realms', () => {
  it('accepts plain objects of another realm (decoded by a native addon, made in another vm context)', () => {
    const foreign = runInNewContext('({ b: [1, { d: "x" }], a: Object.create(null) })') as object;
    expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
    expect(canonicalJson({ data: foreign })).toBe('{"data":{"a":{},"b":[1,{"d":"x"}]}}');
  });

  it('still refuses class instances of another realm', () => {
    expect(() => canonicalJson({ at: runInNewContext('new Date(0)') })).toThrow(/not plain/);
    expect(() => canonicalJson({ m: runInNewContext('new Map()') })).toThrow(/not plain/);
  });
});

describe('canonicalJson errors', () => {
  it('names the first offending path', () => {
    expect(() => canonicalJson({ a: { b: [1, { c: 2n }] } })).toThrow('cannot serialize bigint at $.a.b[1].c');
    expect(() => canonicalJson({ a: [undefined] })).toThrow('cannot serialize undefined at $.a[0]');
  });
});
