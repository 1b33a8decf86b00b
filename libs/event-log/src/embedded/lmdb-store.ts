import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { EventEnvelope } from '@x402-ledger/ledger';
import type { LoggedEvent } from '../event-log.port';
import { EventLogErrorCode, EventLogException } from '../event-log.exception';
import { EventIdIndex, eventIdHash } from './event-id.index';

/**
 * One LMDB environment (a folder: data.mdb + lock.mdb) holding the whole embedded log:
 *
 * | sub-database | key                         | value                                               |
 * |--------------|-----------------------------|-----------------------------------------------------|
 * | `records`    | offset (0, 1, 2, … integer) | the envelope, MessagePack with shared structures    |
 * | `idLog`      | offset                      | the event id, 32 raw bytes                          |
 * | `groups`     | consumer group              | next offset to deliver (the committed position)     |
 * | `meta`       | `next`, `format`            | next offset to assign; storage format version       |
 *
 * No random-key index: every random-key B-tree costs about one dirty 4 kB page per appended event (written and
 * fsync'd at each commit). Measured here, the former `ids` (event id → offset) B-tree alone halved append
 * throughput, and a `streams` (streamId → last sequence) one cut it by a third. Both `records` and `idLog` are
 * appended in key order, so a transaction only dirties their last pages. Idempotent appends use an in-memory
 * hash index (event-id.index.ts) derived from `idLog`: loaded once per process before its first append, caught up
 * inside every write transaction with what other processes appended, and every hit confirmed against `idLog` —
 * so the index is a cache and `idLog` the truth (restarts, crashes and other writers cannot make it lie).
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
  readonly idLog: ConditionalDatabase<Buffer, number>;
  /** The event-id index of this process (shared by every LmdbEventLog on this path); see event-id.index.ts. */
  readonly idIndex: EventIdIndex;
  /** Set while/after the index is loaded from `idLog` (once per process, before the first append). */
  idIndexLoading: Promise<void> | null;
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

/** 2: `idLog` + in-memory index (format 1 had an `ids` B-tree instead; it is converted on open). */
export const STORAGE_FORMAT = 2;

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
    idLog: root.openDB<Buffer, number>('idLog', { encoding: 'binary' }) as unknown as ConditionalDatabase<
      Buffer,
      number
    >,
    idIndex: new EventIdIndex(),
    idIndexLoading: null,
    groups: root.openDB<number, string>('groups', { encoding: 'ordered-binary' }),
    meta: root.openDB<number, string>('meta', { encoding: 'ordered-binary' }),
    signal: new EventEmitter().setMaxListeners(0),
    activeGroups: new Set(),
  };
  let format = store.meta.get('format');
  if (format === 1) {
    try {
      convertFormat1(store);
    } catch (error) {
      void root.close();
      throw new EventLogException(
        EventLogErrorCode.CONNECT_FAILED,
        `Cannot convert the embedded event log at ${path} to storage format ${STORAGE_FORMAT}`,
        { cause: error },
      );
    }
    format = STORAGE_FORMAT;
  }
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

/**
 * Format 1 → 2, in one synchronous (fsync'd) transaction: write `idLog` from the records, drop the `ids` B-tree.
 * Stop every process of an older build on this folder first: it would keep writing format 1.
 */
function convertFormat1(store: LmdbStore): void {
  const { root, records, idLog, meta } = store;
  const ids = root.openDB<number, string>('ids', { encoding: 'ordered-binary' });
  root.transactionSync(() => {
    const next = meta.get('next') ?? 0;
    let offset = 0;
    for (const { key, value } of records.getRange({ start: 0, end: next })) {
      if (key !== offset) throw new Error(`record ${offset} is missing (found ${key})`);
      idLog.putSync(key, Buffer.from(value.id, 'hex'), { append: true });
      offset++;
    }
    if (offset !== next) throw new Error(`expected ${next} records, found ${offset}`);
    ids.dropSync();
    meta.putSync('format', STORAGE_FORMAT);
  });
}

/**
 * Loads this process's event-id index from `idLog` (once; later calls share the promise), in slices that yield to
 * the event loop. What other processes append meanwhile is caught up inside the write transactions.
 */
export function loadIdIndex(store: LmdbStore): Promise<void> {
  store.idIndexLoading ??= (async () => {
    const { root, meta, idIndex } = store;
    root.resetReadTxn();
    const end = meta.get('next') ?? 0;
    while (idIndex.indexedUpTo < end) {
      indexIdLog(store, idIndex.indexedUpTo, Math.min(end, idIndex.indexedUpTo + 65_536));
      await new Promise((resolve) => setImmediate(resolve));
    }
  })().catch((error: unknown) => {
    store.idIndexLoading = null; // the next append tries again
    throw error;
  });
  return store.idIndexLoading;
}

/** Adds `idLog` entries [from, to) to the index (to ≤ the records this transaction / snapshot sees). */
export function indexIdLog(store: LmdbStore, from: number, to: number): void {
  const { idLog, idIndex } = store;
  let offset = from;
  for (const { key, value } of idLog.getRange({ start: from, end: to })) {
    if (key !== offset || value.length !== 32) throw new Error(`idLog entry ${offset} is missing or malformed`);
    idIndex.add(eventIdHash(value), offset++);
  }
  if (offset !== to) throw new Error(`idLog ends at ${offset}, records at ${to} (store inconsistent)`);
  idIndex.indexedUpTo = to;
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
