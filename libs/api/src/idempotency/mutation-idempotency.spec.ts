import { ApiErrorCode } from '../api.exception';
import { MutationIdempotency } from './mutation-idempotency';

const scope = { caller: 'key:1', mutation: 'approveRefund', key: 'k' };

describe('MutationIdempotency', () => {
  it('runs once per key and answers repeats with the first result (also while it is still running)', async () => {
    const sut = new MutationIdempotency();
    let runs = 0;
    const work = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      return { n: runs };
    };
    const [a, b] = await Promise.all([sut.run(scope, { id: 1 }, work), sut.run(scope, { id: 1 }, work)]);
    expect(a).toEqual({ value: { n: 1 }, replayed: false });
    expect(b).toEqual({ value: { n: 1 }, replayed: true });
    expect(runs).toBe(1);
  });

  it('refuses the same key with another input, forgets failures, expires entries', async () => {
    let now = 0;
    const sut = new MutationIdempotency(1000, 100, () => now);
    await sut.run(scope, { id: 1 }, async () => 'ok');
    await expect(sut.run(scope, { id: 2 }, async () => 'other')).rejects.toMatchObject({
      code: ApiErrorCode.IDEMPOTENCY_CONFLICT,
    });
    const failing = { ...scope, key: 'f' };
    await expect(sut.run(failing, {}, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await sut.run(failing, {}, async () => 'later')).toEqual({ value: 'later', replayed: false });
    now = 1001;
    expect(await sut.run(scope, { id: 2 }, async () => 'fresh')).toEqual({ value: 'fresh', replayed: false });
  });
});
