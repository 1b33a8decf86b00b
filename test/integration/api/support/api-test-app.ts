import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { custom } from 'viem';
import {
  AnalyticsClient,
  CachedReads,
  MigrationRunner,
  Projector,
  SILENT_ANALYTICS_LOGGER,
} from '@x402-ledger/analytics';
import {
  ApiModule,
  ApiReadModel,
  DisputeWorkflow,
  DuplicatePayments,
  RefundWorkflow,
  type ApiModuleOptions,
} from '@x402-ledger/api';
import { ApiKeyService, AuthModule } from '@x402-ledger/auth';
import { EventLog, LmdbEventLog, SILENT_EVENT_LOG_LOGGER, type LogPosition } from '@x402-ledger/event-log';
import { devChainNetwork, SignerKey, SignerPool, ViemEvmChains, type DevChain } from '@x402-ledger/evm';
import type { EventEnvelope } from '@x402-ledger/ledger';
import {
  PaymentStreamStore,
  DuplicatePaymentsService,
  devChainHotWallets,
  PaymentWorkflowAdapter,
  RefundNetworks,
  RefundsModule,
  RefundsWorker,
  refundNetworksFrom,
  type TickReport,
} from '@x402-ledger/refunds';

export const ADMIN_KEY = 'x402_admin_test_0123456789abcdef0123456789abcdef';
export const TOKEN_SECRET = 'test-token-secret-0123456789abcdef0123456789';

export interface ApiTestApp {
  app: INestApplication;
  url: string;
  log: LmdbEventLog;
  client: AnalyticsClient;
  keys: ApiKeyService;
  siweDomain: string;
  /** The refunds lib's worker (null when no workflows are composed); its loop is off — call `confirmRefunds`. */
  worker: RefundsWorker | null;
  /** One pass of the refunds worker: records the on-chain outcome of submitted refunds (and overdue disputes). */
  confirmRefunds(): Promise<TickReport>;
  /** ClickHouse reads made through the shared client so far (the API's and the projector's). */
  readonly queryCount: number;
  /** Reads the API's read model issued so far, answered by ClickHouse or by its read cache. */
  readonly readCount: number;
  /**
   * Appends envelopes to the log (durable), then folds them into the refund workflows' payment streams — what the
   * facilitator does with the store it shares with the refunds lib in the daemon after recording a settlement.
   */
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

export interface ApiTestAppOptions extends Partial<ApiModuleOptions> {
  /** Envelopes on the log (and projected) before the app starts. */
  seed?: readonly EventEnvelope[];
  /**
   * `refunds` (default): the refund/dispute mutations run on the refunds lib's PaymentWorkflowAdapter, composed as
   * the daemon composes it. `none`: no workflow bound (as apps/api), so they answer NOT_AVAILABLE.
   */
  workflows?: 'refunds' | 'none';
  /**
   * A dev chain refunds execute on: its network (refund signer = facilitator signer #1) and, as in the daemon's dev
   * mode, every dev provider's own wallet as the hot wallet of its payTo. Without one, executions are NOT_AVAILABLE.
   */
  chain?: DevChain;
}

/** Refund networks on the dev chain, as the refunds integration harness builds them (signer #1 refunds). */
function devRefundNetworks(dev: DevChain): RefundNetworks {
  const config = devChainNetwork(dev, { signerKeys: [SignerKey.parse(dev.facilitatorSigners[1].privateKey)!] });
  const chains = new ViemEvmChains([config], { transports: { [dev.network]: custom(dev.provider) } });
  const chain = chains.get(dev.network)!;
  const signers = new SignerPool(config.signerKeys, chain);
  return refundNetworksFrom({ get: (id) => (id === dev.network ? { config, chain, signers } : undefined) });
}

/**
 * The refunds lib composed as the daemon composes it, but with standalone payment streams (no facilitator in the
 * test: the store is folded from the log at start, and `append` folds later facts in), plus the global binding of
 * the API's RefundWorkflow/DisputeWorkflow ports to its PaymentWorkflowAdapter. The worker loop is off
 * (tickIntervalMs 0): tests drive confirmations with `confirmRefunds`.
 */
function paymentWorkflows(dir: string, siwxDomain: string, chain: DevChain | undefined): DynamicModule[] {
  const refunds = RefundsModule.forRoot({
    options: {
      siwxDomain,
      tickIntervalMs: 0,
      stateDir: join(dir, 'refunds'),
      hotWallets: chain ? devChainHotWallets(chain) : [],
    },
    paymentStreams: 'standalone',
    providers: chain ? [{ provide: RefundNetworks, useValue: devRefundNetworks(chain) }] : [],
  });

  @Global()
  @Module({
    imports: [refunds],
    providers: [
      { provide: RefundWorkflow, useExisting: PaymentWorkflowAdapter },
      { provide: DisputeWorkflow, useExisting: PaymentWorkflowAdapter },
      { provide: DuplicatePayments, useExisting: DuplicatePaymentsService },
    ],
    exports: [RefundWorkflow, DisputeWorkflow, DuplicatePayments],
  })
  class PaymentWorkflowsModule {}

  return [refunds, { module: PaymentWorkflowsModule }];
}

/**
 * The API in-process over HTTP on 127.0.0.1:0: EventLog (embedded LMDB, temp folder) + AuthModule + ApiModule + the
 * refunds lib behind the API's workflow ports (see `paymentWorkflows`), and the analytics client on a temp chDB folder
 * (migrated), shared with a Projector that the test drives. One per test file (chDB: one data folder per process) —
 * close it in afterAll.
 */
export async function startApiTestApp(options: ApiTestAppOptions = {}): Promise<ApiTestApp> {
  const { seed, workflows = 'refunds', chain, ...apiOptions } = options;
  const dir = mkdtempSync(join(tmpdir(), 'x402-api-'));
  const log = LmdbEventLog.open(join(dir, 'log'), { logger: SILENT_EVENT_LOG_LOGGER, pollIntervalMs: 10 });
  const client = await AnalyticsClient.create(`chdb:${join(dir, 'ch')}`);
  await new MigrationRunner(client).migrate();
  let queryCount = 0;
  const query = client.query.bind(client);
  client.query = (<T>(sql: string, params?: Record<string, unknown>) => {
    if (!sql.includes('FROM system.parts')) queryCount++; // the read cache's data-version probe is not a read
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
  if (seed?.length) {
    await log.append(seed);
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
      ...(workflows === 'refunds' ? paymentWorkflows(dir, siweDomain, chain) : []),
      ApiModule.forRoot({ mode: 'dev', ...apiOptions }),
    ],
  })
  class TestRootModule {}

  const app = await NestFactory.create<NestExpressApplication>(TestRootModule, { logger: false });
  app.useBodyParser('json', { limit: '256kb' });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  const worker = workflows === 'refunds' ? app.get(RefundsWorker, { strict: false }) : null;
  const streams = workflows === 'refunds' ? app.get(PaymentStreamStore, { strict: false }) : null;

  return {
    app,
    url,
    log,
    client,
    keys: app.get(ApiKeyService),
    siweDomain,
    worker,
    confirmRefunds: () => {
      if (!worker) throw new Error('no refund workflows composed in this test app');
      return worker.tick();
    },
    get queryCount() {
      return queryCount;
    },
    get readCount() {
      const reads = app.get(ApiReadModel).reads;
      return reads instanceof CachedReads ? reads.hits + reads.misses : queryCount;
    },
    append: async (envelopes) => {
      await log.append(envelopes);
      streams?.apply(envelopes);
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
