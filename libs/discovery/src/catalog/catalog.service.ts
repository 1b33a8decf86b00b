import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EventLog, type LogPosition } from '@x402-ledger/event-log';
import { Clock, EventFactory, discoveryStreamId, isEventType, parseEnvelope } from '@x402-ledger/ledger';
import { DISCOVERY_OPTIONS, type DiscoveryOptions } from '../discovery.options';
import type { AcceptedPayment, CatalogEntry, ResourceStatus, StoredEntry } from './catalog-entry';
import { contentHashOf, entryToEventData, eventDataToEntry } from './catalog-events';
import { CatalogStore } from './catalog.store';
import { KeyedLock } from './keyed-lock';

export const MAX_ACCEPTS = 50;

/** Descriptive fields of a listing; `undefined` as a whole keeps what the catalog has. */
export type ListingMetadata = Pick<
  CatalogEntry,
  | 'description'
  | 'mimeType'
  | 'serviceName'
  | 'tags'
  | 'iconUrl'
  | 'method'
  | 'toolName'
  | 'routeTemplate'
  | 'extensions'
>;

/** A new observation of a resource: from a paid call (merge its one payment option) or a re-fetch (replace all). */
export interface CatalogUpdate {
  resourceUrl: string;
  type: 'http' | 'mcp';
  x402Version: number;
  fetchUrl: string;
  accepts: AcceptedPayment[];
  acceptsMode: 'merge' | 'replace';
  metadata?: ListingMetadata;
  status: ResourceStatus;
  registered?: boolean;
  tenant: string;
  correlationId?: string;
}

export interface CatalogWrite {
  changed: boolean;
  stored: StoredEntry;
}

const optionKey = (a: AcceptedPayment): string =>
  [a.scheme, a.network, String(a.asset ?? '').toLowerCase(), String(a.payTo).toLowerCase()].join('|');

/** Merges one observed payment option into a list: same scheme/network/asset/payTo replaces, else appended. */
export function mergeAccepts(current: AcceptedPayment[], observed: AcceptedPayment[]): AcceptedPayment[] {
  const out = [...current];
  for (const option of observed) {
    const at = out.findIndex((a) => optionKey(a) === optionKey(option));
    if (at >= 0) out[at] = option;
    else out.push(option);
  }
  return out.slice(-MAX_ACCEPTS);
}

/**
 * Writes the catalog: every change is first a `discovery.resource_updated` event on the resource's discovery stream
 * (durable on the log: the ledger is the price history), then the read model. Unchanged observations write nothing.
 * One writer per resource at a time.
 */
@Injectable()
export class CatalogService {
  private readonly lock = new KeyedLock();
  private readonly factory: EventFactory;

  constructor(
    private readonly store: CatalogStore,
    private readonly log: EventLog,
    private readonly clock: Clock,
    @Inject(DISCOVERY_OPTIONS) private readonly options: DiscoveryOptions,
  ) {
    this.factory = new EventFactory(clock);
  }

  get(resourceUrl: string): StoredEntry | undefined {
    return this.store.get(resourceUrl);
  }

  all(): StoredEntry[] {
    return this.store.all();
  }

  get revision(): number {
    return this.store.revision;
  }

  /** Applies an observation; appends an event only when the listing changed. */
  record(update: CatalogUpdate): Promise<CatalogWrite> {
    return this.lock.run(update.resourceUrl, async () => {
      const current = this.store.get(update.resourceUrl);
      const now = this.clock.now().toISOString();
      const base = current?.entry;
      const accepts =
        update.acceptsMode === 'merge' ? mergeAccepts(base?.accepts ?? [], update.accepts) : update.accepts;
      const metadata = update.metadata ?? (base ? pickMetadata(base) : {});
      const entry: CatalogEntry = {
        ...stripUndefined(metadata),
        resourceUrl: update.resourceUrl,
        type: update.type,
        x402Version: update.x402Version,
        accepts: accepts.slice(0, MAX_ACCEPTS),
        lastUpdated: now,
        status: update.status,
        fetchUrl: update.fetchUrl,
        registered: (base?.registered ?? false) || (update.registered ?? false),
        tenant: base?.tenant ?? update.tenant,
      };
      const contentHash = contentHashOf(entry);
      if (current && current.contentHash === contentHash) return { changed: false, stored: current };
      const sequence = (current?.sequence ?? 0) + 1;
      const [envelope] = this.factory.create(
        { streamType: 'discovery', streamId: discoveryStreamId(entry.resourceUrl), lastSequence: sequence - 1 },
        [{ type: 'discovery.resource_updated', data: entryToEventData(entry) }],
        {
          tenant: entry.tenant,
          correlationId: update.correlationId ?? randomUUID(),
          causationId: null,
          producer: this.options.producer,
        },
      );
      await this.log.append([envelope]);
      const stored: StoredEntry = {
        entry,
        sequence,
        contentHash,
        lastCheckedAt: current?.lastCheckedAt ?? null,
        nextCheckAt: current?.nextCheckAt ?? null,
        consecutiveFailures: current?.consecutiveFailures ?? 0,
        lastError: current?.lastError ?? null,
      };
      await this.store.put(stored);
      return { changed: true, stored };
    });
  }

  /** Updates the refresher's bookkeeping of an entry (no event: nothing about the listing changed). */
  touch(
    resourceUrl: string,
    patch: Partial<Pick<StoredEntry, 'lastCheckedAt' | 'nextCheckAt' | 'consecutiveFailures' | 'lastError'>>,
  ): Promise<void> {
    return this.lock.run(resourceUrl, async () => {
      const current = this.store.get(resourceUrl);
      if (current) await this.store.put({ ...current, ...patch });
    });
  }

  /**
   * Folds `discovery.resource_updated` events the read model has not seen (after a crash between append and write,
   * or into an empty store) from the stored checkpoint to the end of the log, then saves the new checkpoint.
   */
  async catchUp(): Promise<number> {
    const next = new Map<number, bigint>(this.store.checkpoint().map((p) => [p.partition, BigInt(p.offset)]));
    let applied = 0;
    await this.log.replay(
      async (batch) => {
        for (const { envelope, position } of batch) {
          const after = BigInt(position.offset) + 1n;
          if (after > (next.get(position.partition) ?? 0n)) next.set(position.partition, after);
          if (envelope.type !== 'discovery.resource_updated') continue;
          const parsed = parseEnvelope(envelope);
          if (!isEventType(parsed, 'discovery.resource_updated')) continue;
          const current = this.store.get(parsed.data.resourceUrl);
          if (current && current.sequence >= parsed.sequence) continue;
          const entry = eventDataToEntry(parsed.data, parsed.tenant);
          await this.store.put({
            entry,
            sequence: parsed.sequence,
            contentHash: contentHashOf(entry),
            lastCheckedAt: current?.lastCheckedAt ?? null,
            nextCheckAt: current?.nextCheckAt ?? null,
            consecutiveFailures: current?.consecutiveFailures ?? 0,
            lastError: current?.lastError ?? null,
          });
          applied++;
        }
      },
      this.store.checkpoint().length > 0 ? this.store.checkpoint() : undefined,
    );
    const positions: LogPosition[] = [...next].map(([partition, offset]) => ({ partition, offset: offset.toString() }));
    await this.store.saveCheckpoint(positions);
    return applied;
  }
}

function pickMetadata(entry: CatalogEntry): ListingMetadata {
  const { description, mimeType, serviceName, tags, iconUrl, method, toolName, routeTemplate, extensions } = entry;
  return { description, mimeType, serviceName, tags, iconUrl, method, toolName, routeTemplate, extensions };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
