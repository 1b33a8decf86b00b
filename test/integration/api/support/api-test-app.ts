import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AnalyticsClient, MigrationRunner, Projector, SILENT_ANALYTICS_LOGGER } from '@x402-ledger/analytics';
import { ApiModule, type ApiModuleOptions } from '@x402-ledger/api';
import { ApiKeyService, AuthModule } from '@x402-ledger/auth';
import { EventLog, LmdbEventLog, SILENT_EVENT_LOG_LOGGER, type LogPosition } from '@x402-ledger/event-log';
import type { EventEnvelope } from '@x402-ledger/ledger';

export const ADMIN_KEY = 'x402_admin_test_0123456789abcdef0123456789abcdef';
export const TOKEN_SECRET = 'test-token-secret-0123456789abcdef0123456789';

export interface ApiTestApp {
  app: INestApplication;
  url: string;
  log: LmdbEventLog;
  client: AnalyticsClient;
  keys: ApiKeyService;
  siweDomain: string;
  /** ClickHouse reads made through the shared client so far (the API's and the projector's). */
  readonly queryCount: number;
  /** Appends envelopes to the log (durable). */
  append(envelopes: readonly EventEnvelope[]): Promise<void>;
  /** Projects every log record not projected yet through the analytics projector (real ClickHouse engine). */
  project(): Promise<void>;
  /** POST /graphql. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

export interface GqlResponse<T> {
  status: number;
  body: {
    data?: T | null;
    errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
  };
}

/**
 * The API in-process over HTTP on 127.0.0.1:0: EventLog (embedded LMDB, temp folder) + AuthModule + ApiModule, and the
 * analytics client on a temp chDB folder (migrated), shared with a Projector that the test drives. One per test file
 * (chDB: one data folder per process) — close it in afterAll.
 */
export async function startApiTestApp(
  options: Partial<ApiModuleOptions> & { seed?: readonly EventEnvelope[] } = {},
): Promise<ApiTestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'x402-api-'));
  const log = LmdbEventLog.open(join(dir, 'log'), { logger: SILENT_EVENT_LOG_LOGGER, pollIntervalMs: 10 });
  const client = await AnalyticsClient.create(`chdb:${join(dir, 'ch')}`);
  await new MigrationRunner(client).migrate();
  let queryCount = 0;
  const query = client.query.bind(client);
  client.query = (<T>(sql: string, params?: Record<string, unknown>) => {
    queryCount++;
    return query<T>(sql, params);
  }) as AnalyticsClient['query'];
  const projector = new Projector(client, { logger: SILENT_ANALYTICS_LOGGER, assetDecimals: () => 6 });
  let projected: LogPosition[] = [];
  const project = async () => {
    await log.replay(async (batch) => {
      await projector.handleBatch(batch);
      const last = batch[batch.length - 1].position;
      projected = [{ partition: last.partition, offset: String(Number(last.offset) + 1) }];
    }, projected);
  };
  if (options.seed?.length) {
    await log.append(options.seed);
    await project();
  }

  @Global()
  @Module({
    providers: [
      { provide: EventLog, useValue: log },
      { provide: AnalyticsClient, useValue: client },
    ],
    exports: [EventLog, AnalyticsClient],
  })
  class TestInfraModule {}

  const siweDomain = 'api.test.local';
  @Module({
    imports: [
      TestInfraModule,
      AuthModule.forRoot({ adminApiKey: ADMIN_KEY, tokenSecret: TOKEN_SECRET, siweDomain, pollIntervalMs: 20 }),
      ApiModule.forRoot({ mode: 'dev', ...options }),
    ],
  })
  class TestRootModule {}

  const app = await NestFactory.create<NestExpressApplication>(TestRootModule, { logger: false });
  app.useBodyParser('json', { limit: '256kb' });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;

  return {
    app,
    url,
    log,
    client,
    keys: app.get(ApiKeyService),
    siweDomain,
    get queryCount() {
      return queryCount;
    },
    append: async (envelopes) => {
      await log.append(envelopes);
    },
    project,
    gql: async (query, variables, token = ADMIN_KEY) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GqlResponse<never>['body'] };
    },
    close: async () => {
      await app.close();
      await log.close();
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
