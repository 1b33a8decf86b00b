import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { EventEnvelope } from '@x402-ledger/ledger';
import type { LoggedEvent } from '../event-log.port';
import { EventLogErrorCode, EventLogException } from '../event-log.exception';

/**
 * One LMDB environment (a folder: data.mdb + lock.mdb) holding the whole embedded log:
 *
 * | sub-database | key                         | value                                               |
 * |--------------|-----------------------------|-----------------------------------------------------|
 * | `records`    | offset (0, 1, 2, … integer) | the envelope, MessagePack with shared structures    |
 * | `ids`        | event id (64 hex)           | its offset — makes re-appends idempotent            |
 * | `groups`     | consumer group              | next offset to deliver (the committed position)     |
 * | `meta`       | `next`, `format`            | next offset to assign; storage format version       |
 *
 * No per-stream index: every random-key B-tree costs about one dirty 4 kB page per appended event; measured here,
 * a `streams` (streamId → last sequence) sub-database cut append throughput by about a third and nothing in the port
 * reads it (aggregates keep their own sequences). The `ids` index is the one such cost we pay: idempotent appends.
 *
 * Offsets are assigned inside the write transaction, so several processes may append to the same folder (LMDB
 * serialises writers with its lock file) and any number may read.
 *
 * Durability: the environment is opened with `overlappingSync: false` (lmdb-js 3.5 defaults to true on Linux) and
 * `noSync: false`, so LMDB's own commit does the sync inside the transaction: fdatasync of the data pages, then the
 * meta page written through the O_DSYNC descriptor — a transaction's promise resolves only after both (checked with
 * strace: one fdatasync per transaction, and the promise resolves after it). Readers in other processes therefore
 * never see a record that is not yet on disk. The adapter also awaits `root.flushed` (captured right after it
 * queued its transaction), which would keep appends correct were overlappingSync ever turned back on (there, the
 * promise resolves at commit and the fsync follows). Measured under the same load, overlappingSync brought no
 * throughput gain for this workload.
 *
 * After a writer process is killed in the middle of a commit, that commit is on disk but LMDB's lock file may still
 * name the previous transaction; readers in other processes then see the snapshot one transaction behind until the
 * next write transaction (in any process) recovers the lock. Nothing is lost — such a commit was never acknowledged —
 * and subscribers catch up as soon as someone writes (their own position commits do).
 *
 * lmdb-js must not open the same environment twice in one process, so environments are shared per path here
 * (reference-counted); the same object also carries the in-process "appended" signal for local subscribers.
 */
export interface LmdbStore {
  readonly path: string;
  readonly root: RootDatabase;
  readonly records: ConditionalDatabase<StoredEnvelope, number>;
  readonly ids: ConditionalDatabase<number, string>;
  readonly groups: Database<number, string>;
  readonly meta: Database<number, string>;
  /** Emits 'appended' after a local append is durable. */
  readonly signal: EventEmitter;
  /** Groups that have a live consumer in this process. */
  readonly activeGroups: Set<string>;
}

/**
 * Inside a write transaction lmdb-js's putSync reports whether the put happened — false when `noOverwrite` finds the
 * key or `append` finds a greater one (LMDB's MDB_NOOVERWRITE / MDB_APPEND) — though its typings say void.
 */
export type ConditionalDatabase<V, K extends string | number> = Omit<Database<V, K>, 'putSync'> & {
  putSync(key: K, value: V, options: { noOverwrite?: boolean; append?: boolean }): boolean;
};

/** The envelope as stored: exactly the envelope's own members (nothing extra the caller may have attached). */
export type StoredEnvelope = EventEnvelope;

export const STORAGE_FORMAT = 1;

interface Entry {
  store: LmdbStore;
  refs: number;
}

const opened = new Map<string, Entry>();

export function acquireLmdbStore(path: string): LmdbStore {
  const existing = opened.get(path);
  if (existing) {
    existing.refs++;
    return existing.store;
  }
  let root: RootDatabase;
  try {
    mkdirSync(path, { recursive: true });
    root = open({ path, maxDbs: 8, noMemInit: true, overlappingSync: false });
  } catch (error) {
    throw new EventLogException(EventLogErrorCode.CONNECT_FAILED, `Cannot open the embedded event log at ${path}`, {
      cause: error,
    });
  }
  const store: LmdbStore = {
    path,
    root,
    records: root.openDB<StoredEnvelope, number>('records', {
      sharedStructuresKey: Symbol.for('structures'),
    }) as unknown as ConditionalDatabase<StoredEnvelope, number>,
    ids: root.openDB<number, string>('ids', { encoding: 'ordered-binary' }) as unknown as ConditionalDatabase<
      number,
      string
    >,
    groups: root.openDB<number, string>('groups', { encoding: 'ordered-binary' }),
    meta: root.openDB<number, string>('meta', { encoding: 'ordered-binary' }),
    signal: new EventEmitter().setMaxListeners(0),
    activeGroups: new Set(),
  };
  const format = store.meta.get('format');
  if (format !== undefined && format !== STORAGE_FORMAT) {
    void root.close();
    throw new EventLogException(
      EventLogErrorCode.CONNECT_FAILED,
      `The embedded event log at ${path} has storage format ${format}; this build reads format ${STORAGE_FORMAT}`,
    );
  }
  opened.set(path, { store, refs: 1 });
  return store;
}

export async function releaseLmdbStore(store: LmdbStore): Promise<void> {
  const entry = opened.get(store.path);
  if (!entry || entry.store !== store) return;
  entry.refs--;
  if (entry.refs > 0) return;
  opened.delete(store.path);
  await store.root.flushed;
  await store.root.close();
}

/** Reads up to `max` records in [from, end) in offset order. */
export function readBatch(records: LmdbStore['records'], from: number, end: number, max: number): LoggedEvent[] {
  const batch: LoggedEvent[] = [];
  for (const { key, value } of records.getRange({ start: from, end, limit: max })) {
    batch.push({ envelope: value, position: { partition: 0, offset: String(key) } });
  }
  return batch;
}
