import {
  Inject,
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { EventLog } from '@x402-ledger/event-log';
import { EvmChains, InMemorySignedTxStore, SignedTxStore, ViemEvmChains } from '@x402-ledger/evm';
import { Clock } from '@x402-ledger/ledger';
import { MetricsService } from '@x402-ledger/observability';
import { ApiKeyStore, StaticApiKeyStore } from './auth/api-key.store';
import { RateLimiter } from './auth/rate-limiter';
import {
  FACILITATOR_OPTIONS,
  FacilitatorExtensions,
  NoFacilitatorExtensions,
  type FacilitatorOptions,
} from './facilitator.options';
import { ApiKeyGuard } from './http/api-key.guard';
import { facilitatorBodyErrorHandler } from './http/body-error.handler';
import { FacilitatorExceptionFilter } from './http/facilitator-exception.filter';
import { SettleController } from './http/settle.controller';
import { SupportedController } from './http/supported.controller';
import { VerifyController } from './http/verify.controller';
import { FacilitatorMetrics, NoFacilitatorMetrics } from './metrics/facilitator-metrics.port';
import { PromFacilitatorMetrics } from './metrics/prom-facilitator-metrics';
import { ExactEvmNetworks } from './payments/exact-evm-networks';
import { KeyedMutex } from './payments/keyed-mutex';
import { PaymentIdentifiers } from './payments/payment-identifiers';
import { PaymentRecorder } from './payments/payment-recorder';
import { SettleService } from './settle/settle.service';
import { SettlementOutcomes } from './settle/settlement-outcomes';
import { LmdbFacilitatorState } from './state/lmdb-facilitator-state';
import { PaymentStateStore } from './state/payment-state.store';
import { SupportedService } from './supported/supported.service';
import { SystemClock } from './system-clock';
import { VerifyService } from './verify/verify.service';

/** Options plus the ports a composition root (or a test) may supply instead of the defaults. */
export interface FacilitatorModuleOptions extends FacilitatorOptions {
  /** Default: an empty StaticApiKeyStore (only dev mode on loopback gets in). */
  apiKeyStore?: ApiKeyStore;
  /** Default: ViemEvmChains over each network's RPC URLs. */
  evmChains?: EvmChains;
  /** Default: LmdbFacilitatorState in `stateDir` (which also provides the SignedTxStore). */
  paymentStateStore?: PaymentStateStore;
  signedTxStore?: SignedTxStore;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: Prometheus counters and histograms when the app has a MetricsService (ObservabilityModule), else none. */
  metrics?: FacilitatorMetrics;
  /**
   * Extensions answered in `EXTENSION-RESPONSES` (e.g. bazaar discovery). An instance, or (forRoot only) a class
   * provided and exported by a global module, resolved with `useExisting`. Default: none.
   */
  extensions?: FacilitatorExtensions | Type<FacilitatorExtensions>;
}

export interface FacilitatorModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => FacilitatorModuleOptions | Promise<FacilitatorModuleOptions>;
}

const MODULE_OPTIONS = Symbol('FACILITATOR_MODULE_OPTIONS');

/** The FacilitatorExtensions provider: a given instance, an existing (global) provider, or none. */
function extensionsProvider(extensions?: FacilitatorModuleOptions['extensions']): Provider {
  if (typeof extensions === 'function') return { provide: FacilitatorExtensions, useExisting: extensions };
  return {
    provide: FacilitatorExtensions,
    useFactory: (o: FacilitatorModuleOptions) => {
      if (typeof o.extensions === 'function') throw new Error('forRootAsync takes an extensions instance, not a class');
      return o.extensions ?? new NoFacilitatorExtensions();
    },
    inject: [MODULE_OPTIONS],
  };
}

function providers(): Provider[] {
  const from = <T>(pick: (o: FacilitatorModuleOptions) => T): FactoryProvider['useFactory'] => pick as never;
  return [
    { provide: FACILITATOR_OPTIONS, useFactory: from((o) => o), inject: [MODULE_OPTIONS] },
    {
      provide: EvmChains,
      useFactory: from(
        (o) =>
          o.evmChains ??
          new ViemEvmChains(o.networks, { probeMaxBatch: o.probeMaxBatch, probeMaxInFlight: o.probeMaxInFlight }),
      ),
      inject: [MODULE_OPTIONS],
    },
    {
      provide: PaymentStateStore,
      useFactory: async (o: FacilitatorModuleOptions, log: EventLog) => {
        const store = o.paymentStateStore ?? new LmdbFacilitatorState(o.stateDir);
        await store.load(log);
        return store;
      },
      inject: [MODULE_OPTIONS, EventLog],
    },
    {
      provide: SignedTxStore,
      useFactory: (o: FacilitatorModuleOptions, store: PaymentStateStore) =>
        o.signedTxStore ?? (store instanceof LmdbFacilitatorState ? store.signedTxs : new InMemorySignedTxStore()),
      inject: [MODULE_OPTIONS, PaymentStateStore],
    },
    {
      provide: ApiKeyStore,
      useFactory: from((o) => o.apiKeyStore ?? new StaticApiKeyStore({})),
      inject: [MODULE_OPTIONS],
    },
    { provide: Clock, useFactory: from((o) => o.clock ?? new SystemClock()), inject: [MODULE_OPTIONS] },
    { provide: RateLimiter, useValue: new RateLimiter() },
    {
      provide: FacilitatorMetrics,
      useFactory: (o: FacilitatorModuleOptions, metrics?: MetricsService) =>
        o.metrics ??
        (metrics
          ? new PromFacilitatorMetrics(
              metrics,
              o.networks.map((n) => n.network),
            )
          : new NoFacilitatorMetrics()),
      inject: [MODULE_OPTIONS, { token: MetricsService, optional: true }],
    },
    KeyedMutex,
    ExactEvmNetworks,
    PaymentRecorder,
    PaymentIdentifiers,
    SettlementOutcomes,
    VerifyService,
    SettleService,
    SupportedService,
    ApiKeyGuard,
    FacilitatorExceptionFilter,
  ];
}

/**
 * The x402 facilitator over HTTP: POST /verify, POST /settle, GET /supported for the EVM `exact` scheme (EIP-3009).
 * Needs an EventLog provider (EventLogModule.forRoot) in the application.
 */
@Module({})
export class FacilitatorModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(PaymentStateStore) private readonly store: PaymentStateStore,
  ) {}

  static forRoot(options: FacilitatorModuleOptions): DynamicModule {
    return {
      module: FacilitatorModule,
      controllers: [VerifyController, SettleController, SupportedController],
      providers: [
        { provide: MODULE_OPTIONS, useValue: options },
        extensionsProvider(options.extensions),
        ...providers(),
      ],
      exports: [VerifyService, SettleService, SupportedService, PaymentStateStore, ExactEvmNetworks, KeyedMutex],
    };
  }

  static forRootAsync(options: FacilitatorModuleAsyncOptions): DynamicModule {
    return {
      module: FacilitatorModule,
      imports: options.imports ?? [],
      controllers: [VerifyController, SettleController, SupportedController],
      providers: [
        { provide: MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        extensionsProvider(),
        ...providers(),
      ],
      exports: [VerifyService, SettleService, SupportedService, PaymentStateStore, ExactEvmNetworks, KeyedMutex],
    };
  }

  /** Runs after the routes are registered and before Nest's error handler: body-parser errors on our paths → 400. */
  onModuleInit(): void {
    const app = this.adapterHost.httpAdapter?.getInstance?.() as { use?: (h: unknown) => void } | undefined;
    app?.use?.(facilitatorBodyErrorHandler);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
