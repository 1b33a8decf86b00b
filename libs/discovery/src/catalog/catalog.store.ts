import type { LogPosition } from '@x402-ledger/event-log';
import type { StoredEntry } from './catalog-entry';

/**
 * The catalog's current-state read model (the facts themselves are `discovery.resource_updated` events on the
 * log). Reads are served from memory; `put` resolves once the write is durable. `revision` changes on every write so
 * derived indexes know when to rebuild.
 */
export abstract class CatalogStore {
  private readonly entries = new Map<string, StoredEntry>();
  private rev = 0;

  get revision(): number {
    return this.rev;
  }

  get(resourceUrl: string): StoredEntry | undefined {
    return this.entries.get(resourceUrl);
  }

  all(): StoredEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }

  async put(stored: StoredEntry): Promise<void> {
    await this.persist(stored);
    this.remember(stored);
  }

  /** Log positions (per partition, exclusive end) up to which the log has been folded into this store. */
  abstract checkpoint(): LogPosition[];
  abstract saveCheckpoint(positions: LogPosition[]): Promise<void>;
  abstract close(): Promise<void>;

  protected abstract persist(stored: StoredEntry): Promise<void>;

  protected remember(stored: StoredEntry): void {
    this.entries.set(stored.entry.resourceUrl, stored);
    this.rev++;
  }
}

/** A CatalogStore that lives and dies with the process (unit tests, benchmarks). */
export class InMemoryCatalogStore extends CatalogStore {
  private positions: LogPosition[] = [];

  checkpoint(): LogPosition[] {
    return this.positions;
  }
  async saveCheckpoint(positions: LogPosition[]): Promise<void> {
    this.positions = positions;
  }
  async close(): Promise<void> {}
  protected async persist(): Promise<void> {}
}
