import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate, per key', () => {
    let now = 0;
    const sut = new RateLimiter(2, 3, () => now);
    expect([sut.take('a'), sut.take('a'), sut.take('a'), sut.take('a')]).toEqual([true, true, true, false]);
    expect(sut.take('b')).toBe(true);
    now = 499;
    expect(sut.take('a')).toBe(false);
    now = 500;
    expect(sut.take('a')).toBe(true);
    now = 10_000;
    expect([sut.take('a'), sut.take('a'), sut.take('a'), sut.take('a')]).toEqual([true, true, true, false]);
  });

  it('stays bounded in memory', () => {
    let now = 0;
    const sut = new RateLimiter(1, 1, () => now, 10);
    for (let i = 0; i < 100; i++) {
      now += 10;
      expect(sut.take(`k${i}`)).toBe(true);
    }
    expect((sut as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(10);
  });
});
