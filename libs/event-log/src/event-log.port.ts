import type { EventEnvelope } from '@x402-ledger/ledger';

/** Where a record sits in the log. Embedded log: one partition (0), offset = global position. Kafka: partition/offset. */
export interface LogPosition {
  partition: number;
  offset: string; // decimal string: Kafka offsets are int64
}

export interface LoggedEvent {
  envelope: EventEnvelope;
  position: LogPosition;
}

export interface SubscribeOptions {
  /** Consumer group; its committed positions are stored by the log (Kafka group offsets / embedded store). */
  group: string;
  /** Start from the earliest record when the group has no committed position (default true). */
  fromBeginning?: boolean;
  /** Upper bound of records handed to one handler call (default 1000). */
  maxBatchSize?: number;
}

/**
 * A batch handler. The log commits the batch's positions only after the returned promise resolves (at-least-once
 * into idempotent consumers). A rejection leaves the positions uncommitted; the batch is redelivered.
 */
export type BatchHandler = (batch: LoggedEvent[]) => Promise<void>;

export interface Subscription {
  /** Stops fetching, waits for the in-flight batch to finish and commit, then resolves. */
  close(): Promise<void>;
}

/**
 * The EventLog port. Nothing above the adapters knows whether it has Kafka or the embedded log.
 * Adapters are chosen by EVENT_LOG_URL: `kafka://host:9092,host2:9092?topic=x402.events` or `file:./data/log`.
 */
export abstract class EventLog {
  /**
   * Appends envelopes. Resolves only once every record is durable (fsync'd / acks=all) and returns their positions
   * in input order. Ordering is guaranteed per streamId (the partition key). Appending an envelope whose id is
   * already in the log is a no-op returning the original position (idempotent retry) where the adapter can tell.
   */
  abstract append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]>;

  /** Consumes from the group's committed position; see BatchHandler for commit semantics. */
  abstract subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription>;

  /**
   * Reads every record from `from` (inclusive; default: the beginning) up to the end as of the call, in log
   * order per partition, without touching any group's position.
   */
  abstract replay(handler: BatchHandler, from?: LogPosition[]): Promise<void>;

  /** Liveness for /health/ready. */
  abstract ping(): Promise<void>;

  /** Flushes and releases resources. */
  abstract close(): Promise<void>;
}
