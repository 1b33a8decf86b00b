import type { LogPosition, LoggedEvent } from '../event-log.port';

/**
 * What the owner of streams folds: the state store (e.g. the facilitator's payment states) hands this to
 * StreamOwnership.start. Records of one partition arrive in log order; calls are sequential.
 */
export interface OwnedStreamsFold {
  /** Folds records of owned partitions (idempotent: a record may come twice after a reassignment). */
  fold(records: readonly LoggedEvent[]): void | Promise<void>;
  /**
   * Kafka mode: `partition` was (re)assigned to this process and is about to be folded again from `snapshot`'s
   * position (or from its beginning when `snapshot` is null). Forget what is known of the streams of that partition,
   * then restore `snapshot` (what `snapshot()` returned earlier). Synchronous on purpose: it runs inside the
   * assignment, before the first record of the partition is fetched.
   */
  reset?(partition: number, snapshot: unknown): void;
  /** The states of the partition's streams as one JSON-serializable value (snapshots; Kafka mode). */
  snapshot?(partition: number): unknown;
}

/**
 * Single writer per stream across processes. The owner of a stream is the only process that decides on it:
 *
 * - embedded log (`file:`): the process is the owner of everything; `start` folds the whole log once and writers
 *   fold their own appends (`fenced` is false: nothing to wait for after an append).
 * - Kafka: the owner is the consumer-group member holding the stream's partition. It follows its partitions
 *   (feeding every record to the fold, starting from a local snapshot), and a stream is claimable once its
 *   partition is assigned AND folded up to the high-water mark seen at assignment. `fenced` is true: after an
 *   append, a writer awaits `awaitFolded(position)` and checks that the log kept ITS facts (the log order is the
 *   arbiter when two processes believed they owned the partition during a rebalance).
 *
 * Failures are EventLogException: NOT_OWNER (retryable; details name the partition and the owner's URL when known),
 * NOT_READY (retryable: still catching up), CLOSED.
 */
export abstract class StreamOwnership {
  /** True when writers must not fold their own appends but await the log's order (Kafka mode). */
  abstract readonly fenced: boolean;

  /** Starts following the owned partitions; resolves once the first assignment is folded (or the log is, embedded). */
  abstract start(fold: OwnedStreamsFold): Promise<void>;

  /** Synchronous fast path: true when this process owns the stream and is caught up (a claim would succeed now). */
  abstract owns(streamId: string): boolean;

  /**
   * Resolves when this process owns the stream's partition and has folded it up to where it got it. Waits a bounded
   * time (≤ 2 s by default) during a rebalance or a catch-up, then rejects with NOT_OWNER / NOT_READY.
   */
  abstract claim(streamId: string): Promise<void>;

  /**
   * Resolves once the fold has passed `position` (an append of this process). Rejects with NOT_OWNER when the
   * partition is lost meanwhile or the fold does not get there within `timeoutMs`. Embedded: resolves at once.
   */
  abstract awaitFolded(position: LogPosition, timeoutMs?: number): Promise<void>;

  /** The partition of a stream id (always 0 in embedded mode). */
  abstract partitionOf(streamId: string): number;

  /** Partitions owned right now (caught up or not). */
  abstract ownedPartitions(): number[];

  /** Stops following (writes the snapshots of what it folded), releases the partitions. */
  abstract close(): Promise<void>;
}
