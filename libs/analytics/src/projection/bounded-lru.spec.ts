import { BoundedLru } from './bounded-lru';

describe('BoundedLru', () => {
  it('never holds more than its capacity and keeps at least the most recent half', () => {
    const sut = new BoundedLru<number, number>(1000);
    for (let i = 0; i < 10_000; i++) {
      sut.set(i, i * 2);
      expect(sut.size).toBeLessThanOrEqual(1000);
    }
    for (let i = 10_000 - 500; i < 10_000; i++) expect(sut.get(i)).toBe(i * 2);
    expect(sut.has(0)).toBe(false);
    expect(sut.get(0)).toBeUndefined();
  });

  it('a read keeps an old entry: it survives the next generation change', () => {
    const sut = new BoundedLru<string, number>(4); // generations of 2
    sut.set('a', 1);
    sut.set('b', 2); // rotation: a, b are the previous generation
    expect(sut.get('a')).toBe(1); // a moves to the current generation
    sut.set('c', 3); // rotation: a, c previous; b dropped
    expect(sut.has('a')).toBe(true);
    expect(sut.has('c')).toBe(true);
    expect(sut.has('b')).toBe(false);
  });

  it('set replaces a value without duplicating the key; clear empties it', () => {
    const sut = new BoundedLru<string, number>(10);
    sut.set('k', 1);
    sut.set('x', 0);
    sut.set('k', 2);
    expect(sut.get('k')).toBe(2);
    expect(sut.size).toBe(2);
    sut.clear();
    expect(sut.size).toBe(0);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedLru(0)).toThrow(RangeError);
  });
});
