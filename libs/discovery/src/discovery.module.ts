import { join } from 'node:path';
import {
  Inject,
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { AnalyticsClient } from '@x402-ledger/analytics';
import { EventLog } from '@x402-ledger/event-log';
import { ApiKeyStore, StaticApiKeyStore, SystemClock } from '@x402-ledger/facilitator';
import { Clock } from '@x402-ledger/ledger';
import { CatalogService } from './catalog/catalog.service';
import { CatalogStore, InMemoryCatalogStore } from './catalog/catalog.store';
import { LmdbCatalogStore } from './catalog/lmdb-catalog.store';
import { BazaarMetadataValidator } from './cataloguing/bazaar-metadata.validator';
import { DiscoveryFacilitatorExtensions } from './cataloguing/discovery-facilitator.extensions';
import {
  DISCOVERY_OPTIONS,
  parseDiscoveryOptions,
  type DiscoveryOptions,
  type DiscoveryOptionsInput,
} from './discovery.options';
import { DiscoveryController } from './http/discovery.controller';
import { DiscoveryExceptionFilter } from './http/discovery-exception.filter';
import { ProviderKeyGuard } from './http/provider-key.guard';
import { ClickHouseQualityStats } from './quality/clickhouse-quality.stats';
import { NoQualityStats, QualityStatsSource } from './quality/quality-stats.port';
import { BoundedHttpFetcher } from './refresh/bounded-http.fetcher';
import { HttpFetcher } from './refresh/http-fetcher.port';
import { RefreshScheduler } from './refresh/refresh.scheduler';
import { DiscoveryQueryService } from './search/discovery-query.service';

/** Options plus the ports a composition root (or a test) may supply instead of the defaults. */
export interface DiscoveryModuleOptions extends DiscoveryOptionsInput {
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: BoundedHttpFetcher with the `refresh` limits and the mode's address policy. */
  fetcher?: HttpFetcher;
  /** Default: ClickHouse stats through the app's AnalyticsClient (AnalyticsModule), none without one. */
  quality?: QualityStatsSource;
  /** Default: LMDB in `<dataDir>/discovery`, in memory without a dataDir. */
  catalogStore?: CatalogStore;
  /** Provider keys for registration; pass the facilitator's store. Default: none (admin key / dev loopback only). */
  apiKeyStore?: ApiKeyStore;
}

export interface DiscoveryModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => DiscoveryModuleOptions | Promise<DiscoveryModuleOptions>;
}

const MODULE_OPTIONS = Symbol('DISCOVERY_MODULE_OPTIONS');

function providers(): Provider[] {
  const fromOptions = <T>(pick: (o: DiscoveryModuleOptions, parsed: DiscoveryOptions) => T) => ({
    useFactory: pick as (...args: unknown[]) => T,
    inject: [MODULE_OPTIONS, DISCOVERY_OPTIONS],
  });
  return [
    {
      provide: DISCOVERY_OPTIONS,
      useFactory: (o: DiscoveryModuleOptions) => {
        const { clock: _c, fetcher: _f, quality: _q, catalogStore: _s, apiKeyStore: _k, ...input } = o;
        return parseDiscoveryOptions(input);
      },
      inject: [MODULE_OPTIONS],
    },
    { provide: Clock, ...fromOptions((o) => o.clock ?? new SystemClock()) },
    {
      provide: HttpFetcher,
      ...fromOptions((o, p) => o.fetcher ?? new BoundedHttpFetcher({ mode: p.mode, ...p.refresh })),
    },
    {
      provide: QualityStatsSource,
      useFactory: (o: DiscoveryModuleOptions, p: DiscoveryOptions, client?: AnalyticsClient) =>
        o.quality ?? (client ? new ClickHouseQualityStats(client, p.qualityCacheMs) : new NoQualityStats()),
      inject: [MODULE_OPTIONS, DISCOVERY_OPTIONS, { token: AnalyticsClient, optional: true }],
    },
    {
      provide: CatalogStore,
      ...fromOptions(
        (o, p) =>
          o.catalogStore ??
          (p.dataDir ? new LmdbCatalogStore(join(p.dataDir, 'discovery')) : new InMemoryCatalogStore()),
      ),
    },
    { provide: ApiKeyStore, ...fromOptions((o) => o.apiKeyStore ?? new StaticApiKeyStore({})) },
    { provide: BazaarMetadataValidator, ...fromOptions((_o, p) => new BazaarMetadataValidator(p.maxMetadataBytes)) },
    {
      // The read model catches up with the log before anything reads or writes it.
      provide: CatalogService,
      useFactory: async (store: CatalogStore, log: EventLog, c: Clock, p: DiscoveryOptions) => {
        const service = new CatalogService(store, log, c, p);
        await service.catchUp();
        return service;
      },
      inject: [CatalogStore, EventLog, Clock, DISCOVERY_OPTIONS],
    },
    DiscoveryFacilitatorExtensions,
    RefreshScheduler,
    DiscoveryQueryService,
    ProviderKeyGuard,
    DiscoveryExceptionFilter,
  ];
}

const EXPORTS = [DiscoveryFacilitatorExtensions, CatalogService, RefreshScheduler, DiscoveryQueryService];

/**
 * Bazaar discovery: catalogues resources from /verify and /settle payloads (pass `DiscoveryFacilitatorExtensions`
 * as FacilitatorModule's `extensions`), keeps them fresh by re-fetching, and serves GET /discovery/resources and
 * /discovery/search with quality stats from the ledger. Needs an EventLog (EventLogModule); uses an AnalyticsClient
 * (AnalyticsModule) when there is one. Global, so FacilitatorModule can resolve the extensions class.
 */
@Module({})
export class DiscoveryModule implements OnApplicationShutdown {
  constructor(
    @Inject(CatalogStore) private readonly store: CatalogStore,
    @Inject(RefreshScheduler) private readonly scheduler: RefreshScheduler,
  ) {}

  static forRoot(options: DiscoveryModuleOptions): DynamicModule {
    return {
      module: DiscoveryModule,
      global: true,
      controllers: [DiscoveryController],
      providers: [{ provide: MODULE_OPTIONS, useValue: options }, ...providers()],
      exports: EXPORTS,
    };
  }

  static forRootAsync(options: DiscoveryModuleAsyncOptions): DynamicModule {
    return {
      module: DiscoveryModule,
      global: true,
      imports: options.imports ?? [],
      controllers: [DiscoveryController],
      providers: [
        { provide: MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        ...providers(),
      ],
      exports: EXPORTS,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduler.onApplicationShutdown();
    await this.store.close();
  }
}
