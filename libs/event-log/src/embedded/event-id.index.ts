/**
 * MurmurHash3 (32-bit) of an event id's 32 bytes. Event ids are sha256 hex, so any good mix of all 32 bytes spreads
 * them evenly; hashing every byte (not a prefix) keeps the table fair for ids that share a prefix.
 */
export function eventIdHash(id: Uint8Array): number {
  let h = 0x9747b28c;
  for (let i = 0; i < 32; i += 4) {
    let k = id[i] | (id[i + 1] << 8) | (id[i + 2] << 16) | (id[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= 32;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Largest offset a slot can hold (slots store offset + 1 in a Uint32Array; 0 means empty). */
export const MAX_INDEXED_OFFSET = 0xffff_fffe;

const MIN_CAPACITY = 1 << 12;

/**
 * The in-memory event-id → offset index of the embedded log: an open-addressing hash table (linear probing) of
 * 8 bytes per slot — the id's 32-bit hash and its offset — filled to at most 3/4 (≈ 11–21 bytes per record).
 *
 * It is a cache derived from the store's `idLog` (offset → id), never the source of truth: a hash match is only a
 * CANDIDATE, confirmed by the caller against the stored id (`verify`). Entries may therefore be stale (left by an
 * aborted transaction) without harm, and the index is rebuilt from `idLog` after a restart.
 * `indexedUpTo`: every offset below it is in the index.
 */
export class EventIdIndex {
  private hashes: Uint32Array;
  private slots: Uint32Array;
  private mask: number;
  private count = 0;
  indexedUpTo = 0;

  constructor(capacity = MIN_CAPACITY) {
    let size = MIN_CAPACITY;
    while (size < capacity) size *= 2;
    this.hashes = new Uint32Array(size);
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  add(hash: number, offset: number): void {
    if (offset > MAX_INDEXED_OFFSET || offset < 0 || !Number.isInteger(offset)) {
      throw new RangeError(`offset ${offset} is outside what the event-id index can hold`);
    }
    if ((this.count + 1) * 4 > this.slots.length * 3) this.resize(this.slots.length * 2);
    this.insert(hash, offset + 1);
    this.count++;
  }

  /** The offset of the first entry with this hash that `verify` confirms, or -1. */
  find(hash: number, verify: (offset: number) => boolean): number {
    const { hashes, slots, mask } = this;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = slots[i];
      if (slot === 0) return -1;
      if (hashes[i] === hash && verify(slot - 1)) return slot - 1;
    }
  }

  /** Forgets every entry at `end` or beyond (a transaction that assigned them was not committed). */
  truncate(end: number): void {
    const { hashes, slots } = this;
    this.hashes = new Uint32Array(slots.length);
    this.slots = new Uint32Array(slots.length);
    this.count = 0;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] !== 0 && slots[i] - 1 < end) {
        this.insert(hashes[i], slots[i]);
        this.count++;
      }
    }
    this.indexedUpTo = Math.min(this.indexedUpTo, end);
  }

  private insert(hash: number, slot: number): void {
    const { hashes, slots, mask } = this;
    let i = hash & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    hashes[i] = hash;
    slots[i] = slot;
  }

  private resize(size: number): void {
    const { hashes, slots } = this;
    this.hashes = new Uint32Array(size);
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < slots.length; i++) if (slots[i] !== 0) this.insert(hashes[i], slots[i]);
  }
}
