import type { ReportUsageResponse, UsageReport } from '../service/session-api.types';
import type { SessionServiceClient } from '../service/session-service.client';
import { claims } from '../testing/test-tokens';
import { UsageMeter } from './usage-meter';

const NOW_S = Date.parse('2026-03-01T12:00:00.000Z') / 1000;

class FakeClient {
  reports: UsageReport[][] = [];
  totals = new Map<string, number>();
  fail = false;
  batchIds: string[] = [];
  failedIds: string[] = [];
  async reportUsage(reports: UsageReport[], batchId: string): Promise<ReportUsageResponse> {
    if (this.fail) {
      this.failedIds.push(batchId);
      throw new Error('down');
    }
    this.batchIds.push(batchId);
    this.reports.push(reports);
    return {
      sessions: reports.map((r) => {
        const calls = (this.totals.get(r.sessionId) ?? 0) + r.calls;
        this.totals.set(r.sessionId, calls);
        return { sessionId: r.sessionId, status: 'active', calls, spend: '0', overshootCalls: 0, overshootSpend: '0' };
      }),
    };
  }
}

describe('UsageMeter', () => {
  it('enforces call and budget limits locally and reports in batches', async () => {
    const client = new FakeClient();
    const sut = new UsageMeter(client as unknown as SessionServiceClient, {
      flushCalls: 1000,
      now: () => NOW_S * 1000,
    });
    const c = claims(NOW_S);
    expect([1, 2, 3, 4].map(() => sut.tryConsume(c, 0n))).toEqual([true, true, true, false]);
    const budget = claims(NOW_S, {
      sid: 'c'.repeat(64),
      lim: { calls: null, budget: '250', ppc: '100', enf: 'local' },
    });
    expect([1, 2, 3].map(() => sut.tryConsume(budget, 100n))).toEqual([true, true, false]);
    expect(sut.unreportedCalls).toBe(5);
    await sut.flush();
    expect(client.reports).toHaveLength(1);
    expect(client.reports[0].map((r) => [r.sessionId[0], r.calls, r.spend])).toEqual([
      ['a', 3, '0'],
      ['c', 2, '200'],
    ]);
    expect(sut.unreportedCalls).toBe(0);
    expect(sut.tryConsume(c, 0n)).toBe(false);
    await sut.flush();
    expect(client.reports).toHaveLength(1);
  });

  it('counts other servers usage from the acknowledgements, and keeps a failed batch for the next flush', async () => {
    const client = new FakeClient();
    const sut = new UsageMeter(client as unknown as SessionServiceClient, {
      flushCalls: 1000,
      now: () => NOW_S * 1000,
    });
    const c = claims(NOW_S);
    client.totals.set(c.sid, 2); // another resource server already used 2 of 3
    expect(sut.tryConsume(c, 0n)).toBe(true);
    await sut.flush();
    expect(sut.tryConsume(c, 0n)).toBe(false);

    const d = claims(NOW_S, { sid: 'd'.repeat(64), lim: { calls: null, budget: null, ppc: '0', enf: 'local' } });
    sut.tryConsume(d, 0n);
    client.fail = true;
    await expect(sut.flush()).rejects.toThrow('down');
    expect(sut.unreportedCalls).toBe(1);
    sut.tryConsume(d, 0n);
    client.fail = false;
    await sut.flush();
    // The failed batch goes again unchanged under its id, then the new count in its own batch.
    expect(client.batchIds[client.batchIds.length - 2]).toBe(client.failedIds[0]);
    expect(client.reports.slice(-2)).toEqual([
      [expect.objectContaining({ sessionId: 'd'.repeat(64), calls: 1 })],
      [expect.objectContaining({ sessionId: 'd'.repeat(64), calls: 1 })],
    ]);
    expect(sut.unreportedCalls).toBe(0);
  });

  it('flushes on its own once flushCalls calls are pending', async () => {
    const client = new FakeClient();
    const sut = new UsageMeter(client as unknown as SessionServiceClient, { flushCalls: 5, now: () => NOW_S * 1000 });
    const c = claims(NOW_S, { lim: { calls: null, budget: null, ppc: '0', enf: 'local' } });
    for (let i = 0; i < 5; i++) sut.tryConsume(c, 0n);
    await new Promise((r) => setImmediate(r));
    expect(client.reports.flat().reduce((n, r) => n + r.calls, 0)).toBe(5);
  });
});
