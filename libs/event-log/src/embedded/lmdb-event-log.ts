import type { EventEnvelope } from '@x402-ledger/ledger';
import type { BackoffOptions } from '../backoff';
import { checkBatchSize, DEFAULT_MAX_BATCH_SIZE } from '../batch-size';
import { envelopeProblem } from '../envelope-codec';
import { EventLogErrorCode, EventLogException } from '../event-log.exception';
import { nestEventLogLogger, type EventLogLogger } from '../event-log.logger';
import {
  EventLog,
  type BatchHandler,
  type LogPosition,
  type SubscribeOptions,
  type Subscription,
} from '../event-log.port';
import { eventIdHash } from './event-id.index';
import {
  acquireLmdbStore,
  indexIdLog,
  loadIdIndex,
  readBatch,
  releaseLmdbStore,
  STORAGE_FORMAT,
  type LmdbStore,
  type StoredEnvelope,
} from './lmdb-store';
import { LmdbSubscription } from './lmdb-subscription';

export interface LmdbEventLogOptions {
  logger?: EventLogLogger;
  /** How often an idle subscriber looks for records appended by OTHER processes (default 20 ms). Local appends wake it at once. */
  pollIntervalMs?: number;
  /** Backoff between redeliveries of a batch whose handler rejected (default 100 ms doubling to 5 s). */
  handlerRetry?: BackoffOptions;
}

interface PendingAppend {
  envelopes: readonly EventEnvelope[];
  resolve: (positions: LogPosition[]) => void;
  reject: (error: unknown) => void;
}

const EMPTY = Buffer.alloc(0);

/** Copies exactly the envelope's members, so that what is stored does not depend on extra properties of the input. */
function toStored(e: EventEnvelope): StoredEnvelope {
  return {
    id: e.id,
    type: e.type,
    version: e.version,
    streamType: e.streamType,
    streamId: e.streamId,
    sequence: e.sequence,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    tenant: e.tenant,
    correlationId: e.correlationId,
    causationId: e.causationId,
    producer: e.producer,
    data: e.data,
  };
}

/**
 * The embedded, single-folder event log on LMDB (see lmdb-store.ts for the layout and the durability argument).
 *
 * - append: concurrent calls within one event-loop turn are written in ONE transaction; every call resolves after
 *   that transaction is committed and fsync'd. Offsets are global and gap-free (one partition, 0). An id already in
 *   the log (or earlier in the same batch) is not written again: its original position is returned.
 * - subscribe: one consumer per group per process at a time (GROUP_BUSY otherwise); consumers in other processes on
 *   the same folder are not coordinated — run one consumer per group per log. Local appends wake subscribers at once;
 *   appends from other processes are found by polling every `pollIntervalMs`.
 */
export class LmdbEventLog extends EventLog {
  private readonly logger: EventLogLogger;
  private readonly pending: PendingAppend[] = [];
  private flushScheduled = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly subscriptions = new Set<LmdbSubscription>();
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly store: LmdbStore,
    private readonly options: LmdbEventLogOptions,
  ) {
    super();
    this.logger = options.logger ?? nestEventLogLogger();
  }

  /** Opens (creating if needed) the log in `path` (an absolute folder path). */
  static open(path: string, options: LmdbEventLogOptions = {}): LmdbEventLog {
    return new LmdbEventLog(acquireLmdbStore(path), options);
  }

  get path(): string {
    return this.store.path;
  }

  append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    if (this.closed) return Promise.reject(closedError());
    for (const e of envelopes) {
      const problem = envelopeProblem(e);
      if (problem !== null) {
        return Promise.reject(new EventLogException(EventLogErrorCode.INVALID_ENVELOPE, `Cannot append: ${problem}`));
      }
    }
    if (envelopes.length === 0) return Promise.resolve([]);
    return new Promise<LogPosition[]>((resolve, reject) => {
      this.pending.push({ envelopes, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes every append queued during the last event-loop turn in one transaction, then awaits its fsync. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending.splice(0, this.pending.length);
    if (batch.length === 0) return;
    const work = this.write(batch);
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  private async write(batch: PendingAppend[]): Promise<void> {
    const { store } = this;
    const { root, records, idLog, meta, idIndex } = store;
    try {
      await loadIdIndex(store); // once per process; afterwards an already-resolved promise
      // A child transaction: if anything throws inside, none of this batch's writes are kept.
      const committed = root.childTransaction(() => {
        if (meta.get('format') === undefined) meta.putSync('format', STORAGE_FORMAT);
        const start: number = meta.get('next') ?? 0;
        // Bring the index to exactly the committed records: drop what an uncommitted transaction left, add what
        // other processes appended.
        if (idIndex.indexedUpTo > start) idIndex.truncate(start);
        if (idIndex.indexedUpTo < start) indexIdLog(store, idIndex.indexedUpTo, start);
        let next = start;
        let id: Buffer = EMPTY;
        // An index hit is a candidate; the stored id (this transaction sees its own writes) decides.
        const isStored = (offset: number) => offset < next && idLog.getBinary(offset)?.equals(id) === true;
        const out: LogPosition[][] = [];
        try {
          for (const request of batch) {
            const positions: LogPosition[] = [];
            for (const e of request.envelopes) {
              id = Buffer.from(e.id, 'hex');
              const hash = eventIdHash(id);
              // An id already present, in the log or earlier in this batch, keeps its original offset and nothing
              // is written for it.
              let offset = idIndex.find(hash, isStored);
              if (offset < 0) {
                offset = next++;
                if (
                  !records.putSync(offset, toStored(e), { append: true }) ||
                  !idLog.putSync(offset, id, { append: true })
                ) {
                  throw new Error(`record offset ${offset} already taken (store inconsistent)`);
                }
                idIndex.add(hash, offset);
              }
              positions.push({ partition: 0, offset: String(offset) });
            }
            out.push(positions);
          }
          meta.putSync('next', next);
          idIndex.indexedUpTo = next;
        } catch (error) {
          idIndex.truncate(start);
          throw error;
        }
        return out;
      });
      // Taken now, `flushed` refers to the transaction just queued (see lmdb-store.ts "Durability").
      const flushed = new Promise<unknown>((resolve, reject) => root.flushed.then(resolve, reject));
      const [results] = await Promise.all([committed, flushed]);
      for (let i = 0; i < batch.length; i++) batch[i].resolve(results[i]);
      this.store.signal.emit('appended');
    } catch (error) {
      this.logger.error('Embedded event log append failed', { path: this.store.path, error });
      const failure = new EventLogException(EventLogErrorCode.APPEND_FAILED, 'The append was not made durable', {
        cause: error,
      });
      for (const request of batch) request.reject(failure);
    }
  }

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    if (this.closed) throw closedError();
    if (typeof options.group !== 'string' || options.group.length === 0 || options.group.length > 200) {
      throw new EventLogException(EventLogErrorCode.INVALID_ARGUMENT, 'group must be a non-empty string (≤ 200 chars)');
    }
    const maxBatchSize = checkBatchSize(options.maxBatchSize);
    const { group } = options;
    if (this.store.activeGroups.has(group)) {
      throw new EventLogException(
        EventLogErrorCode.GROUP_BUSY,
        `Group "${group}" already has a consumer on ${this.store.path} in this process`,
      );
    }
    this.store.activeGroups.add(group);
    try {
      this.store.root.resetReadTxn(); // see positions other processes committed
      let position = this.store.groups.get(group);
      if (position === undefined) {
        position = options.fromBeginning === false ? (this.store.meta.get('next') ?? 0) : 0;
        // Remember where a "latest" consumer started, so a restart does not skip what was appended meanwhile.
        await this.store.groups.put(group, position);
        await this.store.root.flushed;
      }
      const subscription = new LmdbSubscription({
        store: this.store,
        group,
        start: position,
        maxBatchSize,
        handler,
        logger: this.logger,
        pollIntervalMs: this.options.pollIntervalMs ?? 20,
        retry: this.options.handlerRetry ?? {},
        onClosed: (s) => {
          this.subscriptions.delete(s);
          this.store.activeGroups.delete(group);
        },
      });
      this.subscriptions.add(subscription);
      subscription.start();
      return subscription;
    } catch (error) {
      this.store.activeGroups.delete(group);
      throw error;
    }
  }

  async replay(handler: BatchHandler, from?: LogPosition[]): Promise<void> {
    if (this.closed) throw closedError();
    let start = 0;
    for (const p of from ?? []) {
      if (p.partition !== 0 || !/^[0-9]+$/.test(p.offset)) {
        throw new EventLogException(
          EventLogErrorCode.INVALID_ARGUMENT,
          `The embedded log has one partition (0) and integer offsets; got ${JSON.stringify(p)}`,
        );
      }
      start = Number(p.offset);
    }
    const { root, records, meta } = this.store;
    root.resetReadTxn();
    const end = meta.get('next') ?? 0;
    let position = start;
    while (position < end && !this.closed) {
      const batch = readBatch(records, position, end, DEFAULT_MAX_BATCH_SIZE);
      if (batch.length === 0) break;
      await handler(batch);
      position = Number(batch[batch.length - 1].position.offset) + 1;
    }
    if (this.closed && position < end) throw closedError();
  }

  /** The offset the next record will get = number of records. */
  endOffset(): number {
    this.store.root.resetReadTxn();
    return this.store.meta.get('next') ?? 0;
  }

  /** The committed position (next offset to deliver) of a group, or undefined when it never subscribed. */
  committedPosition(group: string): number | undefined {
    this.store.root.resetReadTxn();
    return this.store.groups.get(group);
  }

  async ping(): Promise<void> {
    if (this.closed) throw closedError();
    try {
      this.store.root.resetReadTxn();
      this.store.meta.get('next');
    } catch (error) {
      throw new EventLogException(EventLogErrorCode.UNAVAILABLE, 'The embedded event log does not answer', {
        cause: error,
      });
    }
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = (async () => {
      await Promise.all([...this.subscriptions].map((s) => s.close()));
      if (this.flushScheduled || this.pending.length > 0) this.flush();
      while (this.inflight.size > 0) await Promise.all([...this.inflight]);
      await releaseLmdbStore(this.store);
    })();
    return this.closing;
  }
}

function closedError(): EventLogException {
  return new EventLogException(EventLogErrorCode.CLOSED, 'The event log is closed');
}
