import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { backoffDelay, WakeableSleep, type BackoffOptions } from '../backoff';
import { decodeEnvelope } from '../envelope-codec';
import type { EventLogLogger } from '../event-log.logger';
import type { BatchHandler, LoggedEvent, Subscription } from '../event-log.port';
import type { KafkaEventLogOptions } from './kafka-event-log';

export interface KafkaSubscriptionParams {
  kafka: Kafka;
  topic: string;
  group: string;
  fromBeginning: boolean;
  maxBatchSize: number;
  handler: BatchHandler;
  logger: EventLogLogger;
  consumer: NonNullable<KafkaEventLogOptions['consumer']>;
  retry: BackoffOptions;
  onClosed: (s: KafkaSubscription) => void;
}

/**
 * A consumer-group member: kafkajs `eachBatch` with autoCommit off and eachBatchAutoResolve off. Each fetched batch
 * is cut into chunks of at most maxBatchSize; a chunk goes to the handler (heartbeating meanwhile), and only after
 * the handler resolved is `lastOffset + 1` committed for that partition. A rejected handler gets the same chunk
 * again after a bounded backoff (never skipped); when the partition is revoked meanwhile (rebalance) or the
 * subscription closes, the chunk is left uncommitted and the partition's next owner gets it again.
 */
export class KafkaSubscription implements Subscription {
  private consumer: Consumer | null = null;
  private stopping = false;
  private readonly sleeper = new WakeableSleep();
  private closePromise: Promise<void> | null = null;

  constructor(private readonly p: KafkaSubscriptionParams) {}

  async start(): Promise<void> {
    const { kafka, topic, group, fromBeginning, consumer: c, logger } = this.p;
    const consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: c.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: c.heartbeatIntervalMs ?? 3000,
      rebalanceTimeout: c.rebalanceTimeoutMs ?? 60_000,
      allowAutoTopicCreation: false,
      // Fetch about a handler batch per partition (kafkajs defaults to 1 MiB ≈ 750 envelopes): batching consumers
      // such as the projector pay a fixed cost per handler call. ~2 KiB per envelope, bounded to 1–32 MiB.
      maxBytesPerPartition: Math.min(32, Math.max(1, Math.ceil((this.p.maxBatchSize * 2048) / 1048576))) * 1048576,
      maxBytes: 64 * 1048576,
      retry: {
        retries: 10,
        initialRetryTime: 100,
        maxRetryTime: 5000,
        // Keep consuming after transient failures (broker restarts, commits during a rebalance): kafkajs restarts
        // the member, which resumes from the committed offsets.
        restartOnFailure: async (error) => {
          logger.warn('Kafka consumer failed; restarting it', { group, error });
          return !this.stopping;
        },
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      logger.error('Kafka consumer crashed', {
        group,
        restart: event.payload.restart,
        error: event.payload.error,
      });
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: c.partitionsConsumedConcurrently ?? 1,
        eachBatch: (payload) => this.eachBatch(payload),
      });
    } catch (error) {
      this.stopping = true;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const { topic, group, handler, logger, maxBatchSize } = this.p;
    const live = () => !this.stopping && isRunning() && !isStale();
    for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
      if (!live()) return;
      const chunk = batch.messages.slice(start, start + maxBatchSize);
      let failures = 0;
      for (;;) {
        try {
          const events: LoggedEvent[] = chunk.map((m) => ({
            envelope: decodeEnvelope(m.value ?? Buffer.alloc(0)),
            position: { partition: batch.partition, offset: m.offset },
          }));
          await this.withHeartbeats(heartbeat, () => handler(events));
          break;
        } catch (error) {
          if (!live()) return; // uncommitted: redelivered to whoever owns the partition next
          const delay = backoffDelay(failures++, this.p.retry);
          logger.warn('Event handler failed; redelivering the same batch', {
            group,
            partition: batch.partition,
            firstOffset: chunk[0].offset,
            attempt: failures,
            retryInMs: delay,
            error,
          });
          await this.withHeartbeats(heartbeat, () => this.sleeper.sleep(delay));
        }
      }
      const last = chunk[chunk.length - 1].offset;
      resolveOffset(last);
      await (this.consumer as Consumer).commitOffsets([
        { topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
    }
  }

  /** Heartbeats while a long handler (or a retry backoff) runs, so the member keeps its partitions. */
  private async withHeartbeats<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const every = Math.max(500, this.p.consumer.heartbeatIntervalMs ?? 3000);
    const timer = setInterval(() => {
      heartbeat().catch((error: unknown) => this.p.logger.debug('Kafka heartbeat failed', { error }));
    }, every);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.stopping = true;
    this.sleeper.wake();
    this.closePromise = (async () => {
      try {
        await this.consumer?.disconnect(); // waits for the in-flight batch (and its commit) to finish
      } finally {
        this.p.onClosed(this);
      }
    })();
    return this.closePromise;
  }
}
