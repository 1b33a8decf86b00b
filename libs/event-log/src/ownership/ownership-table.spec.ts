import { OwnershipTable } from './ownership-table';

describe('OwnershipTable', () => {
  const LEASE = 1000;
  let sut: OwnershipTable;

  beforeEach(() => {
    sut = new OwnershipTable(LEASE);
  });

  it('claims nothing before the first assignment, then only caught-up assigned partitions', () => {
    expect(sut.status(0, 0)).toBe('rebalancing');
    const { fresh, kept } = sut.joined('m1', [2, 0], 0);
    expect(fresh).toEqual([0, 2]);
    expect(kept).toEqual([]);
    sut.startAt(0, 0n);
    sut.startAt(2, 5n);
    expect(sut.status(0, 10)).toBe('catching_up'); // target not known yet
    expect(sut.status(1, 10)).toBe('not_owner');
    sut.targets(
      new Map([
        [0, { low: 0n, high: 3n }],
        [2, { low: 0n, high: 5n }],
      ]),
    );
    expect(sut.status(0, 10)).toBe('catching_up');
    expect(sut.status(2, 10)).toBe('owned'); // the snapshot was already at the high-water mark
    sut.folded(0, 2n);
    expect(sut.status(0, 10)).toBe('catching_up');
    sut.folded(0, 3n);
    expect(sut.status(0, 10)).toBe('owned');
  });

  it('moves a fold position below the first retained offset up to it', () => {
    sut.joined('m1', [0], 0);
    sut.startAt(0, 0n);
    sut.targets(new Map([[0, { low: 7n, high: 7n }]]));
    expect(sut.position(0)).toBe(7n);
    expect(sut.status(0, 1)).toBe('owned');
  });

  it('revokes every claim at once when a rebalance starts; keeps positions of partitions kept by the same member', () => {
    sut.joined('m1', [0, 1], 0);
    sut.startAt(0, 0n);
    sut.startAt(1, 0n);
    sut.targets(
      new Map([
        [0, { low: 0n, high: 0n }],
        [1, { low: 0n, high: 0n }],
      ]),
    );
    sut.folded(0, 4n);
    expect(sut.status(0, 1)).toBe('owned');
    sut.rebalanceStarted();
    expect(sut.status(0, 1)).toBe('rebalancing');
    expect(sut.status(1, 1)).toBe('rebalancing');
    const { fresh, kept, released } = sut.joined('m1', [0, 2], 2);
    expect(kept).toEqual([0]);
    expect(fresh).toEqual([2]);
    expect(released).toEqual([1]); // folded here before, another member's now: forgotten
    expect(sut.position(0)).toBe(4n);
    expect(sut.position(1)).toBeUndefined();
    expect(sut.status(1, 2)).toBe('not_owner');
  });

  it('treats every partition as fresh after the member lost the group or changed its member id', () => {
    sut.joined('m1', [0], 0);
    sut.startAt(0, 3n);
    sut.lost();
    expect(sut.joined('m1', [0], 1).fresh).toEqual([0]);
    expect(sut.joined('m2', [0], 2).fresh).toEqual([0]);
  });

  it('stops claims when no heartbeat was answered within the lease, and resumes on the next one', () => {
    sut.joined('m1', [0], 0);
    sut.startAt(0, 0n);
    sut.targets(new Map([[0, { low: 0n, high: 0n }]]));
    expect(sut.status(0, LEASE)).toBe('owned');
    expect(sut.status(0, LEASE + 1)).toBe('lease_expired');
    sut.alive(LEASE + 5);
    expect(sut.status(0, LEASE + 6)).toBe('owned');
  });

  it('notifies listeners of changes and reports closed after close', () => {
    let changes = 0;
    const off = sut.onChange(() => changes++);
    sut.joined('m1', [0], 0);
    sut.folded(0, 1n);
    sut.folded(0, 1n); // no progress: no change
    expect(changes).toBe(2);
    off();
    sut.close();
    expect(changes).toBe(2);
    expect(sut.status(0, 0)).toBe('closed');
  });
});
