import { nextAttemptAt } from './webhook-retry.policy';

describe('nextAttemptAt', () => {
  const options = { initialDelaySeconds: 10, maxDelaySeconds: 3600, retryWindowSeconds: 24 * 3600 };
  const start = new Date('2030-01-01T00:00:00.000Z');

  it('doubles from the initial delay, capped at the maximum', () => {
    const delays = [1, 2, 3, 4, 9, 10, 11, 40].map(
      (n) => (nextAttemptAt(options, n, start, start)!.getTime() - start.getTime()) / 1000,
    );
    expect(delays).toEqual([10, 20, 40, 80, 2560, 3600, 3600, 3600]);
  });

  it('gives up once the next attempt would fall beyond the retry window', () => {
    const late = new Date(start.getTime() + 24 * 3600_000 - 1000);
    expect(nextAttemptAt(options, 30, late, start)).toBeNull();
    expect(nextAttemptAt(options, 1, late, start)).toBeNull();
    const early = new Date(start.getTime() + 24 * 3600_000 - 20_000);
    expect(nextAttemptAt(options, 1, early, start)).toEqual(new Date(early.getTime() + 10_000));
  });
});
