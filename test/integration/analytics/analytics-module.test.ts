import 'reflect-metadata';

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AnalyticsClient,
  AnalyticsErrorCode,
  AnalyticsModule,
  InMemoryProjectorMetrics,
  ProjectorMetrics,
  ProjectorService,
  ReconcileService,
  RevenueQuery,
  SILENT_ANALYTICS_LOGGER,
} from '@x402-ledger/analytics';
import { EventLog, EventLogModule, SILENT_EVENT_LOG_LOGGER } from '@x402-ledger/event-log';

import { LedgerScenario } from './support/ledger-scenario';

jest.setTimeout(120_000);

describe('AnalyticsModule.forRoot', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'x402-analytics-module-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('provides a migrated client, the queries and a running projector; closes the client on shutdown', async () => {
    const metrics = new InMemoryProjectorMetrics();
    // The app binds the ProjectorMetrics port (to prom-client) in a global module; the projector picks it up.
    @Global()
    @Module({ providers: [{ provide: ProjectorMetrics, useValue: metrics }], exports: [ProjectorMetrics] })
    class MetricsModule {}

    const app = await NestFactory.createApplicationContext(
      {
        module: class TestAppModule {},
        imports: [
          MetricsModule,
          EventLogModule.forRoot({ url: `file:${join(dir, 'log')}`, logger: SILENT_EVENT_LOG_LOGGER }),
          AnalyticsModule.forRoot({
            url: `chdb:${join(dir, 'analytics')}`,
            projector: {
              autoStart: true,
              minBatchIntervalMs: 10,
              logger: SILENT_ANALYTICS_LOGGER,
              assetDecimals: () => 6,
            },
          }),
        ],
      },
      { logger: false, abortOnError: false },
    );
    app.enableShutdownHooks();
    const client = app.get(AnalyticsClient);
    try {
      expect(app.get(ProjectorService).isRunning).toBe(true);
      const s = new LedgerScenario('t1');
      s.payment({ amount: 5n, at: new Date('2026-03-01T10:00:00Z') });
      s.payment({ amount: 6n, at: new Date('2026-03-01T11:00:00Z') });
      await app.get(EventLog).append(s.all());
      const deadline = Date.now() + 30_000;
      while (metrics.counter('events_projected') < s.all().length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(metrics.counter('events_projected')).toBe(s.all().length);
      const totals = await app
        .get(RevenueQuery)
        .totals({ tenant: 't1', from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') });
      expect(totals).toMatchObject({ gross: '11', payments: 2 });
      expect(
        (
          await app
            .get(ReconcileService)
            .reconcile({ from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') })
        ).ok,
      ).toBe(true);
    } finally {
      await app.close();
    }
    expect(app.get(ProjectorService).isRunning).toBe(false);
    await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: AnalyticsErrorCode.CLOSED });
    // The chDB folder was released: another one opens in this process.
    const other = await AnalyticsClient.create(`chdb:${join(dir, 'other')}`);
    await other.ping();
    await other.close();
  });
});
