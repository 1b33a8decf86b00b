import { Kafka, logLevel, type Admin, type Message, type PartitionMetadata, type Producer } from 'kafkajs';
import type { EventEnvelope } from '@x402-ledger/ledger';
import type { BackoffOptions } from '../backoff';
import { checkBatchSize } from '../batch-size';
import { encodeEnvelope, envelopeProblem, eventHeaders } from '../envelope-codec';
import type { KafkaEventLogUrl } from '../event-log-url';
import { EventLogErrorCode, EventLogException } from '../event-log.exception';
import { nestEventLogLogger, type EventLogLogger } from '../event-log.logger';
import {
  EventLog,
  type BatchHandler,
  type LogPosition,
  type SubscribeOptions,
  type Subscription,
} from '../event-log.port';
import { kafkajsLogCreator } from './kafkajs-logger';
import { keyPartition } from './key-partition';
import { kafkaReplay } from './kafka-replay';
import { KafkaStreamOwnership, type KafkaStreamOwnershipOptions } from './kafka-stream-ownership';
import { KafkaSubscription } from './kafka-subscription';

/** Client-neutral tuning (no kafkajs types leak out of this folder). */
export interface KafkaEventLogOptions {
  logger?: EventLogLogger;
  /** Most events sent in one produce request (default 2000); appends arriving meanwhile wait for the next one. */
  maxBatchMessages?: number;
  /** Produce retries before an append fails with APPEND_FAILED (default 10, backoff 100 ms → 3 s: ≈ 20 s). */
  produceRetries?: number;
  /** Unacknowledged produce requests per connection (default 1: strict order even across retries). */
  maxInFlightRequests?: number;
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  consumer?: {
    /** Group session timeout (default 30 s; the broker's minimum is usually 6 s). */
    sessionTimeoutMs?: number;
    heartbeatIntervalMs?: number;
    rebalanceTimeoutMs?: number;
    /** Partitions handled in parallel by one subscription (default 1: one handler call at a time). */
    partitionsConsumedConcurrently?: number;
  };
  /** Backoff between redeliveries of a batch whose handler rejected (default 100 ms doubling to 5 s). */
  handlerRetry?: BackoffOptions;
}

const PARTITION_BATCH_BYTES = 900_000;
const RECORD_OVERHEAD = 200; // record framing + our four headers, rounded up

interface PendingAppend {
  /** Encoded and partitioned at append() time, while the previous produce request is in flight. */
  messages: Message[];
  /** Σ value sizes + per-record overhead: an upper bound of what any one partition receives from this append. */
  bytes: number;
  resolve: (positions: LogPosition[]) => void;
  reject: (error: unknown) => void;
}

/**
 * The Kafka adapter (kafkajs). One topic; key = streamId so a stream's events share a partition and stay in order.
 *
 * - append: appends queue while one produce request is in flight, then go out together as one `sendBatch`
 *   (idempotent producer, acks = all); the promise resolves with (partition, baseOffset + index) from the produce
 *   response. The partition is computed here with the Java client's murmur2 key partitioning (keyPartition), so positions map
 *   one-to-one. A failed produce rejects every append in it (APPEND_FAILED; some may still have been written — retry
 *   with the same ids, consumers deduplicate) and the producer is recreated (fresh producer id and sequences).
 *   Kafka cannot tell an event id is already in the log: re-appends are NOT deduplicated here.
 * - subscribe: a consumer group with manual commits of lastOffset + 1 after the handler resolves.
 * - replay: a throw-away group that reads every partition up to the high watermark taken at the call.
 *
 * Everything kafkajs-specific lives in this folder.
 */
export class KafkaEventLog extends EventLog {
  private readonly logger: EventLogLogger;
  private producer: Producer | null = null;
  private readonly pending: PendingAppend[] = [];
  /** The running pump, if any; cleared synchronously when it finds the queue empty (no append can slip by). */
  private pumping: Promise<void> | null = null;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly replays = new Set<Promise<void>>();
  private readonly ownerships = new Set<KafkaStreamOwnership>();
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly url: KafkaEventLogUrl,
    private readonly options: KafkaEventLogOptions,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly partitionMetadata: PartitionMetadata[],
    logger: EventLogLogger,
  ) {
    super();
    this.logger = logger;
  }

  /** Connects, creates the topic when missing (partitions / replication from the URL) and connects the producer. */
  static async connect(url: KafkaEventLogUrl, options: KafkaEventLogOptions = {}): Promise<KafkaEventLog> {
    const logger = options.logger ?? nestEventLogLogger();
    const kafka = new Kafka({
      clientId: url.clientId,
      brokers: url.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      logLevel: logLevel.INFO,
      logCreator: kafkajsLogCreator(logger),
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 3000 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: url.topic, numPartitions: url.partitions, replicationFactor: url.replication }],
      });
      const metadata = await admin.fetchTopicMetadata({ topics: [url.topic] });
      const partitions = metadata.topics[0]?.partitions ?? [];
      if (partitions.length === 0) throw new Error(`topic ${url.topic} has no partitions`);
      if (!created && partitions.length !== url.partitions) {
        logger.warn('Kafka topic exists with another partition count; using it as it is', {
          topic: url.topic,
          partitions: partitions.length,
          requested: url.partitions,
        });
      }
      const log = new KafkaEventLog(url, options, kafka, admin, sortedPartitions(partitions), logger);
      await log.ensureProducer();
      logger.info('Kafka event log connected', {
        brokers: url.brokers.join(','),
        topic: url.topic,
        partitions: partitions.length,
        created,
      });
      return log;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw new EventLogException(
        EventLogErrorCode.CONNECT_FAILED,
        `Cannot connect the Kafka event log (${url.brokers.join(',')}, topic ${url.topic}): ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  get topic(): string {
    return this.url.topic;
  }

  get partitionCount(): number {
    return this.partitionMetadata.length;
  }

  /** The partition an append puts a stream's events in (the Java client's murmur2 of the key). */
  partitionOf(streamId: string): number {
    return keyPartition(streamId, this.partitionMetadata.length);
  }

  /**
   * A StreamOwnership over this log's topic (consumer group `<topic>.writers` unless named): this process owns the
   * streams of the partitions the group assigns it. Closed with the log.
   */
  streamOwnership(options: KafkaStreamOwnershipOptions = {}): KafkaStreamOwnership {
    if (this.closed) throw closedError();
    const ownership = new KafkaStreamOwnership({
      kafka: this.kafka,
      admin: this.admin,
      topic: this.url.topic,
      partitionOf: (streamId) => this.partitionOf(streamId),
      logger: this.logger,
      options: { sessionTimeoutMs: this.options.consumer?.sessionTimeoutMs, ...options },
    });
    this.ownerships.add(ownership);
    return ownership;
  }

  private async ensureProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: this.options.maxInFlightRequests ?? 1,
      allowAutoTopicCreation: false,
      // append() has set every message's partition already (keyPartition, as the Java client would).
      createPartitioner:
        () =>
        ({ message }) =>
          message.partition as number,
      // Bounded on purpose: an append must fail (and be retried by its caller with the same ids) rather than hang
      // while the cluster is away. kafkajs warns that this weakens its exactly-once guarantee; we rely on ids.
      retry: { retries: this.options.produceRetries ?? 10, initialRetryTime: 100, maxRetryTime: 3000 },
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  private async resetProducer(): Promise<void> {
    const old = this.producer;
    this.producer = null;
    if (old) {
      await old.disconnect().catch((error: unknown) => {
        this.logger.warn('Kafka producer disconnect after a failed send failed', { error });
      });
    }
  }

  append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    if (this.closed) return Promise.reject(closedError());
    if (envelopes.length === 0) return Promise.resolve([]);
    const messages: Message[] = [];
    for (const e of envelopes) {
      const problem = envelopeProblem(e);
      if (problem !== null) {
        return Promise.reject(new EventLogException(EventLogErrorCode.INVALID_ENVELOPE, `Cannot append: ${problem}`));
      }
      let value: Buffer;
      try {
        value = encodeEnvelope(e);
      } catch (error) {
        return Promise.reject(
          new EventLogException(EventLogErrorCode.INVALID_ENVELOPE, `Cannot encode envelope ${e.id}`, { cause: error }),
        );
      }
      const message: Message = { key: e.streamId, value, headers: eventHeaders(e) };
      message.partition = this.partitionOf(e.streamId);
      messages.push(message);
    }
    // A big append goes out in several requests (in order, one after the other); it resolves when all are acked.
    const maxMessages = this.options.maxBatchMessages ?? 2000;
    const chunks: Array<{ messages: Message[]; bytes: number }> = [];
    let current: { messages: Message[]; bytes: number } = { messages: [], bytes: 0 };
    for (const m of messages) {
      const size = (m.value as Buffer).length + RECORD_OVERHEAD;
      const full = current.messages.length >= maxMessages || current.bytes + size > PARTITION_BATCH_BYTES;
      if (current.messages.length > 0 && full) {
        chunks.push(current);
        current = { messages: [], bytes: 0 };
      }
      current.messages.push(m);
      current.bytes += size;
    }
    chunks.push(current);
    const parts = chunks.map(
      (chunk) =>
        new Promise<LogPosition[]>((resolve, reject) => {
          this.pending.push({ ...chunk, resolve, reject });
        }),
    );
    if (!this.pumping) this.pumping = this.pump();
    return parts.length === 1 ? parts[0] : Promise.all(parts).then((all) => all.flat());
  }

  /**
   * One produce request at a time; whatever queued meanwhile goes in the next one, up to maxBatchMessages events and
   * ~900 kB per partition (kafkajs puts a partition's messages in ONE record batch, and brokers refuse batches over
   * message.max.bytes, 1 MB by default). A big append was already cut into pieces that fit by append().
   */
  private async pump(): Promise<void> {
    // try/finally in this one function: `pumping` is cleared in the same synchronous step that finds the queue
    // empty, so an append arriving afterwards always starts a new pump.
    try {
      await new Promise<void>((resolve) => setImmediate(resolve)); // gather this event-loop turn's appends
      const maxMessages = this.options.maxBatchMessages ?? 2000;
      while (this.pending.length > 0) {
        const batch: PendingAppend[] = [];
        const bytes = new Map<number, number>();
        let count = 0;
        while (this.pending.length > 0) {
          const next = this.pending[0];
          if (batch.length > 0) {
            if (count + next.messages.length > maxMessages) break;
            if (
              next.messages.some((m) => (bytes.get(m.partition as number) ?? 0) + next.bytes > PARTITION_BATCH_BYTES)
            ) {
              break;
            }
          }
          this.pending.shift();
          batch.push(next);
          count += next.messages.length;
          for (const m of next.messages) {
            const p = m.partition as number;
            bytes.set(p, (bytes.get(p) ?? 0) + (m.value as Buffer).length + RECORD_OVERHEAD);
          }
        }
        await this.send(batch, count); // never throws: failures reject the batch's appends
      }
    } finally {
      this.pumping = null;
    }
  }

  private async send(batch: PendingAppend[], count: number): Promise<void> {
    try {
      const messages = batch.length === 1 ? batch[0].messages : batch.flatMap((request) => request.messages);
      const producer = await this.ensureProducer();
      const results = await producer.sendBatch({ acks: -1, topicMessages: [{ topic: this.url.topic, messages }] });
      const base = new Map<number, bigint>();
      for (const r of results) {
        if (r.errorCode !== 0 || r.baseOffset === undefined) {
          throw new Error(`produce to partition ${r.partition} answered error code ${r.errorCode}`);
        }
        base.set(r.partition, BigInt(r.baseOffset));
      }
      // Within a partition, kafkajs keeps the input order: message k of partition p sits at baseOffset(p) + k.
      const used = new Map<number, bigint>();
      const positions = batch.map((request) =>
        request.messages.map(({ partition }) => {
          const p = partition as number;
          const index = used.get(p) ?? 0n;
          used.set(p, index + 1n);
          const b = base.get(p);
          if (b === undefined) throw new Error(`produce response lacks partition ${p}`);
          return { partition: p, offset: (b + index).toString() };
        }),
      );
      batch.forEach((request, k) => request.resolve(positions[k]));
    } catch (error) {
      this.logger.error('Kafka append failed', { topic: this.url.topic, events: count, error });
      const failure = new EventLogException(EventLogErrorCode.APPEND_FAILED, 'The append was not acknowledged', {
        cause: error,
      });
      for (const request of batch) request.reject(failure);
      await this.resetProducer();
    }
  }

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    if (this.closed) throw closedError();
    if (typeof options.group !== 'string' || options.group.length === 0 || options.group.length > 200) {
      throw new EventLogException(EventLogErrorCode.INVALID_ARGUMENT, 'group must be a non-empty string (≤ 200 chars)');
    }
    const subscription = new KafkaSubscription({
      kafka: this.kafka,
      topic: this.url.topic,
      group: options.group,
      fromBeginning: options.fromBeginning ?? true,
      maxBatchSize: checkBatchSize(options.maxBatchSize),
      handler,
      logger: this.logger,
      consumer: this.options.consumer ?? {},
      retry: this.options.handlerRetry ?? {},
      onClosed: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      this.subscriptions.delete(subscription);
      throw new EventLogException(
        EventLogErrorCode.CONNECT_FAILED,
        `Cannot start the Kafka consumer for group ${options.group}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return subscription;
  }

  async replay(handler: BatchHandler, from?: LogPosition[]): Promise<void> {
    if (this.closed) throw closedError();
    const run = kafkaReplay({
      kafka: this.kafka,
      admin: this.admin,
      topic: this.url.topic,
      clientId: this.url.clientId,
      from: from ?? [],
      handler,
      logger: this.logger,
      isClosed: () => this.closed,
    });
    this.replays.add(run);
    try {
      await run;
    } finally {
      this.replays.delete(run);
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw closedError();
    try {
      await this.admin.describeCluster();
    } catch (error) {
      throw new EventLogException(EventLogErrorCode.UNAVAILABLE, `Kafka does not answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = (async () => {
      await Promise.all([...this.ownerships].map((o) => o.close()));
      await Promise.all([...this.subscriptions].map((s) => s.close()));
      await Promise.allSettled([...this.replays]);
      while (this.pumping) await this.pumping;
      const producer = this.producer;
      this.producer = null;
      await producer?.disconnect();
      await this.admin.disconnect();
    })();
    return this.closing;
  }
}

function sortedPartitions(partitions: PartitionMetadata[]): PartitionMetadata[] {
  return [...partitions].sort((a, b) => a.partitionId - b.partitionId);
}

function closedError(): EventLogException {
  return new EventLogException(EventLogErrorCode.CLOSED, 'The event log is closed');
}
