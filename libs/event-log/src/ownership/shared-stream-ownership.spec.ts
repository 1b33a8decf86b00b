import type { LoggedEvent } from '../event-log.port';
import { SharedStreamOwnership } from './shared-stream-ownership';
import { StreamOwnership, type OwnedStreamsFold } from './stream-ownership.port';

class InnerOwnership extends StreamOwnership {
  readonly fenced = true;
  starts: OwnedStreamsFold[] = [];
  async start(fold: OwnedStreamsFold): Promise<void> {
    this.starts.push(fold);
  }
  owns(streamId: string): boolean {
    return streamId === 'mine';
  }
  async claim(): Promise<void> {}
  async awaitFolded(): Promise<void> {}
  partitionOf(): number {
    return 3;
  }
  ownedPartitions(): number[] {
    return [3];
  }
  async close(): Promise<void> {}
}

function recordingFold(name: string, log: string[]): OwnedStreamsFold {
  return {
    fold: (records) => void log.push(`${name}:fold:${records.length}`),
    reset: (partition, snapshot) => void log.push(`${name}:reset:${partition}:${JSON.stringify(snapshot)}`),
    snapshot: (partition) => ({ of: name, partition }),
  };
}

const record = { envelope: {}, position: { partition: 3, offset: '0' } } as unknown as LoggedEvent;

describe('SharedStreamOwnership', () => {
  it('starts the inner ownership once, when every member registered, with a composite fold', async () => {
    const inner = new InnerOwnership();
    const sut = new SharedStreamOwnership(inner, ['payments', 'sessions']);
    const log: string[] = [];
    let firstDone = false;
    const first = sut
      .member('payments')
      .start(recordingFold('payments', log))
      .then(() => (firstDone = true));
    await Promise.resolve();
    expect(inner.starts).toHaveLength(0);
    expect(firstDone).toBe(false);
    await sut.member('sessions').start(recordingFold('sessions', log));
    await first;
    expect(firstDone).toBe(true);
    expect(inner.starts).toHaveLength(1);
    const composite = inner.starts[0]!;

    await composite.fold([record]);
    expect(log).toEqual(['payments:fold:1', 'sessions:fold:1']);
    const snapshot = composite.snapshot!(3);
    expect(snapshot).toEqual({
      payments: { of: 'payments', partition: 3 },
      sessions: { of: 'sessions', partition: 3 },
    });
    log.length = 0;
    composite.reset!(3, JSON.parse(JSON.stringify(snapshot)));
    expect(log).toEqual([
      'payments:reset:3:{"of":"payments","partition":3}',
      'sessions:reset:3:{"of":"sessions","partition":3}',
    ]);
    // A snapshot without a member's part is refused as a whole (the partition is then refolded from its start).
    expect(() => composite.reset!(3, { payments: { of: 'payments' } })).toThrow(/sessions/);
    expect(() => composite.reset!(3, [1, 2])).toThrow(/composite/);
    log.length = 0;
    composite.reset!(3, null);
    expect(log).toEqual(['payments:reset:3:null', 'sessions:reset:3:null']);

    const member = sut.member('sessions');
    expect(member.fenced).toBe(true);
    expect(member.owns('mine')).toBe(true);
    expect(member.owns('other')).toBe(false);
    expect(member.partitionOf('x')).toBe(3);
    expect(member.ownedPartitions()).toEqual([3]);
  });

  it('refuses unknown members, a second start and duplicate keys', async () => {
    const inner = new InnerOwnership();
    expect(() => new SharedStreamOwnership(inner, ['a', 'a'])).toThrow(/distinct/);
    const sut = new SharedStreamOwnership(inner, ['a']);
    expect(() => sut.member('b')).toThrow(/unknown/);
    await sut.member('a').start(recordingFold('a', []));
    await expect(sut.member('a').start(recordingFold('a', []))).rejects.toThrow(/twice/);
    expect(inner.starts).toHaveLength(1);
  });
});
