import {
  AssignerProtocol,
  PartitionAssigners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type PartitionAssigner,
} from 'kafkajs';
import { decodeEnvelope } from '../envelope-codec';
import { EventLogErrorCode, EventLogException } from '../event-log.exception';
import type { EventLogLogger } from '../event-log.logger';
import type { LogPosition, LoggedEvent } from '../event-log.port';
import { LmdbOwnershipSnapshots } from '../ownership/lmdb-ownership-snapshots';
import { OwnershipTable, type PartitionStatus } from '../ownership/ownership-table';
import { StreamOwnership, type OwnedStreamsFold } from '../ownership/stream-ownership.port';

/** Client-neutral options of the Kafka stream ownership (see KafkaEventLog.streamOwnership). */
export interface KafkaStreamOwnershipOptions {
  /** The writers' consumer group (default `<topic>.writers`). Every writer process of one log joins the same group. */
  group?: string;
  /** Folder of the LMDB partition snapshots (default: none — every assignment refolds its partitions from offset 0). */
  snapshotDir?: string | null;
  /** Snapshot a partition after this many folded records (default 10 000)… */
  snapshotEveryEvents?: number;
  /** …or once this long has passed since its last snapshot with records folded meanwhile (default 60 s). */
  snapshotEveryMs?: number;
  /** Longest a claim waits during a rebalance or a catch-up before NOT_OWNER / NOT_READY (default 2 s). */
  claimWaitMs?: number;
  /** This process's base URL, advertised to the group so that non-owners can name the owner (forwarding). */
  advertisedUrl?: string | null;
  /** Group session timeout (default 30 s; brokers' minimum is usually 6 s). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /**
   * A partition is claimable only while the coordinator answered a heartbeat within this window (default: half
   * the session timeout): a member cut off from the group stops deciding before the group can give its partitions
   * to another member.
   */
  leaseMs?: number;
  /** Longest start() waits for the first assignment to be caught up (default 120 s; then it resolves and warns). */
  startTimeoutMs?: number;
}

export interface KafkaStreamOwnershipParams {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  partitionOf: (streamId: string) => number;
  logger: EventLogLogger;
  options: KafkaStreamOwnershipOptions;
}

/**
 * StreamOwnership on a Kafka consumer group (`<topic>.writers`). The member holding a partition owns its streams:
 *
 * - on every assignment (GROUP_JOIN) each newly assigned partition is reset in the fold and sought to its local
 *   snapshot (or offset 0 → the earliest retained); partitions kept across the rebalance are sought to where their
 *   fold stands (nothing is ever committed: positions are local). The partition's high-water mark, fetched right
 *   after, is the catch-up target; until the fold reaches it, claims wait (bounded) and then fail NOT_READY.
 * - a rebalance (REBALANCING), a crash, a stop or a lease without an answered heartbeat makes every partition
 *   unclaimable at once.
 * - snapshots: every N records or T seconds per partition, and at close, the fold's `snapshot(partition)` is written
 *   to LMDB with the partition's next offset.
 */
export class KafkaStreamOwnership extends StreamOwnership {
  readonly fenced = true;
  private readonly table: OwnershipTable;
  private readonly group: string;
  private readonly claimWaitMs: number;
  private readonly snapshots: LmdbOwnershipSnapshots | null;
  private readonly sinceSnapshot = new Map<number, { events: number; at: number }>();
  private consumer: Consumer | null = null;
  private fold: OwnedStreamsFold | null = null;
  private generation = 0;
  private stopping = false;
  private closing: Promise<void> | null = null;
  private owners: { generation: number; byPartition: Map<number, string | null> } | null = null;

  constructor(private readonly p: KafkaStreamOwnershipParams) {
    super();
    const o = p.options;
    const session = o.sessionTimeoutMs ?? 30_000;
    this.table = new OwnershipTable(o.leaseMs ?? Math.floor(session / 2));
    this.group = o.group ?? `${p.topic}.writers`;
    this.claimWaitMs = o.claimWaitMs ?? 2000;
    this.snapshots = o.snapshotDir ? new LmdbOwnershipSnapshots(o.snapshotDir, p.topic, this.group, p.logger) : null;
  }

  get groupId(): string {
    return this.group;
  }

  async start(fold: OwnedStreamsFold): Promise<void> {
    if (this.consumer || this.stopping) {
      throw new EventLogException(EventLogErrorCode.INVALID_ARGUMENT, 'The stream ownership was already started');
    }
    this.fold = fold;
    const { kafka, topic, logger, options: o } = this.p;
    const consumer = kafka.consumer({
      groupId: this.group,
      sessionTimeout: o.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: o.heartbeatIntervalMs ?? 1000,
      rebalanceTimeout: o.rebalanceTimeoutMs ?? 30_000,
      maxWaitTimeInMs: 250, // short long-polls: the fold (and the writers awaiting it) see appends quickly
      allowAutoTopicCreation: false,
      partitionAssigners: [advertisingAssigner(o.advertisedUrl ?? null)],
      retry: {
        retries: 10,
        initialRetryTime: 100,
        maxRetryTime: 5000,
        restartOnFailure: async (error) => {
          logger.warn('Stream ownership consumer failed; restarting it', { group: this.group, error });
          return !this.stopping;
        },
      },
    });
    this.consumer = consumer;
    const e = consumer.events;
    consumer.on(e.GROUP_JOIN, (event) => this.onJoin(event.payload.memberId, event.payload.memberAssignment));
    consumer.on(e.REBALANCING, () => this.table.rebalanceStarted());
    consumer.on(e.HEARTBEAT, () => this.table.alive(Date.now()));
    consumer.on(e.CRASH, (event) => {
      logger.error('Stream ownership consumer crashed; its partitions are released', {
        group: this.group,
        error: event.payload.error,
      });
      this.table.lost();
    });
    consumer.on(e.STOP, () => this.table.lost());
    consumer.on(e.DISCONNECT, () => this.table.lost());

    const firstCaughtUp = this.waitFor(
      () => this.generation > 0 && this.table.assignedPartitions().every((q) => this.statusOf(q) === 'owned'),
      o.startTimeoutMs ?? 120_000,
    );
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.eachBatch(payload),
      });
    } catch (error) {
      this.stopping = true;
      await consumer.disconnect().catch(() => undefined);
      throw new EventLogException(
        EventLogErrorCode.CONNECT_FAILED,
        `Cannot join the writers' group ${this.group}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!(await firstCaughtUp)) {
      logger.warn('Stream ownership: the first assignment is not caught up yet; serving claims as it catches up', {
        group: this.group,
        partitions: this.table.assignedPartitions(),
      });
    }
  }

  /** Synchronous: runs inside kafkajs's join, before the first fetch of the generation (seeks take effect). */
  private onJoin(memberId: string, assignment: Record<string, number[]>): void {
    const { topic, logger } = this.p;
    const fold = this.fold as OwnedStreamsFold;
    const partitions = assignment[topic] ?? [];
    const positions = new Map(this.table.positions());
    const { fresh, kept, released } = this.table.joined(memberId, partitions, Date.now());
    const consumer = this.consumer as Consumer;
    for (const partition of released) {
      // Another member owns it now: snapshot what was folded here (consistent as of its position), then forget it.
      const next = positions.get(partition);
      if (this.snapshots && fold.snapshot && next !== undefined) {
        const data = fold.snapshot(partition);
        void this.snapshots
          .save({ partition, next, data })
          .catch((error: unknown) => logger.warn('Stream ownership: snapshot failed', { partition, error }));
      }
      fold.reset?.(partition, null);
      this.sinceSnapshot.delete(partition);
    }
    for (const partition of fresh) {
      let start = 0n;
      const snapshot = this.snapshots?.load(partition) ?? null;
      try {
        fold.reset?.(partition, snapshot ? snapshot.data : null);
        if (snapshot) start = snapshot.next;
      } catch (error) {
        logger.warn('Ignoring an ownership snapshot the fold refused; refolding the partition', { partition, error });
        fold.reset?.(partition, null);
      }
      this.table.startAt(partition, start);
      this.sinceSnapshot.set(partition, { events: 0, at: Date.now() });
      consumer.seek({ topic, partition, offset: start.toString() });
    }
    for (const partition of kept) {
      consumer.seek({ topic, partition, offset: (this.table.position(partition) ?? 0n).toString() });
    }
    this.generation += 1;
    const generation = this.generation;
    logger.info('Stream ownership: partitions assigned', { group: this.group, memberId, fresh, kept, released });
    void this.fetchTargets(generation);
  }

  /** The catch-up target of each assigned partition: its high-water mark right after the assignment. */
  private async fetchTargets(generation: number): Promise<void> {
    for (let attempt = 0; attempt < 10 && !this.stopping; attempt++) {
      try {
        const offsets = await this.p.admin.fetchTopicOffsets(this.p.topic);
        if (generation !== this.generation) return;
        this.table.targets(new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }])));
        return;
      } catch (error) {
        this.p.logger.warn('Stream ownership: cannot read the partitions high-water marks; retrying', { error });
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale, resolveOffset } = payload;
    const partition = batch.partition;
    if (this.stopping || !isRunning() || isStale() || !this.table.isAssigned(partition)) return;
    const from = this.table.position(partition) ?? 0n;
    const records: LoggedEvent[] = [];
    for (const m of batch.messages) {
      if (BigInt(m.offset) < from) continue; // folded already (a re-fetch after a seek)
      records.push({ envelope: decodeEnvelope(m.value ?? Buffer.alloc(0)), position: { partition, offset: m.offset } });
    }
    if (batch.messages.length === 0) return;
    if (records.length > 0) await (this.fold as OwnedStreamsFold).fold(records);
    const last = batch.messages[batch.messages.length - 1].offset;
    this.table.folded(partition, BigInt(last) + 1n);
    resolveOffset(last);
    const since = this.sinceSnapshot.get(partition) ?? { events: 0, at: Date.now() };
    since.events += records.length;
    this.sinceSnapshot.set(partition, since);
    const o = this.p.options;
    if (
      this.snapshots &&
      since.events > 0 &&
      (since.events >= (o.snapshotEveryEvents ?? 10_000) || Date.now() - since.at >= (o.snapshotEveryMs ?? 60_000))
    ) {
      await this.snapshot(partition);
    }
  }

  /** Writes the partition's snapshot as of its fold position (called between batches: the state is consistent). */
  private async snapshot(partition: number): Promise<void> {
    const next = this.table.position(partition);
    const fold = this.fold;
    if (!this.snapshots || next === undefined || !fold?.snapshot) return;
    try {
      await this.snapshots.save({ partition, next, data: fold.snapshot(partition) });
      this.sinceSnapshot.set(partition, { events: 0, at: Date.now() });
    } catch (error) {
      this.p.logger.warn('Stream ownership: snapshot failed (the next one retries)', { partition, error });
    }
  }

  private statusOf(partition: number): PartitionStatus {
    return this.table.status(partition, Date.now());
  }

  owns(streamId: string): boolean {
    return this.statusOf(this.p.partitionOf(streamId)) === 'owned';
  }

  async claim(streamId: string): Promise<void> {
    const partition = this.p.partitionOf(streamId);
    let status = this.statusOf(partition);
    if (status === 'owned') return;
    if (status === 'catching_up' || status === 'rebalancing' || status === 'lease_expired') {
      await this.waitFor(() => {
        status = this.statusOf(partition);
        return status === 'owned' || status === 'not_owner' || status === 'closed';
      }, this.claimWaitMs);
      status = this.statusOf(partition);
      if (status === 'owned') return;
    }
    if (status === 'closed') throw new EventLogException(EventLogErrorCode.CLOSED, 'The stream ownership is closed');
    if (status === 'catching_up') {
      throw new EventLogException(
        EventLogErrorCode.NOT_READY,
        `Partition ${partition} is still being folded here; retry shortly`,
        { details: { partition, ownerUrl: this.p.options.advertisedUrl ?? null, retryAfterMs: 1000 } },
      );
    }
    const ownerUrl = status === 'not_owner' ? await this.ownerUrl(partition) : null;
    throw new EventLogException(
      EventLogErrorCode.NOT_OWNER,
      `This process does not own partition ${partition} (${status}); retry${ownerUrl ? ` at ${ownerUrl}` : ''}`,
      { details: { partition, ownerUrl, retryAfterMs: 1000 } },
    );
  }

  async awaitFolded(position: LogPosition, timeoutMs = 5000): Promise<void> {
    const target = BigInt(position.offset) + 1n;
    const partition = position.partition;
    const folded = () => (this.table.position(partition) ?? 0n) >= target;
    const lost = () => {
      const s = this.statusOf(partition);
      return s === 'not_owner' || s === 'rebalancing' || s === 'closed';
    };
    if (folded()) return;
    const ok = await this.waitFor(() => folded() || lost(), timeoutMs);
    if (ok && folded()) return;
    throw new EventLogException(
      EventLogErrorCode.NOT_OWNER,
      `The fold of partition ${partition} did not pass offset ${position.offset} while this process owned it`,
      { details: { partition, retryAfterMs: 1000 } },
    );
  }

  partitionOf(streamId: string): number {
    return this.p.partitionOf(streamId);
  }

  ownedPartitions(): number[] {
    return this.table.assignedPartitions().filter((q) => this.statusOf(q) !== 'rebalancing');
  }

  /** The advertised URL of the member holding `partition` (from the group's metadata; cached per generation). */
  private async ownerUrl(partition: number): Promise<string | null> {
    try {
      if (!this.owners || this.owners.generation !== this.generation) {
        const generation = this.generation;
        const described = await this.p.admin.describeGroups([this.group]);
        const byPartition = new Map<number, string | null>();
        for (const member of described.groups[0]?.members ?? []) {
          if (member.memberAssignment.length === 0) continue;
          const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
          const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
          const url = metadata?.userData && metadata.userData.length > 0 ? metadata.userData.toString('utf8') : null;
          for (const q of assignment?.assignment[this.p.topic] ?? []) byPartition.set(q, url);
        }
        this.owners = { generation, byPartition };
      }
      return this.owners.byPartition.get(partition) ?? null;
    } catch (error) {
      this.p.logger.debug('Stream ownership: cannot describe the writers group', { error });
      return null;
    }
  }

  /** Resolves true once `cond()` holds (re-checked on every table change and every 100 ms), false after `ms`. */
  private waitFor(cond: () => boolean, ms: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (value: boolean) => {
        if (done) return;
        done = true;
        unsubscribe();
        clearInterval(poll);
        clearTimeout(timer);
        resolve(value);
      };
      const check = () => {
        if (cond()) finish(true);
      };
      const unsubscribe = this.table.onChange(check);
      const poll = setInterval(check, 100); // lease expiry is a matter of time, not of an event
      const timer = setTimeout(() => finish(cond()), ms);
    });
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.stopping = true;
    this.closing = (async () => {
      try {
        await this.consumer?.disconnect(); // waits for the in-flight batch
      } catch (error) {
        this.p.logger.warn('Stream ownership consumer disconnect failed', { error });
      }
      this.table.close();
      // The fold is consistent with each position now (no batch in flight): snapshot what was folded.
      for (const partition of this.table.positions().keys()) await this.snapshot(partition);
      await this.snapshots?.close();
    })();
    return this.closing;
  }
}

/** kafkajs's round-robin assignment, with this member's advertised URL in its group metadata (userData). */
function advertisingAssigner(url: string | null): PartitionAssigner {
  return (config) => {
    const base = PartitionAssigners.roundRobin(config);
    return {
      name: base.name,
      version: base.version,
      assign: (group) => base.assign.call(base, group),
      protocol: ({ topics }) => ({
        name: base.name,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: base.version,
          topics,
          userData: Buffer.from(url ?? '', 'utf8'),
        }),
      }),
    };
  };
}
