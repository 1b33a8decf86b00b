import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEventLog,
  createStreamOwnership,
  EventLogErrorCode,
  SILENT_EVENT_LOG_LOGGER,
  type EventLog,
  type LoggedEvent,
  type OwnedStreamsFold,
  type StreamOwnership,
  type StreamOwnershipOptions,
} from '@x402-ledger/event-log';
import type { EventEnvelope } from '@x402-ledger/ledger';
import { sampleEnvelope } from '../../../libs/event-log/src/testing/sample-envelope';
import { testKafkaBrokers, uniqueTopic } from '../../setup/services';
import { until } from '../support/until';

jest.setTimeout(180_000);

const PARTITIONS = 6;
const kafkaUrl = (topic: string) =>
  `kafka://${testKafkaBrokers().join(',')}?topic=${topic}&partitions=${PARTITIONS}&replication=1&clientId=x402-ownership-test`;
const fast: StreamOwnershipOptions = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 300, claimWaitMs: 300 };

interface Kept {
  sequence: number;
  /** id + payload of the event kept at `sequence` (first in partition order). */
  last: string;
}

/** A fold like the payment states': per stream, keeps the first event of each sequence in log order. */
class StreamsFold implements OwnedStreamsFold {
  readonly streams = new Map<string, Kept>();
  readonly seen: LoggedEvent[] = [];
  readonly resets: Array<{ partition: number; snapshot: unknown }> = [];
  partitionOf: (streamId: string) => number = () => 0;

  fold(records: readonly LoggedEvent[]): void {
    for (const r of records) {
      this.seen.push(r);
      const s = this.streams.get(r.envelope.streamId) ?? { sequence: 0, last: '' };
      if (r.envelope.sequence <= s.sequence) continue;
      this.streams.set(r.envelope.streamId, { sequence: r.envelope.sequence, last: fingerprint(r.envelope) });
    }
  }
  reset(partition: number, snapshot: unknown): void {
    this.resets.push({ partition, snapshot });
    for (const id of [...this.streams.keys()]) if (this.partitionOf(id) === partition) this.streams.delete(id);
    for (const [id, kept] of (snapshot as Array<[string, Kept]> | null) ?? []) this.streams.set(id, kept);
  }
  snapshot(partition: number): unknown {
    return [...this.streams].filter(([id]) => this.partitionOf(id) === partition);
  }
}

/** Event id + payload (keys sorted: the log stores canonical JSON). */
const fingerprint = (e: EventEnvelope) =>
  `${e.id}|${JSON.stringify(Object.entries(e.data as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)))}`;

/** One stream key per partition (sampleEnvelope's streamId hashed with the log's own partitioner). */
function streamPerPartition(ownership: StreamOwnership, prefix: string): string[] {
  const found: Array<string | undefined> = Array.from({ length: PARTITIONS }, () => undefined);
  for (let i = 0; found.some((s) => s === undefined) && i < 10_000; i++) {
    const key = `${prefix}-${i}`;
    found[ownership.partitionOf(idOf(key))] ??= key;
  }
  return found as string[];
}

const idOf = (key: string) => sampleEnvelope(key, 1).streamId;

describe('Stream ownership on Kafka (real broker)', () => {
  const logs: EventLog[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(logs.map((l) => l.close()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function member(topic: string, options: StreamOwnershipOptions = {}) {
    const log = await createEventLog(kafkaUrl(topic), { logger: SILENT_EVENT_LOG_LOGGER });
    logs.push(log);
    const ownership = createStreamOwnership(log, { ...fast, ...options });
    const fold = new StreamsFold();
    fold.partitionOf = (id) => ownership.partitionOf(id);
    return { log, ownership, fold };
  }

  it('splits the partitions between two members; claims succeed only on the owner; the survivor takes over', async () => {
    const topic = uniqueTopic('own.split');
    const a = await member(topic, { advertisedUrl: 'http://127.0.0.1:1/a' });
    const b = await member(topic, { advertisedUrl: 'http://127.0.0.1:1/b' });
    const streams = streamPerPartition(a.ownership, 'split');
    // Events before either member starts, on every partition.
    await a.log.append(streams.map((s) => sampleEnvelope(s, 1)));

    await a.ownership.start(a.fold);
    await b.ownership.start(b.fold);
    await until(
      () => a.ownership.ownedPartitions().length + b.ownership.ownedPartitions().length === PARTITIONS,
      30_000,
      'the group to settle with both members',
    );
    const ownedByA = a.ownership.ownedPartitions();
    const ownedByB = b.ownership.ownedPartitions();
    expect(ownedByA.length).toBeGreaterThan(0);
    expect(ownedByB.length).toBeGreaterThan(0);
    expect([...ownedByA, ...ownedByB].sort()).toEqual([0, 1, 2, 3, 4, 5]);

    for (const [p, key] of streams.entries()) {
      const stream = idOf(key);
      const [owner, other, otherName] = ownedByA.includes(p) ? [a, b, 'a'] : [b, a, 'b'];
      await expect(owner.ownership.claim(stream)).resolves.toBeUndefined();
      expect(owner.ownership.owns(stream)).toBe(true);
      expect(other.ownership.owns(stream)).toBe(false);
      await expect(other.ownership.claim(stream)).rejects.toMatchObject({
        code: EventLogErrorCode.NOT_OWNER,
        details: { partition: p, ownerUrl: `http://127.0.0.1:1/${otherName}` },
      });
      // The owner folded the stream's history (caught up before the claim succeeded).
      expect(owner.fold.streams.get(stream)?.sequence).toBe(1);
    }

    // Appends are folded by the owner only; awaitFolded resolves once the fold passed the position.
    const positions = await a.log.append(streams.map((s) => sampleEnvelope(s, 2)));
    for (const position of positions) {
      const owner = ownedByA.includes(position.partition) ? a : b;
      await owner.ownership.awaitFolded(position, 10_000);
    }
    for (const [p, key] of streams.entries()) {
      const stream = idOf(key);
      const [owner, other] = ownedByA.includes(p) ? [a, b] : [b, a];
      expect(owner.fold.streams.get(stream)?.sequence).toBe(2);
      expect(other.fold.streams.has(stream)).toBe(false);
    }

    // One member leaves: the other gets every partition, catches up, and has seen every event.
    await b.log.close();
    await until(() => a.ownership.ownedPartitions().length === PARTITIONS, 30_000, 'a to own every partition');
    await Promise.all(streams.map((s) => a.ownership.claim(idOf(s))));
    for (const s of streams) expect(a.fold.streams.get(idOf(s))?.sequence).toBe(2);
    const ids = new Set(a.fold.seen.map((r) => r.envelope.id));
    expect(ids.size).toBe(streams.length * 2);
  });

  it('fences split brain by log order: two writers append the same sequence, exactly one finds its event kept', async () => {
    const topic = uniqueTopic('own.fence');
    // Two members of DIFFERENT groups: both believe they own every partition (the zombie case, made permanent).
    const a = await member(topic, { group: `${topic}.a` });
    const b = await member(topic, { group: `${topic}.b` });
    await Promise.all([a.ownership.start(a.fold), b.ownership.start(b.fold)]);
    const stream = idOf('fence-stream');
    await Promise.all([a.ownership.claim(stream), b.ownership.claim(stream)]);
    const [base] = await a.log.append([sampleEnvelope('fence-stream', 1)]);
    await Promise.all([a.ownership.awaitFolded(base), b.ownership.awaitFolded(base)]);

    for (let round = 2; round < 12; round++) {
      const mine = { ...sampleEnvelope('fence-stream', round), data: { writer: 'a', round } };
      const theirs = { ...sampleEnvelope('fence-stream', round), data: { writer: 'b', round } };
      expect(mine.id).toBe(theirs.id); // same stream, type and sequence: same deterministic id
      const [[pa], [pb]] = await Promise.all([a.log.append([mine]), b.log.append([theirs])]);
      await Promise.all([a.ownership.awaitFolded(pa), b.ownership.awaitFolded(pb)]);
      await Promise.all([a.ownership.awaitFolded(pb), b.ownership.awaitFolded(pa)]);
      const aKept = a.fold.streams.get(stream)?.last === fingerprint(mine);
      const bKept = b.fold.streams.get(stream)?.last === fingerprint(theirs);
      expect(aKept !== bKept).toBe(true); // exactly one writer wins the sequence
      // Both folds agree, and the winner is the first in partition order.
      expect(a.fold.streams.get(stream)).toEqual(b.fold.streams.get(stream));
      expect(aKept).toBe(BigInt(pa.offset) < BigInt(pb.offset));
    }
  });

  it('restarts from a snapshot: only the records after it are folded again', async () => {
    const topic = uniqueTopic('own.snap');
    const dir = mkdtempSync(join(tmpdir(), 'x402-own-snap-'));
    dirs.push(dir);
    const first = await member(topic, { snapshotDir: dir });
    const streams = streamPerPartition(first.ownership, 'snap');
    await first.log.append(streams.flatMap((s) => [sampleEnvelope(s, 1), sampleEnvelope(s, 2)]));
    await first.ownership.start(first.fold);
    await Promise.all(streams.map((s) => first.ownership.claim(idOf(s))));
    expect(first.fold.seen).toHaveLength(streams.length * 2);
    await first.log.close(); // writes the snapshots

    const appended = await (await member(topic)).log.append(streams.map((s) => sampleEnvelope(s, 3)));
    const second = await member(topic, { snapshotDir: dir });
    await second.ownership.start(second.fold);
    await Promise.all(streams.map((s) => second.ownership.claim(idOf(s))));
    // Restored from the snapshots (sequence 2 known), then folded only what followed them.
    expect(second.fold.resets.filter((r) => r.snapshot !== null)).toHaveLength(PARTITIONS);
    expect(second.fold.seen.map((r) => r.envelope.sequence)).toEqual(streams.map(() => 3));
    for (const s of streams) expect(second.fold.streams.get(idOf(s))?.sequence).toBe(3);
    expect(appended).toHaveLength(streams.length);
  });
});
