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
  /** Upper bound of records handed to one handler call (default 1000, at most 100 000). */
  maxBatchSize?: number;
}

/**
 * A batch handler. Records of one partition arrive in log order. The log commits the batch's positions only after
 * the returned promise resolves (at-least-once into idempotent consumers: deduplicate by `envelope.id`). A rejection
 * leaves the positions uncommitted and the SAME batch is delivered again after a bounded backoff (logged) — a record
 * is never skipped; a poison record therefore blocks its partition until the handler accepts it.
 */
export type BatchHandler = (batch: LoggedEvent[]) => Promise<void>;

export interface Subscription {
  /** Stops fetching, waits for the in-flight batch to finish and commit, then resolves. */
  close(): Promise<void>;
}

/**
 * The EventLog port. Nothing above the adapters knows whether it has Kafka or the embedded log.
 * Adapters are chosen by EVENT_LOG_URL (see parseEventLogUrl / createEventLog):
 * `kafka://host:9092,host2:9092?topic=x402.events&partitions=6&replication=1&clientId=x402-ledger` or
 * `file:./data/log`. Failures are EventLogException with an EventLogErrorCode.
 */
export abstract class EventLog {
  /**
   * Appends envelopes. Resolves only once every record is durable (fsync'd / acks=all) and returns their positions
   * in input order. Ordering is guaranteed per streamId (the partition key): records of one stream are stored in
   * the order of the calls (and, within a call, of the array). Appending an envelope whose id is already in the
   * log is a no-op returning the original position (idempotent retry) where the adapter can tell: the embedded log
   * can, Kafka cannot (a retried append may then be stored twice; consumers deduplicate by id).
   * Rejects with APPEND_FAILED when durability is not confirmed (retry with the same ids), INVALID_ENVELOPE when an
   * envelope lacks what the log needs (nothing is written then), CLOSED after close().
   */
  abstract append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]>;

  /**
   * Consumes from the group's committed position; see BatchHandler for commit and retry semantics. Embedded log:
   * one consumer per group per process (GROUP_BUSY otherwise); Kafka: members of a group share the partitions.
   */
  abstract subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription>;

  /**
   * Reads every record from `from` (inclusive, per partition; partitions not named start at their beginning;
   * default: everything) up to the end as of the call, in log order per partition, without touching any group's
   * position. Handler calls are sequential; a handler rejection stops the replay and rejects with that error.
   */
  abstract replay(handler: BatchHandler, from?: LogPosition[]): Promise<void>;

  /** Liveness for /health/ready: rejects with UNAVAILABLE (or CLOSED) when the store / broker does not answer. */
  abstract ping(): Promise<void>;

  /** Closes subscriptions (each finishing its in-flight batch), waits for pending appends, releases resources. */
  abstract close(): Promise<void>;
}
