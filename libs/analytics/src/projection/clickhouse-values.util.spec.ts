import { combineHalves, fromClickHouseTime, isUint256, toClickHouseTime, UINT256_MAX } from './clickhouse-values.util';

describe('clickhouse values', () => {
  it('converts times both ways (UTC, milliseconds)', () => {
    expect(toClickHouseTime('2026-01-02T03:04:05.678Z')).toBe('2026-01-02 03:04:05.678');
    expect(toClickHouseTime('2026-01-02T03:04:05+02:00')).toBe('2026-01-02 01:04:05.000');
    expect(toClickHouseTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe('2026-01-02 03:04:05.006');
    expect(() => toClickHouseTime('not a time')).toThrow(RangeError);
    expect(fromClickHouseTime('2026-01-02 03:04:05.678')).toBe('2026-01-02T03:04:05.678Z');
    expect(fromClickHouseTime('2026-01-02 03:04:05')).toBe('2026-01-02T03:04:05.000Z');
  });

  it('accepts exactly the uint256 decimal strings', () => {
    expect(isUint256('0')).toBe(true);
    expect(isUint256(UINT256_MAX.toString())).toBe(true);
    expect(isUint256((UINT256_MAX + 1n).toString())).toBe(false);
    expect(isUint256('01')).toBe(false);
    expect(isUint256('-1')).toBe(false);
    expect(isUint256(1)).toBe(false);
  });

  it('combines 128-bit half sums exactly, beyond 2^256', () => {
    const amounts = [UINT256_MAX, UINT256_MAX, 12345n];
    const mask = (1n << 128n) - 1n;
    const lo = amounts.reduce((s, a) => s + (a & mask), 0n);
    const hi = amounts.reduce((s, a) => s + (a >> 128n), 0n);
    expect(combineHalves(lo.toString(), hi.toString())).toBe(amounts.reduce((s, a) => s + a, 0n));
  });
});
