import type { LogPosition, LoggedEvent } from '../event-log.port';
import { StreamOwnership, type OwnedStreamsFold } from './stream-ownership.port';

/** Longest a member's `start` waits for the other members to register their folds (a wiring bug otherwise). */
const REGISTRATION_TIMEOUT_MS = 120_000;

/**
 * One StreamOwnership (one writers' consumer group) shared by several state stores of one process, e.g. the
 * facilitator's payment states and the sessions' session / SIWx-nonce states. Each store gets a `member(key)` view and
 * calls `start(fold)` on it as it would on the ownership itself; once every expected member has registered its fold,
 * the inner ownership is started ONCE with a composite fold, and every member's `start` resolves with it.
 *
 * Composite fold: records go to every member in order; `reset(partition, snapshot)` resets every member with its
 * part; `snapshot(partition)` is `{ [key]: member.snapshot(partition) }` (JSON). A snapshot that lacks a member's part
 * is refused as a whole (the inner ownership then refolds the partition from its beginning): a member restored from
 * nothing at the snapshot's offset would miss every event before it.
 */
export class SharedStreamOwnership extends StreamOwnership {
  private readonly folds = new Map<string, OwnedStreamsFold>();
  private started: Promise<void> | null = null;
  private readonly waiting: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(
    private readonly inner: StreamOwnership,
    private readonly members: readonly string[],
  ) {
    super();
    if (members.length === 0 || new Set(members).size !== members.length) {
      throw new Error('SharedStreamOwnership needs distinct member keys');
    }
  }

  get fenced(): boolean {
    return this.inner.fenced;
  }

  /** The view a member store uses: `start(fold)` registers its fold; everything else is the shared ownership. */
  member(key: string): StreamOwnership {
    if (!this.members.includes(key)) throw new Error(`unknown ownership member ${key}`);
    return new MemberOwnership(this, (fold) => this.register(key, fold));
  }

  /** Starting the shared ownership directly is the single-member case: use `member(key).start` instead. */
  start(fold: OwnedStreamsFold): Promise<void> {
    if (this.members.length !== 1) {
      return Promise.reject(new Error('SharedStreamOwnership.start: start each member through member(key)'));
    }
    return this.register(this.members[0]!, fold);
  }

  owns(streamId: string): boolean {
    return this.inner.owns(streamId);
  }

  claim(streamId: string): Promise<void> {
    return this.inner.claim(streamId);
  }

  awaitFolded(position: LogPosition, timeoutMs?: number): Promise<void> {
    return this.inner.awaitFolded(position, timeoutMs);
  }

  partitionOf(streamId: string): number {
    return this.inner.partitionOf(streamId);
  }

  ownedPartitions(): number[] {
    return this.inner.ownedPartitions();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private register(key: string, fold: OwnedStreamsFold): Promise<void> {
    if (this.folds.has(key) || this.started) {
      return Promise.reject(new Error(`ownership member ${key} started twice`));
    }
    this.folds.set(key, fold);
    if (this.folds.size === this.members.length) {
      this.started = this.inner.start(compositeFold(this.members.map((k) => [k, this.folds.get(k)!])));
      for (const w of this.waiting.splice(0)) this.started.then(w.resolve, w.reject);
      return this.started;
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const missing = this.members.filter((k) => !this.folds.has(k));
        reject(new Error(`stream ownership members never started: ${missing.join(', ')}`));
      }, REGISTRATION_TIMEOUT_MS);
      timer.unref();
      const done = (settle: () => void) => () => {
        clearTimeout(timer);
        settle();
      };
      this.waiting.push({
        resolve: done(resolve),
        reject: (e) => done(() => reject(e))(),
      });
    });
  }
}

/** A member's view: its `start` registers the member's fold; the rest is the shared ownership. */
class MemberOwnership extends StreamOwnership {
  constructor(
    private readonly shared: StreamOwnership,
    private readonly register: (fold: OwnedStreamsFold) => Promise<void>,
  ) {
    super();
  }
  get fenced(): boolean {
    return this.shared.fenced;
  }
  start(fold: OwnedStreamsFold): Promise<void> {
    return this.register(fold);
  }
  owns(streamId: string): boolean {
    return this.shared.owns(streamId);
  }
  claim(streamId: string): Promise<void> {
    return this.shared.claim(streamId);
  }
  awaitFolded(position: LogPosition, timeoutMs?: number): Promise<void> {
    return this.shared.awaitFolded(position, timeoutMs);
  }
  partitionOf(streamId: string): number {
    return this.shared.partitionOf(streamId);
  }
  ownedPartitions(): number[] {
    return this.shared.ownedPartitions();
  }
  close(): Promise<void> {
    return this.shared.close();
  }
}

/** The fold of several members (see SharedStreamOwnership). */
export function compositeFold(members: ReadonlyArray<readonly [string, OwnedStreamsFold]>): OwnedStreamsFold {
  const all = members.map(([, f]) => f);
  const composite: OwnedStreamsFold = {
    fold: async (records: readonly LoggedEvent[]) => {
      for (const f of all) await f.fold(records);
    },
    reset: (partition, snapshot) => {
      if (snapshot === null || snapshot === undefined) {
        for (const f of all) f.reset?.(partition, null);
        return;
      }
      if (typeof snapshot !== 'object' || Array.isArray(snapshot)) throw new Error('not a composite snapshot');
      const parts = snapshot as Record<string, unknown>;
      const missing = members.filter(([key]) => parts[key] === null || parts[key] === undefined).map(([key]) => key);
      if (missing.length > 0) throw new Error(`snapshot lacks the part of ${missing.join(', ')}`);
      for (const [key, f] of members) f.reset?.(partition, parts[key]);
    },
  };
  if (all.every((f) => f.snapshot)) {
    composite.snapshot = (partition) => Object.fromEntries(members.map(([key, f]) => [key, f.snapshot!(partition)]));
  }
  return composite;
}
