import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@x402-ledger/ledger';
import type { CatalogEntry, StoredEntry } from '../catalog/catalog-entry';
import { CatalogService } from '../catalog/catalog.service';
import { DiscoveryErrorCode, DiscoveryException } from '../discovery.exception';
import { DISCOVERY_OPTIONS, type DiscoveryOptions } from '../discovery.options';
import type { ListQuery, ResourceFilters, SearchQuery } from '../http/discovery-query.schema';
import { QualityStatsSource, type QualityStats } from '../quality/quality-stats.port';
import { rankScore } from './ranking';
import { TextIndex } from './text-index';

/** One item as the official bazaar client types it (DiscoveryResource), plus `quality` and `freshness`. */
export interface DiscoveryItem {
  resource: string;
  type: string;
  x402Version: number;
  accepts: Record<string, unknown>[];
  lastUpdated: string;
  description?: string;
  mimeType?: string;
  serviceName?: string;
  tags?: string[];
  iconUrl?: string;
  extensions?: Record<string, unknown>;
  quality: QualityStats;
  freshness: { status: 'active' | 'stale'; lastCheckedAt: string | null };
}

export interface ListResponse {
  x402Version: 2;
  items: DiscoveryItem[];
  pagination: { limit: number; offset: number; total: number };
}

export interface SearchResponse {
  x402Version: 2;
  resources: DiscoveryItem[];
  partialResults: boolean;
  pagination: { limit: number; cursor: string | null };
}

/**
 * The read side of the bazaar: `GET /discovery/resources` (filters, newest listing first, offset pages) and
 * `GET /discovery/search` (text relevance × ledger quality, cursor pages). Gone resources are not listed.
 */
@Injectable()
export class DiscoveryQueryService {
  private listed: View = emptyView();

  constructor(
    private readonly catalog: CatalogService,
    private readonly quality: QualityStatsSource,
    private readonly clock: Clock,
    @Inject(DISCOVERY_OPTIONS) private readonly options: DiscoveryOptions,
  ) {}

  async list(query: ListQuery): Promise<ListResponse> {
    const matching = this.candidates(query).filter((s) => matchesFilters(s.entry, query));
    const page = matching.slice(query.offset, query.offset + query.limit);
    const stats = await this.statsFor(page);
    return {
      x402Version: 2,
      items: page.map((s) => toItem(s, stats.get(s.entry.resourceUrl)!)),
      pagination: { limit: query.limit, offset: query.offset, total: matching.length },
    };
  }

  async search(query: SearchQuery): Promise<SearchResponse> {
    const offset = query.cursor ? decodeCursor(query.cursor) : 0;
    this.visible();
    const { byUrl } = this.listed;
    const text = this.index().score(query.query);
    const matches = [...text]
      .map(([url, score]) => ({ stored: byUrl.get(url), score }))
      .filter((m): m is { stored: StoredEntry; score: number } => !!m.stored && matchesFilters(m.stored.entry, query))
      .sort((a, b) => b.score - a.score || a.stored.entry.resourceUrl.localeCompare(b.stored.entry.resourceUrl));
    const candidates = matches.slice(0, this.options.searchCandidates);
    const stats = await this.statsFor(candidates.map((c) => c.stored));
    const ranked = candidates
      .map((c) => ({
        stored: c.stored,
        rank: rankScore(c.score, stats.get(c.stored.entry.resourceUrl)!, c.stored.entry.status),
      }))
      .sort((a, b) => b.rank - a.rank || a.stored.entry.resourceUrl.localeCompare(b.stored.entry.resourceUrl));
    const page = ranked.slice(offset, offset + query.limit);
    const next = offset + query.limit < ranked.length ? encodeCursor(offset + query.limit) : null;
    return {
      x402Version: 2,
      resources: page.map((r) => toItem(r.stored, stats.get(r.stored.entry.resourceUrl)!)),
      partialResults: matches.length > candidates.length,
      pagination: { limit: query.limit, cursor: next },
    };
  }

  private statsFor(entries: readonly StoredEntry[]): Promise<Map<string, QualityStats>> {
    return this.quality.statsFor(
      entries.map((s) => ({ resourceUrl: s.entry.resourceUrl, routeTemplate: s.entry.routeTemplate })),
      this.clock.now(),
    );
  }

  /** Listed entries (not gone), newest change first, with lookups; cached until the catalog changes. */
  private visible(): StoredEntry[] {
    if (this.listed.revision !== this.catalog.revision) {
      const entries = this.catalog
        .all()
        .filter((s) => s.entry.status !== 'gone')
        .sort(
          (a, b) =>
            b.entry.lastUpdated.localeCompare(a.entry.lastUpdated) ||
            a.entry.resourceUrl.localeCompare(b.entry.resourceUrl),
        );
      const byPayTo = new Map<string, StoredEntry[]>();
      for (const stored of entries)
        for (const payTo of new Set(stored.entry.accepts.map((a) => String(a.payTo).toLowerCase()))) {
          const list = byPayTo.get(payTo);
          if (list) list.push(stored);
          else byPayTo.set(payTo, [stored]);
        }
      const byUrl = new Map(entries.map((s) => [s.entry.resourceUrl, s]));
      this.listed = { revision: this.catalog.revision, entries, byUrl, byPayTo, index: null };
    }
    return this.listed.entries;
  }

  /** The entries a filter can match: those paying to `payTo` when given (an index lookup), else all listed. */
  private candidates(filters: ResourceFilters): StoredEntry[] {
    const entries = this.visible();
    return filters.payTo ? (this.listed.byPayTo.get(filters.payTo.toLowerCase()) ?? []) : entries;
  }

  private index(): TextIndex {
    const entries = this.visible();
    this.listed.index ??= new TextIndex(entries.map((s) => s.entry));
    return this.listed.index;
  }
}

interface View {
  revision: number;
  entries: StoredEntry[];
  byUrl: Map<string, StoredEntry>;
  byPayTo: Map<string, StoredEntry[]>;
  index: TextIndex | null;
}

function emptyView(): View {
  return { revision: -1, entries: [], byUrl: new Map(), byPayTo: new Map(), index: null };
}

/** The list/search filters: type, payTo (any accepted option, case-insensitive), scheme, network, extension keys. */
export function matchesFilters(entry: CatalogEntry, f: ResourceFilters): boolean {
  if (f.type && entry.type !== f.type) return false;
  if (f.payTo || f.scheme || f.network) {
    const payTo = f.payTo?.toLowerCase();
    const any = entry.accepts.some(
      (a) =>
        (!payTo || String(a.payTo).toLowerCase() === payTo) &&
        (!f.scheme || a.scheme === f.scheme) &&
        (!f.network || a.network === f.network),
    );
    if (!any) return false;
  }
  if (f.extensions) {
    const keys = f.extensions
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    if (!keys.every((k) => entry.extensions?.[k] !== undefined)) return false;
  }
  return true;
}

function toItem(stored: StoredEntry, quality: QualityStats): DiscoveryItem {
  const e = stored.entry;
  const item: DiscoveryItem = {
    resource: e.resourceUrl,
    type: e.type,
    x402Version: e.x402Version,
    accepts: e.accepts,
    lastUpdated: e.lastUpdated,
    quality,
    freshness: { status: e.status === 'stale' ? 'stale' : 'active', lastCheckedAt: stored.lastCheckedAt },
  };
  if (e.description !== undefined) item.description = e.description;
  if (e.mimeType !== undefined) item.mimeType = e.mimeType;
  if (e.serviceName !== undefined) item.serviceName = e.serviceName;
  if (e.tags !== undefined) item.tags = e.tags;
  if (e.iconUrl !== undefined) item.iconUrl = e.iconUrl;
  if (e.extensions !== undefined) item.extensions = e.extensions;
  return item;
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof value.o === 'number' && Number.isSafeInteger(value.o) && value.o >= 0) return value.o;
  } catch {
    // fall through to the one error below
  }
  throw new DiscoveryException(DiscoveryErrorCode.INVALID_REQUEST, 'cursor: not a cursor from a previous search');
}
