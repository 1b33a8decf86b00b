import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@x402-ledger/ledger';
import type { AcceptedPayment, ResourceStatus, StoredEntry } from '../catalog/catalog-entry';
import { CatalogService, MAX_ACCEPTS, type ListingMetadata } from '../catalog/catalog.service';
import { acceptedPayment, BAZAAR_KEY, extractListing } from '../cataloguing/bazaar-extractor';
import { BazaarMetadataValidator } from '../cataloguing/bazaar-metadata.validator';
import { DiscoveryErrorCode, DiscoveryException } from '../discovery.exception';
import { DISCOVERY_OPTIONS, type DiscoveryOptions } from '../discovery.options';
import { HttpFetcher, type FetchRequest } from './http-fetcher.port';
import { parsePaymentRequired } from './payment-required.parser';

/** What one re-fetch found. */
export type RefreshOutcome =
  | { kind: 'priced'; accepts: AcceptedPayment[]; metadata?: ListingMetadata; warning?: string }
  | { kind: 'gone'; reason: string }
  | { kind: 'failed'; reason: string };

export interface RefreshSummary {
  checked: number;
  changed: number;
  failed: number;
}

const REFETCH_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH']);
/** Gone resources are looked at again, less often, in case they come back. */
const GONE_INTERVAL_FACTOR = 4;

/**
 * Keeps the catalog fresh: every due resource (registered or catalogued from payments) is requested without payment;
 * a 402 with a PAYMENT-REQUIRED header updates its prices (and metadata when the answer carries a valid bazaar
 * extension); 404/410 or a non-402 success marks it gone; other failures mark it stale, and gone after
 * `goneAfterFailures` in a row. Only changes become `discovery.resource_updated` events. Time comes from the Clock
 * port and requests from the HttpFetcher port; `runDue()` is the whole schedule step (the timer only calls it).
 */
@Injectable()
export class RefreshScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RefreshScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RefreshSummary> | null = null;

  constructor(
    private readonly catalog: CatalogService,
    private readonly fetcher: HttpFetcher,
    private readonly validator: BazaarMetadataValidator,
    private readonly clock: Clock,
    @Inject(DISCOVERY_OPTIONS) private readonly options: DiscoveryOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.refresh.intervalMs === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.runDue().catch((error: Error) => this.logger.error(`refresh tick failed: ${error.message}`, error.stack));
    }, this.options.refresh.tickMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Re-fetches every due resource (at most `maxPerTick`, oldest due first). One run at a time. */
  runDue(): Promise<RefreshSummary> {
    if (this.running) return this.running;
    this.running = this.runDueOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Re-fetches everything now regardless of schedule (admin trigger, tests). */
  async refreshAll(): Promise<RefreshSummary> {
    return this.refreshEntries(this.catalog.all());
  }

  /** Re-fetches one resource now; null when it is not catalogued. */
  async refresh(resourceUrl: string): Promise<{ changed: boolean } | null> {
    const stored = this.catalog.get(resourceUrl);
    if (!stored) return null;
    return { changed: await this.refreshEntry(stored) };
  }

  /**
   * A provider registers a resource URL: it is fetched now and must answer 402 with a valid PAYMENT-REQUIRED (and,
   * when it declares bazaar metadata, valid metadata); then it is catalogued and kept fresh.
   */
  async register(url: string, tenant: string): Promise<StoredEntry> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DiscoveryException(DiscoveryErrorCode.INVALID_REQUEST, 'url must be an absolute http(s) URL');
    }
    if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || url.length > 2048)
      throw new DiscoveryException(DiscoveryErrorCode.INVALID_REQUEST, 'url must be an absolute http(s) URL');
    const fetchUrl = `${parsed.origin}${parsed.pathname}`;
    const outcome = await this.probe(fetchUrl, 'GET', true);
    if (outcome.kind !== 'priced')
      throw new DiscoveryException(DiscoveryErrorCode.REJECTED_METADATA, `not an x402 resource: ${outcome.reason}`);
    const template = outcome.metadata?.routeTemplate;
    const resourceUrl = `${parsed.origin}${template ?? parsed.pathname}`;
    const existing = this.catalog.get(resourceUrl);
    const metadata = outcome.metadata ?? existing?.entry ?? { method: 'GET' };
    const { stored } = await this.catalog.record({
      resourceUrl,
      type: existing?.entry.type ?? (metadata.toolName ? 'mcp' : 'http'),
      x402Version: 2,
      fetchUrl,
      accepts: outcome.accepts,
      acceptsMode: 'replace',
      metadata: pickListing(metadata),
      status: 'active',
      registered: true,
      tenant,
    });
    await this.catalog.touch(resourceUrl, this.scheduled('active', 0, null));
    return this.catalog.get(resourceUrl) ?? stored;
  }

  private async runDueOnce(): Promise<RefreshSummary> {
    const now = this.clock.now().getTime();
    const due = this.catalog
      .all()
      .filter((s) => s.nextCheckAt === null || Date.parse(s.nextCheckAt) <= now)
      .sort((a, b) => (a.nextCheckAt ?? '').localeCompare(b.nextCheckAt ?? ''))
      .slice(0, this.options.refresh.maxPerTick);
    return this.refreshEntries(due);
  }

  private async refreshEntries(entries: StoredEntry[]): Promise<RefreshSummary> {
    const summary: RefreshSummary = { checked: 0, changed: 0, failed: 0 };
    const queue = [...entries];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        summary.checked++;
        try {
          if (await this.refreshEntry(next)) summary.changed++;
        } catch (error) {
          summary.failed++;
          this.logger.error(`refresh of ${next.entry.resourceUrl} failed: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.refresh.concurrency, queue.length) }, worker));
    return summary;
  }

  /** Re-fetches one entry and records what changed; true when an event was appended. */
  private async refreshEntry(stored: StoredEntry): Promise<boolean> {
    const { entry } = stored;
    const method = (entry.method ?? 'GET').toUpperCase();
    if (entry.type !== 'http' || !REFETCH_METHODS.has(method)) {
      // MCP tools and DELETE routes are not probed (an unpaid call could act); they stay as their payments left them.
      await this.catalog.touch(entry.resourceUrl, this.scheduled(entry.status, 0, 'not re-fetchable'));
      return false;
    }
    const outcome = await this.probe(entry.fetchUrl, method as FetchRequest['method'], false);
    const base = {
      resourceUrl: entry.resourceUrl,
      type: entry.type,
      x402Version: entry.x402Version,
      fetchUrl: entry.fetchUrl,
      tenant: entry.tenant,
    };
    let changed: boolean;
    let status: ResourceStatus;
    let failures = 0;
    let lastError: string | null = null;
    if (outcome.kind === 'priced') {
      status = 'active';
      lastError = outcome.warning ?? null;
      const metadata = outcome.metadata ? pickListing(outcome.metadata) : undefined;
      ({ changed } = await this.catalog.record({
        ...base,
        accepts: outcome.accepts,
        acceptsMode: 'replace',
        metadata,
        status,
      }));
    } else {
      failures = outcome.kind === 'gone' ? 0 : stored.consecutiveFailures + 1;
      status = outcome.kind === 'gone' || failures >= this.options.refresh.goneAfterFailures ? 'gone' : 'stale';
      lastError = outcome.reason;
      ({ changed } = await this.catalog.record({ ...base, accepts: entry.accepts, acceptsMode: 'replace', status }));
    }
    await this.catalog.touch(entry.resourceUrl, this.scheduled(status, failures, lastError));
    return changed;
  }

  /** One unpaid request, classified. Fetch failures are outcomes here, not errors. */
  private async probe(url: string, method: FetchRequest['method'], strictMetadata: boolean): Promise<RefreshOutcome> {
    let result;
    try {
      result = await this.fetcher.fetch({ url, method });
    } catch (error) {
      if (error instanceof DiscoveryException) return { kind: 'failed', reason: error.message };
      throw error;
    }
    if (result.status === 404 || result.status === 410) return { kind: 'gone', reason: `answered ${result.status}` };
    if (result.status >= 200 && result.status < 300)
      return { kind: 'gone', reason: `answered ${result.status} without payment: no longer paid` };
    if (result.status !== 402) return { kind: 'failed', reason: `answered ${result.status}` };
    const parsed = parsePaymentRequired(result);
    if (!parsed.ok) return { kind: 'failed', reason: parsed.reason };
    const accepts = parsed.value.accepts
      .map(acceptedPayment)
      .filter((a): a is AcceptedPayment => a !== null)
      .slice(0, MAX_ACCEPTS);
    if (accepts.length === 0) return { kind: 'failed', reason: '402 without listable payment options' };
    const extraction = extractListing(
      parsed.value.resource ?? { url },
      parsed.value.extensions,
      parsed.value.x402Version,
      this.validator,
    );
    if (extraction.kind === 'listing') return { kind: 'priced', accepts, metadata: extraction.listing.metadata };
    if (extraction.kind === 'rejected') {
      if (strictMetadata) return { kind: 'failed', reason: `bazaar metadata rejected: ${extraction.reason}` };
      return { kind: 'priced', accepts, warning: `bazaar metadata rejected, kept the previous: ${extraction.reason}` };
    }
    return { kind: 'priced', accepts };
  }

  private scheduled(status: ResourceStatus, failures: number, lastError: string | null) {
    const now = this.clock.now();
    const interval = this.options.refresh.intervalMs * (status === 'gone' ? GONE_INTERVAL_FACTOR : 1);
    return {
      lastCheckedAt: now.toISOString(),
      nextCheckAt: new Date(now.getTime() + interval).toISOString(),
      consecutiveFailures: failures,
      lastError,
    };
  }
}

function pickListing(source: ListingMetadata): ListingMetadata {
  const { description, mimeType, serviceName, tags, iconUrl, method, toolName, routeTemplate, extensions } = source;
  const bazaar = extensions?.[BAZAAR_KEY];
  return {
    description,
    mimeType,
    serviceName,
    tags,
    iconUrl,
    method,
    toolName,
    routeTemplate,
    extensions: bazaar ? { [BAZAAR_KEY]: bazaar } : undefined,
  };
}
