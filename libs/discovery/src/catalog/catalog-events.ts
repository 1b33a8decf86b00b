import { canonicalJson, sha256Hex, type DiscoveryResourceUpdatedData } from '@x402-ledger/ledger';
import type { AcceptedPayment, CatalogEntry, ResourceStatus } from './catalog-entry';

const OPTIONAL_KEYS = [
  'description',
  'mimeType',
  'serviceName',
  'tags',
  'iconUrl',
  'method',
  'toolName',
  'routeTemplate',
  'extensions',
] as const;

/** The `discovery.resource_updated` data of an entry: everything but resourceUrl/type/accepts/lastUpdated is metadata. */
export function entryToEventData(entry: CatalogEntry): DiscoveryResourceUpdatedData {
  const metadata: Record<string, unknown> = {
    x402Version: entry.x402Version,
    status: entry.status,
    fetchUrl: entry.fetchUrl,
    registered: entry.registered,
  };
  for (const key of OPTIONAL_KEYS) if (entry[key] !== undefined) metadata[key] = entry[key];
  return {
    resourceUrl: entry.resourceUrl,
    type: entry.type,
    accepts: entry.accepts,
    metadata,
    lastUpdated: entry.lastUpdated,
  };
}

/** Rebuilds an entry from an event (the read model's replay path). */
export function eventDataToEntry(data: DiscoveryResourceUpdatedData, tenant: string): CatalogEntry {
  const m = data.metadata;
  const entry: CatalogEntry = {
    resourceUrl: data.resourceUrl,
    type: data.type === 'mcp' ? 'mcp' : 'http',
    x402Version: typeof m['x402Version'] === 'number' ? m['x402Version'] : 2,
    accepts: data.accepts as AcceptedPayment[],
    lastUpdated: data.lastUpdated,
    status: (['active', 'stale', 'gone'].includes(m['status'] as string) ? m['status'] : 'active') as ResourceStatus,
    fetchUrl: typeof m['fetchUrl'] === 'string' ? m['fetchUrl'] : data.resourceUrl,
    registered: m['registered'] === true,
    tenant,
  };
  const optional = entry as unknown as Record<string, unknown>;
  for (const key of OPTIONAL_KEYS) if (m[key] !== undefined) optional[key] = m[key];
  return entry;
}

/** What counts as a change: the whole listing except lastUpdated and the owning tenant. */
export function contentHashOf(entry: CatalogEntry): string {
  const data = entryToEventData(entry);
  return sha256Hex(canonicalJson({ ...data, lastUpdated: null }));
}
