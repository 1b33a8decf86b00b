import { AnalyticsErrorCode } from '../analytics.exception';
import { decodeCursor, divRound, encodeCursor } from './query-input.util';
import { floorBucket, nextBucket } from './revenue.query';

describe('query helpers', () => {
  it('round-trips cursors and refuses forged ones', () => {
    const sut = encodeCursor(['2026-01-01 00:00:00.000', 'abc']);
    expect(decodeCursor(sut, ['string', 'string'])).toEqual(['2026-01-01 00:00:00.000', 'abc']);
    for (const bad of [
      '%%%',
      encodeCursor(['x']),
      encodeCursor([1, 'a']),
      Buffer.from('{"a":1}').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad, ['string', 'string'])).toThrow(
        expect.objectContaining({ code: AnalyticsErrorCode.INVALID_QUERY }),
      );
    }
  });

  it('divides atomic amounts rounding half up, signs included', () => {
    expect(divRound(10n, 4n)).toBe(3n);
    expect(divRound(9n, 4n)).toBe(2n);
    expect(divRound(-10n, 4n)).toBe(-3n);
    expect(divRound(5n, 0n)).toBe(0n);
  });

  it('buckets in UTC: hour, day, Monday weeks, months', () => {
    const t = new Date('2026-03-04T15:42:10.123Z'); // a Wednesday
    expect(floorBucket(t, 'hour').toISOString()).toBe('2026-03-04T15:00:00.000Z');
    expect(floorBucket(t, 'day').toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(floorBucket(t, 'week').toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(floorBucket(new Date('2026-03-08T23:00:00Z'), 'week').toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(floorBucket(t, 'month').toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(nextBucket(new Date('2026-01-31T00:00:00Z'), 'day').toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(nextBucket(new Date('2026-12-01T00:00:00Z'), 'month').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});
