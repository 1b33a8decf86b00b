import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventLogLogger } from '../event-log.logger';
import { LmdbOwnershipSnapshots } from './lmdb-ownership-snapshots';

describe('LmdbOwnershipSnapshots', () => {
  let dir: string;
  let warnings: string[];
  let sut: LmdbOwnershipSnapshots;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'x402-own-snapshots-'));
    warnings = [];
    const logger = { warn: (m: string) => void warnings.push(m) } as unknown as EventLogLogger;
    sut = new LmdbOwnershipSnapshots(dir, 'topic', 'topic.writers', logger);
  });

  afterEach(async () => {
    await sut.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips a partition snapshot with its next offset', async () => {
    await sut.save({ partition: 3, next: 12345678901234567890n, data: { states: [['s', { sequence: 2 }]] } });
    expect(sut.load(3)).toEqual({
      partition: 3,
      next: 12345678901234567890n,
      data: { states: [['s', { sequence: 2 }]] },
    });
    expect(sut.load(4)).toBeNull();
  });

  it('ignores (and logs) a snapshot that does not decode or has another format version', async () => {
    await sut.saveRaw(0, '{not json');
    await sut.saveRaw(
      1,
      JSON.stringify({ v: 99, topic: 'topic', group: 'topic.writers', partition: 1, next: '5', data: {} }),
    );
    await sut.saveRaw(
      2,
      JSON.stringify({ v: 1, topic: 'other', group: 'topic.writers', partition: 2, next: '5', data: {} }),
    );
    expect([sut.load(0), sut.load(1), sut.load(2)]).toEqual([null, null, null]);
    expect(warnings).toHaveLength(3);
  });
});
