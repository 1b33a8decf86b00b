import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EventLog, EventLogModule } from '@x402-ledger/event-log';
import type { NetworkConfig } from '@x402-ledger/evm';
import { FacilitatorModule, StaticApiKeyStore, type FacilitatorModuleOptions } from '@x402-ledger/facilitator';

export interface FacilitatorApp {
  url: string;
  app: INestApplication;
  eventLog: EventLog;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Boots the FacilitatorModule the way the daemon composes it (runtime bootstrap: Nest's body parser off, one JSON
 * parser with a limit) on 127.0.0.1 and a free port, with an embedded event log in `dataDir`.
 */
export async function startFacilitatorApp(opts: {
  networks: NetworkConfig[];
  dataDir?: string;
  mode?: 'dev' | 'production';
  apiKeys?: Record<string, string>;
  overrides?: Partial<FacilitatorModuleOptions>;
}): Promise<FacilitatorApp> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'x402-facilitator-'));
  @Module({
    imports: [
      EventLogModule.forRoot({ url: `file:${join(dataDir, 'log')}` }),
      FacilitatorModule.forRoot({
        networks: opts.networks,
        mode: opts.mode ?? 'dev',
        stateDir: join(dataDir, 'facilitator'),
        apiKeyStore: new StaticApiKeyStore(opts.apiKeys ?? {}),
        ...opts.overrides,
      }),
    ],
  })
  class TestAppModule {}

  const app = await NestFactory.create<NestExpressApplication>(TestAppModule, { bodyParser: false, logger: false });
  app.useBodyParser('json', { limit: '256kb' });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    eventLog: app.get(EventLog),
    dataDir,
    close: () => app.close(),
  };
}

/** Every envelope on the log, in order. */
export async function allEvents(
  log: EventLog,
): Promise<{ type: string; streamId: string; tenant: string; data: Record<string, unknown> }[]> {
  const out: { type: string; streamId: string; tenant: string; data: Record<string, unknown> }[] = [];
  await log.replay(async (batch) => {
    for (const { envelope } of batch)
      out.push({ type: envelope.type, streamId: envelope.streamId, tenant: envelope.tenant, data: envelope.data });
  });
  return out;
}
