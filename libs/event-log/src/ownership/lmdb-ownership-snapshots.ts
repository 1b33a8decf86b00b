import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { EventLogLogger } from '../event-log.logger';

/** Snapshot format version; a stored snapshot of another version is ignored (the partition is refolded). */
export const OWNERSHIP_SNAPSHOT_VERSION = 1;

/** A partition's folded states as of `next` (the first offset NOT included). */
export interface PartitionSnapshot {
  partition: number;
  next: bigint;
  data: unknown;
}

interface StoredSnapshot {
  v: number;
  topic: string;
  group: string;
  partition: number;
  next: string;
  takenAt: string;
  data: unknown;
}

/**
 * Partition snapshots of the stream owner in one LMDB environment (a folder under the state dir). Key
 * `<topic>|<group>|<partition>`, value: canonical JSON text `{ v, topic, group, partition, next, takenAt, data }`.
 * Reads are synchronous (they run inside a group assignment); a value that does not decode is ignored and logged.
 */
export class LmdbOwnershipSnapshots {
  private readonly root: RootDatabase;
  private readonly db: Database<string, string>;

  constructor(
    path: string,
    private readonly topic: string,
    private readonly group: string,
    private readonly logger: EventLogLogger,
  ) {
    mkdirSync(path, { recursive: true });
    this.root = open({ path, maxDbs: 2 });
    this.db = this.root.openDB<string, string>('snapshots', { encoding: 'string' });
  }

  private key(partition: number): string {
    return `${this.topic}|${this.group}|${partition}`;
  }

  /** The partition's snapshot, or null when there is none or it does not decode (logged). */
  load(partition: number): PartitionSnapshot | null {
    const raw = this.db.get(this.key(partition));
    if (raw === undefined) return null;
    try {
      const s = JSON.parse(raw) as Partial<StoredSnapshot>;
      if (s.v !== OWNERSHIP_SNAPSHOT_VERSION) throw new Error(`snapshot version ${String(s.v)} is not supported`);
      if (s.topic !== this.topic || s.group !== this.group || s.partition !== partition) {
        throw new Error('snapshot of another topic, group or partition');
      }
      if (typeof s.next !== 'string' || !/^[0-9]+$/.test(s.next)) throw new Error('snapshot offset is not a number');
      if (!('data' in s)) throw new Error('snapshot has no data');
      return { partition, next: BigInt(s.next), data: s.data };
    } catch (error) {
      this.logger.warn('Ignoring an ownership snapshot that does not decode; refolding the partition', {
        topic: this.topic,
        partition,
        error,
      });
      return null;
    }
  }

  /** Writes a partition's snapshot durably. */
  async save(snapshot: PartitionSnapshot): Promise<void> {
    const stored: StoredSnapshot = {
      v: OWNERSHIP_SNAPSHOT_VERSION,
      topic: this.topic,
      group: this.group,
      partition: snapshot.partition,
      next: snapshot.next.toString(),
      takenAt: new Date().toISOString(),
      data: snapshot.data,
    };
    await this.db.put(this.key(snapshot.partition), JSON.stringify(stored));
    await this.root.flushed;
  }

  /** @internal tests: writes raw text as a partition's snapshot. */
  async saveRaw(partition: number, raw: string): Promise<void> {
    await this.db.put(this.key(partition), raw);
    await this.root.flushed;
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
