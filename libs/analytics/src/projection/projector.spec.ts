import type { LoggedEvent } from '@x402-ledger/event-log';

import { AnalyticsErrorCode } from '../analytics.exception';
import { SILENT_ANALYTICS_LOGGER } from '../analytics.logger';
import type { AnalyticsClient } from '../client/analytics-client';
import { Projector } from './projector';
import { InMemoryProjectorMetrics } from './projector-metrics.port';

function logged(i: number, type = 'discovery.resource_updated'): LoggedEvent {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    envelope: {
      id: i.toString(16).padStart(64, '0'),
      type,
      version: 1,
      streamType: 'discovery',
      streamId: `s${i}`,
      sequence: 1,
      occurredAt: at,
      recordedAt: at,
      tenant: 't',
      correlationId: 'c',
      causationId: null,
      producer: 'p',
      data: { resourceUrl: 'https://x' },
    },
    position: { partition: 0, offset: String(i) },
  };
}

/** A fake of the ClickHouse port: records inserts, fails the first `failures` inserts. */
function fakeClient(failures: number) {
  const inserts: { table: string; rows: number; token?: string }[] = [];
  let left = failures;
  const client = {
    query: jest.fn(async () => []),
    // Pre-encoded rows stay the plain rows here: the fake only counts them.
    encode: jest.fn((rows: readonly unknown[]) => rows),
    insert: jest.fn(async (table: string, rows: readonly object[], options?: { dedupToken?: string }) => {
      if (left-- > 0) throw new Error('Connection refused');
      inserts.push({ table, rows: rows.length, token: options?.dedupToken });
    }),
  };
  return { client: client as unknown as AnalyticsClient, inserts, calls: client.insert };
}

describe('Projector (ClickHouse faked)', () => {
  it('retries a failed insert with backoff, as the same block with the same token, then commits', async () => {
    const { client, inserts, calls } = fakeClient(3);
    const sleeps: number[] = [];
    const metrics = new InMemoryProjectorMetrics();
    const sut = new Projector(client, {
      logger: SILENT_ANALYTICS_LOGGER,
      metrics,
      retry: { initialMs: 100, maxMs: 250 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const result = await sut.handleBatch([logged(1), logged(2)]);
    expect(result).toEqual({ received: 2, projected: 2, duplicates: 0, invalid: 0 });
    expect(sleeps).toEqual([100, 200, 250]);
    const tokens = calls.mock.calls.map((c) => (c[2] as { dedupToken: string }).dedupToken);
    expect(new Set(tokens.slice(0, 4)).size).toBe(1); // 3 failures + the success: one block, one token
    expect(inserts.map((i) => i.table)).toEqual(['projection_ingest', 'events_raw']);
    expect(metrics.counter('clickhouse_retries')).toBe(3);
    expect(metrics.gauges.get('clickhouse_up')).toBe(1);
  });

  it('gives the batch back to the log after maxAttempts (it stays uncommitted)', async () => {
    const { client } = fakeClient(10);
    const sut = new Projector(client, {
      logger: SILENT_ANALYTICS_LOGGER,
      retry: { maxAttempts: 2 },
      sleep: async () => undefined,
    });
    await expect(sut.handleBatch([logged(1)])).rejects.toThrow('Connection refused');
  });

  it('drops ids repeated in a batch and ids it projected before, without asking ClickHouse', async () => {
    const { client, inserts } = fakeClient(0);
    const sut = new Projector(client, { logger: SILENT_ANALYTICS_LOGGER });
    expect(await sut.handleBatch([logged(1), logged(1), logged(2)])).toMatchObject({ projected: 2, duplicates: 1 });
    expect(await sut.handleBatch([logged(2), logged(3)])).toMatchObject({ projected: 1, duplicates: 1 });
    expect(inserts.filter((i) => i.table === 'events_raw').map((i) => i.rows)).toEqual([2, 1]);
  });

  it('stop() while ClickHouse is down ends the retry loop with PROJECTOR_STOPPED', async () => {
    const { client } = fakeClient(1000);
    let release: () => void = () => undefined;
    const sut = new Projector(client, {
      logger: SILENT_ANALYTICS_LOGGER,
      sleep: () => new Promise<void>((r) => (release = r)),
    });
    const pending = sut.handleBatch([logged(1)]);
    await new Promise((r) => setImmediate(r));
    await sut.stop();
    release();
    await expect(pending).rejects.toMatchObject({ code: AnalyticsErrorCode.PROJECTOR_STOPPED });
  });
});
