import { join } from 'node:path';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { DaemonConfig } from '@x402-ledger/config';
import { AnalyticsClient, AnalyticsModule, PromProjectorMetricsModule } from '@x402-ledger/analytics';
import { ApiModule, DisputeWorkflow, DuplicatePayments, RefundWorkflow } from '@x402-ledger/api';
import { ApiKeyService, AuthModule, ProviderKeyResolver } from '@x402-ledger/auth';
import { DiscoveryFacilitatorExtensions, DiscoveryModule } from '@x402-ledger/discovery';
import { EventLog, EventLogModule, SharedStreamOwnership, StreamOwnership } from '@x402-ledger/event-log';
import { assetDecimalsOf, type DevChain, type NetworkConfig } from '@x402-ledger/evm';
import {
  ExactEvmNetworks,
  FacilitatorModule,
  KeyedMutex,
  LmdbFacilitatorState,
  PaymentStateStore,
} from '@x402-ledger/facilitator';
import {
  PaymentStreamLocks,
  DuplicatePaymentsService,
  devChainHotWallets,
  PaymentStreamStore,
  PaymentWorkflowAdapter,
  RefundNetworks,
  RefundsModule,
  refundNetworksFrom,
} from '@x402-ledger/refunds';
import { RevenuePageModule } from '@x402-ledger/revenue-page';
import { SessionsModule, loadPoliciesFile } from '@x402-ledger/sessions';
import { WebhooksModule } from '@x402-ledger/webhooks';
import { ObservabilityModule, type ReadinessCheck } from '@x402-ledger/observability';
import { DevController } from './dev.controller';
import { DEV_INFO, type DevInfo } from './dev-info';

export interface DaemonModuleOptions {
  config: DaemonConfig;
  chain: DevChain | undefined;
  networks: NetworkConfig[];
  /** Filled in once the HTTP server listens (the port may be 0 = chosen by the OS). */
  devInfo: { current?: DevInfo };
}

/**
 * The all-in-one process: composes the very same feature modules that apps/facilitator, apps/sessions,
 * apps/projector and apps/api compose one each, plus the refund/dispute workflows, which need the facilitator's
 * payment state and per-payment lock (one writer decides per payment). Thin by design — no logic here.
 */
@Module({})
export class DaemonModule {
  static forRoot({ config, chain, networks, devInfo }: DaemonModuleOptions): DynamicModule {
    const checks: ReadinessCheck[] = [];
    if (chain) {
      checks.push({
        name: 'chain',
        check: async () => {
          const id = await chain.publicClient.getChainId();
          if (id !== chain.chainId) throw new Error(`chain id ${id}, expected ${chain.chainId}`);
        },
      });
    }
    const dev = config.mode === 'dev' && chain !== undefined;

    // Provider API keys (created through the API, durable on the log) authenticate /verify, /settle and discovery
    // registrations; the bazaar catalog answers the facilitator's EXTENSION-RESPONSES.
    const discovery = DiscoveryModule.forRootAsync({
      inject: [ApiKeyService],
      useFactory: (keys: ApiKeyService) => ({
        mode: config.mode,
        dataDir: config.dataDir,
        refresh: { intervalMs: 15 * 60_000 },
        apiKeyStore: new ProviderKeyResolver(keys),
        adminKey: config.adminApiKey,
      }),
    });
    // Single writer per stream: ONE writers' group (EventLogModule's StreamOwnership) shared by the facilitator's
    // payment states and, on Kafka, the sessions' session / SIWx-nonce states (embedded: sessions own everything and
    // keep their own replay). Each store folds only the streams this process owns and claims before deciding.
    @Global()
    @Module({
      providers: [
        {
          provide: SharedStreamOwnership,
          inject: [StreamOwnership],
          useFactory: (ownership: StreamOwnership) =>
            new SharedStreamOwnership(ownership, ownership.fenced ? ['payments', 'sessions'] : ['payments']),
        },
      ],
      exports: [SharedStreamOwnership],
    })
    class WritersOwnershipModule {}

    const facilitator = FacilitatorModule.forRootAsync({
      inject: [ApiKeyService, DiscoveryFacilitatorExtensions, SharedStreamOwnership],
      useFactory: (keys: ApiKeyService, bazaar: DiscoveryFacilitatorExtensions, shared: SharedStreamOwnership) => ({
        networks,
        mode: config.mode,
        stateDir: join(config.dataDir, 'facilitator'),
        paymentStateStore: new LmdbFacilitatorState(join(config.dataDir, 'facilitator')).useOwnership(
          shared.member('payments'),
        ),
        apiKeyStore: new ProviderKeyResolver(keys),
        extensions: bazaar,
      }),
    });
    const refunds = RefundsModule.forRoot({
      options: {
        siwxDomain: config.siwxDomain,
        stateDir: join(config.dataDir, 'refunds'),
        hotWallets: dev && chain ? devChainHotWallets(chain) : [],
      },
      paymentStreams: 'shared',
      imports: [facilitator],
      providers: [
        { provide: PaymentStreamStore, useExisting: PaymentStateStore },
        { provide: PaymentStreamLocks, useExisting: KeyedMutex },
        { provide: RefundNetworks, inject: [ExactEvmNetworks], useFactory: refundNetworksFrom },
      ],
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

    return {
      module: DaemonModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'x402-daemon',
          level: config.logLevel,
          readinessChecks: {
            inject: [EventLog, AnalyticsClient],
            useFactory: (log: EventLog, clickhouse: AnalyticsClient): ReadinessCheck[] => [
              { name: 'eventLog', check: () => log.ping() },
              { name: 'clickhouse', check: () => clickhouse.ping() },
              ...checks,
            ],
          },
        }),
        EventLogModule.forRoot({
          url: config.eventLogUrl,
          ownership: { snapshotDir: join(config.dataDir, 'ownership'), advertisedUrl: config.publicUrl },
        }),
        WritersOwnershipModule,
        PromProjectorMetricsModule,
        AnalyticsModule.forRoot({
          url: config.clickhouseUrl,
          projector: { autoStart: true, assetDecimals: assetDecimalsOf(networks) },
        }),
        AuthModule.forRoot({
          adminApiKey: config.adminApiKey,
          tokenSecret: config.apiTokenSecret,
          siweDomain: config.siwxDomain,
        }),
        discovery,
        facilitator,
        refunds,
        PaymentWorkflowsModule,
        ApiModule.forRoot({ mode: config.mode }),
        RevenuePageModule,
        WebhooksModule.forRoot({
          options: { stateDir: join(config.dataDir, 'webhooks'), allowPrivateUrls: config.mode === 'dev' },
          http: true,
        }),
        SessionsModule.forRoot({
          dataDir: config.dataDir,
          auth: { adminApiKey: config.adminApiKey, devLoopbackTenant: config.mode === 'dev' ? 'dev' : undefined },
          policies: config.sessionPoliciesFile ? loadPoliciesFile(config.sessionPoliciesFile) : [],
          publicClients: chain ? { [chain.network]: chain.publicClient } : {},
          ownership: {
            inject: [SharedStreamOwnership],
            useFactory: (shared: SharedStreamOwnership) => (shared.fenced ? shared.member('sessions') : null),
          },
        }),
      ],
      controllers: dev ? [DevController] : [],
      providers: dev ? [{ provide: DEV_INFO, useValue: devInfo }] : [],
    };
  }
}
