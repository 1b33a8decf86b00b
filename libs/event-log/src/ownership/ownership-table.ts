/** Where a partition stands for this process (see OwnershipTable.status). */
export type PartitionStatus =
  /** Assigned, lease fresh, folded up to the assignment's high-water mark: claims succeed. */
  | 'owned'
  /** Assigned, still folding up to the high-water mark seen at assignment (or that mark is not known yet). */
  | 'catching_up'
  /** Assigned, but no heartbeat answered within the lease: another member may hold it by now. */
  | 'lease_expired'
  /** A rebalance is under way (or the member lost the group): nothing is claimable until the next assignment. */
  | 'rebalancing'
  /** Another member holds it. */
  | 'not_owner'
  | 'closed';

interface Assigned {
  /** Catch-up target: the partition's high-water mark observed after the assignment (null: not fetched yet). */
  target: bigint | null;
}

/**
 * The ownership state machine of one consumer-group member, without any Kafka client (unit-tested with a fake
 * consumer). Inputs: rebalance started / member lost, joined with an assignment, catch-up targets fetched, records
 * folded, heartbeats answered, closed. Output: each partition's status, and change notifications for waiters.
 *
 * Folded positions (`next` offset to fold) survive a revocation: a partition kept across a rebalance continues
 * where it was; a partition newly assigned (or any partition after the member id changed, i.e. the member was
 * expelled and may have missed writes of another owner) is reported `fresh` and must be reset and refolded.
 */
export class OwnershipTable {
  private assigned = new Map<number, Assigned>();
  private previous = new Set<number>();
  private readonly next = new Map<number, bigint>();
  private memberId: string | null = null;
  private rebalancing = true;
  private closed = false;
  private lastAlive = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly leaseMs: number) {}

  /** A rebalance started: every claim fails until the member joined again (its assignment may change). */
  rebalanceStarted(): void {
    if (this.rebalancing) return;
    this.rebalancing = true;
    this.previous = new Set(this.assigned.keys());
    this.assigned = new Map();
    this.changed();
  }

  /** The member left or lost the group (crash, stop, expelled): the next assignment is entirely fresh. */
  lost(): void {
    this.rebalancing = true;
    this.previous = new Set();
    this.assigned = new Map();
    this.memberId = null;
    this.changed();
  }

  /**
   * The member joined a generation holding `partitions`. Returns the partitions that must be reset and folded
   * again (`fresh`), those that continue where their fold stands (`kept`), and those folded here before but not
   * assigned any more (`released`: their fold position is forgotten; drop their states).
   */
  joined(
    memberId: string,
    partitions: readonly number[],
    now: number,
  ): { fresh: number[]; kept: number[]; released: number[] } {
    const sameMember = this.memberId !== null && this.memberId === memberId;
    const fresh: number[] = [];
    const kept: number[] = [];
    const wasHeld = this.rebalancing ? this.previous : new Set(this.assigned.keys());
    for (const p of [...partitions].sort((a, b) => a - b)) {
      if (sameMember && wasHeld.has(p) && this.next.has(p)) kept.push(p);
      else fresh.push(p);
    }
    const assignedNow = new Set(partitions);
    const released = [...this.next.keys()].filter((p) => !assignedNow.has(p)).sort((a, b) => a - b);
    for (const p of released) this.next.delete(p);
    this.memberId = memberId;
    this.assigned = new Map(partitions.map((p) => [p, { target: null }]));
    this.previous = new Set();
    this.rebalancing = false;
    this.lastAlive = now;
    this.changed();
    return { fresh, kept, released };
  }

  /** Sets where a fresh partition's fold starts (a snapshot's offset, or 0 = its beginning). */
  startAt(partition: number, next: bigint): void {
    this.next.set(partition, next);
  }

  /**
   * Catch-up targets for the current assignment: `high` = the partition's high-water mark after the assignment;
   * `low` = its first retained offset (a fold below it has nothing to read, so it moves up to it).
   */
  targets(offsets: ReadonlyMap<number, { low: bigint; high: bigint }>): void {
    for (const [partition, a] of this.assigned) {
      const o = offsets.get(partition);
      if (!o) continue;
      a.target = o.high;
      if ((this.next.get(partition) ?? 0n) < o.low) this.next.set(partition, o.low);
    }
    this.changed();
  }

  /** Records up to `next - 1` of the partition are folded. */
  folded(partition: number, next: bigint): void {
    if ((this.next.get(partition) ?? 0n) >= next) return;
    this.next.set(partition, next);
    this.changed();
  }

  /** A heartbeat (or a join) was answered by the group coordinator at `now`. */
  alive(now: number): void {
    const wasExpired = now - this.lastAlive > this.leaseMs;
    this.lastAlive = now;
    if (wasExpired) this.changed();
  }

  close(): void {
    this.closed = true;
    this.assigned = new Map();
    this.changed();
  }

  isAssigned(partition: number): boolean {
    return this.assigned.has(partition);
  }

  /** The next offset to fold of a partition (undefined: never folded nor started). */
  position(partition: number): bigint | undefined {
    return this.next.get(partition);
  }

  /** Partitions with a known fold position (for snapshots). */
  positions(): ReadonlyMap<number, bigint> {
    return this.next;
  }

  assignedPartitions(): number[] {
    return [...this.assigned.keys()].sort((a, b) => a - b);
  }

  status(partition: number, now: number): PartitionStatus {
    if (this.closed) return 'closed';
    if (this.rebalancing) return 'rebalancing';
    const a = this.assigned.get(partition);
    if (!a) return 'not_owner';
    if (now - this.lastAlive > this.leaseMs) return 'lease_expired';
    if (a.target === null || (this.next.get(partition) ?? 0n) < a.target) return 'catching_up';
    return 'owned';
  }

  /** Subscribes to any change (assignment, fold progress, liveness regained); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
