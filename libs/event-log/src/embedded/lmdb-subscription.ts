import { backoffDelay, WakeableSleep, type BackoffOptions } from '../backoff';
import type { EventLogLogger } from '../event-log.logger';
import type { BatchHandler, Subscription } from '../event-log.port';
import { readBatch, type LmdbStore } from './lmdb-store';

export interface LmdbSubscriptionParams {
  store: LmdbStore;
  group: string;
  /** Committed position: the next offset to deliver. */
  start: number;
  maxBatchSize: number;
  handler: BatchHandler;
  logger: EventLogLogger;
  pollIntervalMs: number;
  retry: BackoffOptions;
  onClosed: (s: LmdbSubscription) => void;
}

/**
 * One consumer of a group on the embedded log: read a batch from the committed position, hand it to the handler,
 * and only when the handler resolved store the next position (same LMDB environment, fsync'd). A rejected handler
 * gets the SAME batch again after a bounded backoff — records are never skipped.
 */
export class LmdbSubscription implements Subscription {
  private position: number;
  private stopping = false;
  private readonly sleeper = new WakeableSleep();
  private loop: Promise<void> | null = null;
  private readonly onAppended = () => this.sleeper.wake();
  private closePromise: Promise<void> | null = null;

  constructor(private readonly p: LmdbSubscriptionParams) {
    this.position = p.start;
  }

  start(): void {
    this.p.store.signal.on('appended', this.onAppended);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const { store, group, handler, logger, maxBatchSize } = this.p;
    let failures = 0;
    while (!this.stopping) {
      let delivered = false;
      try {
        store.root.resetReadTxn(); // see what other processes committed
        const end = store.meta.get('next') ?? 0;
        if (this.position < end) {
          const batch = readBatch(store.records, this.position, end, maxBatchSize);
          if (batch.length > 0) {
            await handler(batch);
            const next = Number(batch[batch.length - 1].position.offset) + 1;
            await store.groups.put(group, next);
            await store.root.flushed;
            this.position = next;
            delivered = true;
            failures = 0;
          }
        }
      } catch (error) {
        if (this.stopping) break;
        const delay = backoffDelay(failures++, this.p.retry);
        logger.warn('Event handler failed; redelivering the same batch', {
          group,
          position: this.position,
          attempt: failures,
          retryInMs: delay,
          error,
        });
        await this.sleeper.sleep(delay);
        continue;
      }
      if (!delivered && !this.stopping) await this.sleeper.sleep(this.p.pollIntervalMs);
    }
  }

  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.stopping = true;
    this.p.store.signal.off('appended', this.onAppended);
    this.sleeper.wake();
    this.closePromise = (this.loop ?? Promise.resolve()).then(() => this.p.onClosed(this));
    return this.closePromise;
  }
}
