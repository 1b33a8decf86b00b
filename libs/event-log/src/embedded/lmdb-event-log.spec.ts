import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open as lmdbOpen } from 'lmdb';
import { EventLogErrorCode, EventLogException } from '../event-log.exception';
import { SILENT_EVENT_LOG_LOGGER } from '../event-log.logger';
import type { LoggedEvent } from '../event-log.port';
import { sampleEnvelope } from '../testing/sample-envelope';
import { LmdbEventLog } from './lmdb-event-log';

const until = async (cond: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('LmdbEventLog', () => {
  let dir: string;
  let sut: LmdbEventLog;
  const open = () => LmdbEventLog.open(dir, { logger: SILENT_EVENT_LOG_LOGGER, pollIntervalMs: 10 });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'x402-lmdb-log-'));
    sut = open();
  });

  afterEach(async () => {
    await sut.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('assigns gap-free offsets in input order and replays the envelopes as appended', async () => {
    const a = [sampleEnvelope('a', 1), sampleEnvelope('a', 2)];
    const b = [sampleEnvelope('b', 1)];
    const [pa, pb] = await Promise.all([sut.append(a), sut.append(b)]);
    expect(pa).toEqual([
      { partition: 0, offset: '0' },
      { partition: 0, offset: '1' },
    ]);
    expect(pb).toEqual([{ partition: 0, offset: '2' }]);

    const seen: LoggedEvent[] = [];
    await sut.replay(async (batch) => void seen.push(...batch));
    expect(seen.map((e) => e.envelope)).toEqual([...a, ...b]);
    expect(seen.map((e) => e.position.offset)).toEqual(['0', '1', '2']);
  });

  it('returns the original position for an id already in the log and writes nothing', async () => {
    const e1 = sampleEnvelope('s', 1);
    const e2 = sampleEnvelope('s', 2);
    await sut.append([e1, e2]);
    const again = await sut.append([e2, sampleEnvelope('s', 3), e2]);
    expect(again).toEqual([
      { partition: 0, offset: '1' },
      { partition: 0, offset: '2' },
      { partition: 0, offset: '1' },
    ]);
    expect(sut.endOffset()).toBe(3);
  });

  it('rejects envelopes the log cannot key, with a typed error and without writing', async () => {
    const bad = { ...sampleEnvelope('x', 1), id: 'not-hex' };
    await expect(sut.append([sampleEnvelope('x', 2), bad])).rejects.toMatchObject({
      code: EventLogErrorCode.INVALID_ENVELOPE,
    });
    expect(sut.endOffset()).toBe(0);
  });

  it('stores only the envelope members', async () => {
    const withExtra = { ...sampleEnvelope('x', 1), extra: 'dropped' };
    await sut.append([withExtra]);
    const seen: LoggedEvent[] = [];
    await sut.replay(async (batch) => void seen.push(...batch));
    expect(seen[0].envelope).toEqual(sampleEnvelope('x', 1));
  });

  it('replays from a position and only up to the end as of the call', async () => {
    await sut.append(Array.from({ length: 10 }, (_, i) => sampleEnvelope('r', i + 1)));
    const offsets: string[] = [];
    await sut.replay(
      async (batch) => {
        offsets.push(...batch.map((e) => e.position.offset));
        if (offsets.length === 7) await sut.append([sampleEnvelope('r', 11)]); // after the call: not replayed
      },
      [{ partition: 0, offset: '3' }],
    );
    expect(offsets).toEqual(['3', '4', '5', '6', '7', '8', '9']);
    await expect(sut.replay(async () => undefined, [{ partition: 1, offset: '0' }])).rejects.toMatchObject({
      code: EventLogErrorCode.INVALID_ARGUMENT,
    });
  });

  it('delivers to a group in order, commits after the handler, and resumes from the committed position', async () => {
    await sut.append(Array.from({ length: 25 }, (_, i) => sampleEnvelope('g', i + 1)));
    const got: number[] = [];
    const sub = await sut.subscribe({ group: 'proj', maxBatchSize: 10 }, async (batch) => {
      expect(batch.length).toBeLessThanOrEqual(10);
      got.push(...batch.map((e) => e.envelope.sequence));
    });
    await until(() => got.length === 25);
    await sut.append([sampleEnvelope('g', 26)]);
    await until(() => got.length === 26); // woken by the local append
    await sub.close();
    expect(got).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(sut.committedPosition('proj')).toBe(26);

    await sut.append([sampleEnvelope('g', 27)]);
    const after: number[] = [];
    const sub2 = await sut.subscribe(
      { group: 'proj' },
      async (batch) => void after.push(...batch.map((e) => e.envelope.sequence)),
    );
    await until(() => after.length === 1);
    await sub2.close();
    expect(after).toEqual([27]);
  });

  it('redelivers the same batch after a handler rejection and never skips it', async () => {
    await sut.append([sampleEnvelope('f', 1), sampleEnvelope('f', 2)]);
    const fast = LmdbEventLog.open(dir, {
      logger: SILENT_EVENT_LOG_LOGGER,
      pollIntervalMs: 10,
      handlerRetry: { initialMs: 5, maxMs: 20 },
    });
    const calls: string[][] = [];
    let failuresLeft = 3;
    const sub = await fast.subscribe({ group: 'flaky' }, async (batch) => {
      calls.push(batch.map((e) => e.position.offset));
      if (failuresLeft-- > 0) throw new Error('transient');
    });
    await until(() => calls.length === 4);
    await sub.close();
    await fast.close();
    expect(calls).toEqual([
      ['0', '1'],
      ['0', '1'],
      ['0', '1'],
      ['0', '1'],
    ]);
    expect(sut.committedPosition('flaky')).toBe(2);
  });

  it('close() waits for the in-flight batch and commits it', async () => {
    await sut.append([sampleEnvelope('c', 1)]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    const sub = await sut.subscribe({ group: 'slow' }, async () => {
      started = true;
      await gate;
    });
    await until(() => started);
    const closing = sub.close();
    setTimeout(release, 30);
    await closing;
    expect(sut.committedPosition('slow')).toBe(1);
  });

  it('starts a group at the end when fromBeginning is false, and remembers that start', async () => {
    await sut.append([sampleEnvelope('l', 1)]);
    const got: number[] = [];
    const sub = await sut.subscribe({ group: 'late', fromBeginning: false }, async (b) => {
      got.push(...b.map((e) => e.envelope.sequence));
    });
    expect(sut.committedPosition('late')).toBe(1);
    await sut.append([sampleEnvelope('l', 2)]);
    await until(() => got.length === 1);
    await sub.close();
    expect(got).toEqual([2]);
  });

  it('allows one consumer per group per process', async () => {
    const sub = await sut.subscribe({ group: 'one' }, async () => undefined);
    const other = open(); // same folder, same process: shares the environment
    await expect(other.subscribe({ group: 'one' }, async () => undefined)).rejects.toMatchObject({
      code: EventLogErrorCode.GROUP_BUSY,
    });
    await sub.close();
    const again = await other.subscribe({ group: 'one' }, async () => undefined);
    await again.close();
    await other.close();
  });

  it('keeps acknowledged records across close and reopen', async () => {
    const positions = await sut.append(Array.from({ length: 100 }, (_, i) => sampleEnvelope('p', i + 1)));
    expect(positions[99]).toEqual({ partition: 0, offset: '99' });
    await sut.close();
    sut = open();
    expect(sut.endOffset()).toBe(100);
    const more = await sut.append([sampleEnvelope('p', 101)]);
    expect(more).toEqual([{ partition: 0, offset: '100' }]);
  });

  it('stays idempotent after a restart: the id index is rebuilt from the stored ids', async () => {
    const first = Array.from({ length: 300 }, (_, i) => sampleEnvelope('i', i + 1));
    await sut.append(first);
    await sut.close();
    sut = open();
    const again = await sut.append([first[299], sampleEnvelope('i', 301), first[0], first[150]]);
    expect(again.map((p) => p.offset)).toEqual(['299', '300', '0', '150']);
    expect(sut.endOffset()).toBe(301);
  });

  it('writes nothing of a batch whose transaction fails, and stays idempotent afterwards', async () => {
    await sut.append([sampleEnvelope('t', 1)]);
    // MessagePack cannot hold this number: the put throws in the middle of the transaction.
    const unstorable = { ...sampleEnvelope('t', 3), data: { amount: 2n ** 70n } };
    const failing = sut.append([sampleEnvelope('t', 2), unstorable]);
    const alongside = sut.append([sampleEnvelope('t', 1)]); // same transaction batch, fails with it
    await expect(failing).rejects.toMatchObject({ code: EventLogErrorCode.APPEND_FAILED });
    await expect(alongside).rejects.toMatchObject({ code: EventLogErrorCode.APPEND_FAILED });
    expect(sut.endOffset()).toBe(1);
    const after = await sut.append([sampleEnvelope('t', 2), sampleEnvelope('t', 1), sampleEnvelope('t', 2)]);
    expect(after.map((p) => p.offset)).toEqual(['1', '0', '1']);
    const seen: LoggedEvent[] = [];
    await sut.replay(async (batch) => void seen.push(...batch));
    expect(seen.map((e) => e.envelope.sequence)).toEqual([1, 2]);
  });

  it('sees ids another handle on the same folder appended (one shared index per process)', async () => {
    const other = open();
    const [a] = await other.append([sampleEnvelope('o', 1)]);
    expect(await sut.append([sampleEnvelope('o', 2), sampleEnvelope('o', 1)])).toEqual([
      { partition: 0, offset: '1' },
      a,
    ]);
    await other.close();
  });

  it('sees ids another PROCESS appended: the index catches up inside the write transaction', async () => {
    await sut.append([sampleEnvelope('m', 1)]); // index loaded: this process now only catches up
    const theirs = [sampleEnvelope('m', 2), sampleEnvelope('m', 3)];
    // Another process writes as this build does: records + idLog + next, in one transaction.
    const script = `
      const { open } = require('lmdb');
      const [path, json] = process.argv.slice(1);
      const root = open({ path, maxDbs: 8, noMemInit: true, overlappingSync: false });
      const records = root.openDB('records', { sharedStructuresKey: Symbol.for('structures') });
      const idLog = root.openDB('idLog', { encoding: 'binary' });
      const meta = root.openDB('meta', { encoding: 'ordered-binary' });
      root.transactionSync(() => {
        let next = meta.get('next');
        for (const e of JSON.parse(json)) {
          records.putSync(next, e);
          idLog.putSync(next, Buffer.from(e.id, 'hex'));
          next++;
        }
        meta.putSync('next', next);
      });
      root.close();`;
    execFileSync(process.execPath, ['-e', script, dir, JSON.stringify(theirs)], { cwd: process.cwd() });
    expect(await sut.append([theirs[1], sampleEnvelope('m', 4), theirs[0]])).toEqual([
      { partition: 0, offset: '2' },
      { partition: 0, offset: '3' },
      { partition: 0, offset: '1' },
    ]);
  });

  it('converts a format-1 folder (ids B-tree) on open and stays idempotent', async () => {
    const old = mkdtempSync(join(tmpdir(), 'x402-lmdb-v1-'));
    try {
      const envelopes = Array.from({ length: 5 }, (_, i) => sampleEnvelope('v1', i + 1));
      const root = lmdbOpen({ path: old, maxDbs: 8, noMemInit: true, overlappingSync: false });
      const records = root.openDB('records', { sharedStructuresKey: Symbol.for('structures') });
      const ids = root.openDB('ids', { encoding: 'ordered-binary' });
      const meta = root.openDB('meta', { encoding: 'ordered-binary' });
      root.transactionSync(() => {
        envelopes.forEach((e, offset) => {
          records.putSync(offset, e);
          ids.putSync(e.id, offset);
        });
        meta.putSync('next', envelopes.length);
        meta.putSync('format', 1);
      });
      await root.close();

      const converted = LmdbEventLog.open(old, { logger: SILENT_EVENT_LOG_LOGGER });
      try {
        expect(await converted.append([envelopes[3], sampleEnvelope('v1', 6)])).toEqual([
          { partition: 0, offset: '3' },
          { partition: 0, offset: '5' },
        ]);
        const seen: LoggedEvent[] = [];
        await converted.replay(async (batch) => void seen.push(...batch));
        expect(seen.map((e) => e.envelope.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      } finally {
        await converted.close();
      }
      const reopened = lmdbOpen({ path: old, maxDbs: 8 });
      const format = reopened.openDB<number, string>('meta', { encoding: 'ordered-binary' }).get('format');
      await reopened.close();
      expect(format).toBe(2);
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });

  it('refuses work after close with CLOSED', async () => {
    await sut.close();
    const error = await sut.append([sampleEnvelope('z', 1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventLogException);
    expect((error as EventLogException).code).toBe(EventLogErrorCode.CLOSED);
    await expect(sut.ping()).rejects.toMatchObject({ code: EventLogErrorCode.CLOSED });
    sut = open();
    await expect(sut.ping()).resolves.toBeUndefined();
  });
});
