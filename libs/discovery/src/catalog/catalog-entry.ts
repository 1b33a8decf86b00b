/** Freshness of a catalogued resource: `stale` after failed re-fetches, `gone` when the resource no longer asks for payment. */
export type ResourceStatus = 'active' | 'stale' | 'gone';

/** An x402 PaymentRequirements object as the resource server advertises it (kept verbatim). */
export type AcceptedPayment = Record<string, unknown> & {
  scheme: string;
  network: string;
  payTo: string;
  amount?: string;
  asset?: string;
};

/**
 * The current listing of one resource: exactly what the latest `discovery.resource_updated` event says (its
 * `metadata` carries everything besides resourceUrl/type/accepts/lastUpdated), so the read model can be rebuilt
 * from the log.
 */
export interface CatalogEntry {
  /** origin + route template (or path); no query. The catalog key. */
  resourceUrl: string;
  type: 'http' | 'mcp';
  x402Version: number;
  accepts: AcceptedPayment[];
  /** When the listing last changed (ISO). */
  lastUpdated: string;
  description?: string;
  mimeType?: string;
  serviceName?: string;
  tags?: string[];
  iconUrl?: string;
  method?: string;
  toolName?: string;
  routeTemplate?: string;
  /** `{ bazaar: { info, schema, routeTemplate? } }` — only the bazaar extension is kept. */
  extensions?: Record<string, unknown>;
  status: ResourceStatus;
  /** The concrete URL the refresher requests (the resource URL as paid, query stripped). */
  fetchUrl: string;
  /** Registered by its provider (re-fetched even when nobody pays for it). */
  registered: boolean;
  /** Tenant of the provider that catalogued or registered it. */
  tenant: string;
}

/** A catalog entry plus its position on the discovery stream and the refresher's bookkeeping (not in events). */
export interface StoredEntry {
  entry: CatalogEntry;
  /** Sequence of the entry's latest event on `discoveryStreamId(resourceUrl)`. */
  sequence: number;
  /** canonicalJson hash of what counts as a change (everything but lastUpdated). */
  contentHash: string;
  lastCheckedAt: string | null;
  nextCheckAt: string | null;
  consecutiveFailures: number;
  lastError: string | null;
}
