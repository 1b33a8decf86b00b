import { mkdirSync } from 'node:fs';
import type { LogPosition } from '@x402-ledger/event-log';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { StoredEntry } from './catalog-entry';
import { CatalogStore } from './catalog.store';

/**
 * The catalog read model in one LMDB environment: sub-database `entries` (resourceUrl → StoredEntry) and `meta`
 * (`checkpoint` → the log positions folded so far). Loaded into memory at open; every write resolves after LMDB's
 * commit and flush.
 */
export class LmdbCatalogStore extends CatalogStore {
  private readonly root: RootDatabase;
  private readonly entriesDb: Database<StoredEntry, string>;
  private readonly metaDb: Database<LogPosition[], string>;

  constructor(path: string) {
    super();
    mkdirSync(path, { recursive: true });
    this.root = open({ path, maxDbs: 4 });
    this.entriesDb = this.root.openDB<StoredEntry, string>('entries', {});
    this.metaDb = this.root.openDB<LogPosition[], string>('meta', {});
    for (const { value } of this.entriesDb.getRange()) this.remember(value);
  }

  checkpoint(): LogPosition[] {
    return this.metaDb.get('checkpoint') ?? [];
  }

  async saveCheckpoint(positions: LogPosition[]): Promise<void> {
    await this.metaDb.put('checkpoint', positions);
    await this.root.flushed;
  }

  async close(): Promise<void> {
    await this.root.close();
  }

  protected async persist(stored: StoredEntry): Promise<void> {
    await this.entriesDb.put(stored.entry.resourceUrl, stored);
    await this.root.flushed;
  }
}
