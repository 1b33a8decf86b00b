import { createHash } from 'node:crypto';
import { EventIdIndex, eventIdHash, MAX_INDEXED_OFFSET } from './event-id.index';

const idBytes = (n: number) => createHash('sha256').update(`id-${n}`).digest();

describe('EventIdIndex', () => {
  it('finds every added id at its offset across growth, and nothing for an id never added', () => {
    const sut = new EventIdIndex();
    const ids = Array.from({ length: 20_000 }, (_, i) => idBytes(i)); // grows 4096 → 32768 slots
    ids.forEach((id, offset) => sut.add(eventIdHash(id), offset));
    expect(sut.size).toBe(ids.length);
    const stored = (id: Buffer) => (offset: number) => ids[offset].equals(id);
    for (const offset of [0, 1, 4095, 4096, 12_345, 19_999]) {
      expect(sut.find(eventIdHash(ids[offset]), stored(ids[offset]))).toBe(offset);
    }
    const absent = idBytes(-1);
    expect(sut.find(eventIdHash(absent), stored(absent))).toBe(-1);
  });

  it('treats a hash match as a candidate only: `verify` decides, and later candidates are still tried', () => {
    const sut = new EventIdIndex();
    sut.add(7, 10);
    sut.add(7, 11); // same hash, another id
    sut.add(7 + 4096, 12); // same slot, other hash: never offered
    const offered: number[] = [];
    expect(sut.find(7, (o) => (offered.push(o), o === 11))).toBe(11);
    expect(offered).toEqual([10, 11]);
    expect(sut.find(7, () => false)).toBe(-1);
  });

  it('truncate() forgets the entries at or after an offset and lowers indexedUpTo', () => {
    const sut = new EventIdIndex();
    const ids = Array.from({ length: 100 }, (_, i) => idBytes(i));
    ids.forEach((id, offset) => sut.add(eventIdHash(id), offset));
    sut.indexedUpTo = 100;
    sut.truncate(60);
    expect(sut.size).toBe(60);
    expect(sut.indexedUpTo).toBe(60);
    expect(sut.find(eventIdHash(ids[59]), () => true)).toBe(59);
    expect(sut.find(eventIdHash(ids[60]), () => true)).toBe(-1);
  });

  it('refuses offsets it cannot hold', () => {
    const sut = new EventIdIndex();
    expect(() => sut.add(1, MAX_INDEXED_OFFSET + 1)).toThrow(RangeError);
    expect(() => sut.add(1, -1)).toThrow(RangeError);
    sut.add(1, MAX_INDEXED_OFFSET);
    expect(sut.find(1, () => true)).toBe(MAX_INDEXED_OFFSET);
  });

  it('hashes all 32 bytes (ids sharing a long prefix still spread)', () => {
    const base = Buffer.alloc(32);
    const hashes = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const id = Buffer.from(base);
      id.writeUInt16BE(i, 30); // only the last two bytes differ
      hashes.add(eventIdHash(id) & 4095);
    }
    expect(hashes.size).toBeGreaterThan(800); // ~ 4096·(1 − e^(−1000/4096)) ≈ 886 distinct slots when uniform
    expect(eventIdHash(idBytes(1))).toBe(eventIdHash(Buffer.from(idBytes(1))));
  });
});
