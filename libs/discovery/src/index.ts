// Public API of bazaar discovery: the module, its ports, the catalog and query services.
export * from './discovery.exception';
export {
  DISCOVERY_OPTIONS,
  discoveryOptionsSchema,
  parseDiscoveryOptions,
  type DiscoveryOptions,
  type DiscoveryOptionsInput,
  type RefreshOptions,
} from './discovery.options';
export * from './discovery.module';
export type { AcceptedPayment, CatalogEntry, ResourceStatus, StoredEntry } from './catalog/catalog-entry';
export { CatalogStore, InMemoryCatalogStore } from './catalog/catalog.store';
export { LmdbCatalogStore } from './catalog/lmdb-catalog.store';
export { CatalogService, type CatalogUpdate, type CatalogWrite, type ListingMetadata } from './catalog/catalog.service';
export { BazaarMetadataValidator } from './cataloguing/bazaar-metadata.validator';
export { DiscoveryFacilitatorExtensions, type BazaarResponse } from './cataloguing/discovery-facilitator.extensions';
export { HttpFetcher, type FetchRequest, type FetchResult } from './refresh/http-fetcher.port';
export { BoundedHttpFetcher, type BoundedFetcherOptions } from './refresh/bounded-http.fetcher';
export { RefreshScheduler, type RefreshSummary } from './refresh/refresh.scheduler';
export {
  EMPTY_QUALITY,
  NoQualityStats,
  QualityStatsSource,
  type AssetRevenue,
  type QualityStats,
  type QualityTarget,
} from './quality/quality-stats.port';
export { ClickHouseQualityStats } from './quality/clickhouse-quality.stats';
export {
  DiscoveryQueryService,
  type DiscoveryItem,
  type ListResponse,
  type SearchResponse,
} from './search/discovery-query.service';
