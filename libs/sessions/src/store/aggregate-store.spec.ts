import {
  EventLogErrorCode,
  EventLogException,
  StreamOwnership,
  type LogPosition,
  type OwnedStreamsFold,
} from '@x402-ledger/event-log';
import {
  EventFactory,
  nonceStreamId,
  siwxNonceAggregate,
  type EventContext,
  type EventEnvelope,
  type SiwxNonceCommand,
  type SiwxNonceState,
} from '@x402-ledger/ledger';
import { SessionsErrorCode, SessionsException } from '../sessions.exception';
import { MemoryEventLog } from '../testing/memory-event-log';
import { TestClock } from '../testing/test-clock';
import { AggregateStore } from './aggregate-store';

const NONCE = 'a1b2c3d4e5f6a7b8';
const STREAM = nonceStreamId(NONCE);
const WALLET = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const ctx = (correlationId: string): EventContext => ({
  tenant: 'acme',
  correlationId,
  causationId: null,
  producer: 'test',
});
const issue: SiwxNonceCommand = {
  type: 'IssueNonce',
  data: { nonce: NONCE, domain: 'api.example', uri: 'https://api.example', expiresAt: '2026-03-01T13:00:00.000Z' },
};
const consume = (sessionId: string | null): SiwxNonceCommand => ({
  type: 'ConsumeNonce',
  data: { nonce: NONCE, wallet: WALLET, sessionId },
});

/** A fenced ownership whose fold is fed from the memory log up to the awaited position (as the Kafka one does). */
class FakeOwnership extends StreamOwnership {
  readonly fenced: boolean;
  refuse: EventLogErrorCode | null = null;
  claims = 0;
  private next = 0;
  private fold: OwnedStreamsFold | null = null;

  constructor(
    private readonly log: MemoryEventLog,
    fenced = true,
  ) {
    super();
    this.fenced = fenced;
  }
  async start(fold: OwnedStreamsFold): Promise<void> {
    this.fold = fold;
    await this.catchUp(this.log.records.length - 1);
  }
  owns(): boolean {
    return false;
  }
  async claim(): Promise<void> {
    this.claims++;
    if (this.refuse) {
      throw new EventLogException(this.refuse, 'partition 0 is owned elsewhere', {
        details: { partition: 0, ownerUrl: 'http://127.0.0.1:9/', retryAfterMs: 1500 },
      });
    }
  }
  async awaitFolded(position: LogPosition): Promise<void> {
    await this.catchUp(Number(position.offset));
  }
  partitionOf(): number {
    return 0;
  }
  ownedPartitions(): number[] {
    return [0];
  }
  async close(): Promise<void> {}
  private async catchUp(last: number): Promise<void> {
    const records = this.log.records.slice(this.next, last + 1).map((envelope, i) => ({
      envelope: structuredClone(envelope),
      position: { partition: 0, offset: String(this.next + i) },
    }));
    this.next = Math.max(this.next, last + 1);
    if (records.length) await this.fold!.fold(records);
  }
}

function setup(fenced = true) {
  const clock = new TestClock();
  const log = new MemoryEventLog();
  const factory = new EventFactory(clock);
  const changes: EventEnvelope[] = [];
  const sut = new AggregateStore<SiwxNonceState, SiwxNonceCommand>(siwxNonceAggregate, log, factory, clock, {
    onChange: (_id, _state, envelope) => changes.push(envelope),
  });
  const ownership = new FakeOwnership(log, fenced);
  sut.useOwnership(ownership);
  const start = () => ownership.start({ fold: (records) => records.forEach((r) => sut.fold(r.envelope)) });
  return { sut, log, factory, clock, ownership, changes, start };
}

describe('AggregateStore', () => {
  it('embedded (no or an unfenced ownership): folds its own appends, never claims', async () => {
    const { sut, log, ownership, changes } = setup(false);
    await sut.execute(STREAM, issue, ctx('c1'));
    const { state } = await sut.execute(STREAM, consume(null), ctx('c2'));
    expect(state.status).toBe('consumed');
    expect(sut.get(STREAM)?.sequence).toBe(2);
    expect(ownership.claims).toBe(0);
    expect(log.records).toHaveLength(2);
    expect(changes.map((e) => e.type)).toEqual(['session.nonce_issued', 'session.nonce_consumed']);
    sut.apply(log.records[0]!); // replays are still applied (idempotently) in embedded mode
    expect(sut.get(STREAM)?.sequence).toBe(2);
  });

  it('a refused claim is the retryable NOT_OWNER and appends nothing', async () => {
    const { sut, log, ownership, start } = setup();
    await start();
    for (const code of [EventLogErrorCode.NOT_OWNER, EventLogErrorCode.NOT_READY]) {
      ownership.refuse = code;
      const error = await sut.execute(STREAM, issue, ctx('c1')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionsException);
      expect((error as SessionsException).code).toBe(SessionsErrorCode.NOT_OWNER);
      expect((error as SessionsException).details).toMatchObject({
        ownerUrl: 'http://127.0.0.1:9/',
        retryAfterMs: 1500,
      });
    }
    expect(log.records).toHaveLength(0);
    expect(sut.get(STREAM)).toBeUndefined();
  });

  it('fenced: the state moves only through the fold, and the command resolves once its facts are folded', async () => {
    const { sut, log, ownership, changes, start } = setup();
    await start();
    const { state } = await sut.execute(STREAM, issue, ctx('c1'));
    expect(state.status).toBe('issued');
    expect(ownership.claims).toBe(1);
    expect(changes).toHaveLength(1);
    sut.apply(log.records[0]!); // the service's replay is ignored: the ownership's fold feeds the store
    expect(changes).toHaveLength(1);
    expect((await sut.execute(STREAM, consume(null), ctx('c2'))).state.status).toBe('consumed');
  });

  it('fenced: another writer consumed first (same data) → WRITE_CONFLICT, its facts kept, nothing of ours', async () => {
    const { sut, log, factory, clock, changes, start } = setup();
    await start();
    await sut.execute(STREAM, issue, ctx('c1'));
    // A zombie writer that also believed it owned the partition consumed the nonce at the same sequence first.
    const other = factory.create(
      { streamType: siwxNonceAggregate.streamType, streamId: STREAM, lastSequence: 1 },
      siwxNonceAggregate.decide(sut.get(STREAM)!, consume(null), { tenant: 'acme', now: clock.now() }),
      ctx('zombie'),
    );
    log.records.push(...other); // on the log before ours; not folded here yet
    const error = await sut.execute(STREAM, consume(null), ctx('ours')).catch((e: unknown) => e);
    expect((error as SessionsException).code).toBe(SessionsErrorCode.WRITE_CONFLICT);
    const folded = sut.get(STREAM)!;
    expect(folded.status).toBe('consumed');
    expect(folded.sequence).toBe(2);
    // Both appends are on the log (as on Kafka); the fold kept the first one in log order only.
    expect(log.records.filter((e) => e.type === 'session.nonce_consumed')).toHaveLength(2);
    const kept = changes.filter((e) => e.type === 'session.nonce_consumed');
    expect(kept.map((e) => e.correlationId)).toEqual(['zombie']);
    // The retry decides on the folded state: the nonce is spent.
    await expect(sut.execute(STREAM, consume(null), ctx('retry'))).rejects.toThrow(/already consumed/);
  });

  it('fenced: a lost partition while waiting for the fold is WRITE_CONFLICT', async () => {
    const { sut, ownership, start } = setup();
    await start();
    jest
      .spyOn(ownership, 'awaitFolded')
      .mockRejectedValueOnce(
        new EventLogException(EventLogErrorCode.NOT_OWNER, 'lost', { details: { partition: 0, retryAfterMs: 700 } }),
      );
    const error = await sut.execute(STREAM, issue, ctx('c1')).catch((e: unknown) => e);
    expect((error as SessionsException).code).toBe(SessionsErrorCode.WRITE_CONFLICT);
    expect((error as SessionsException).details?.retryAfterMs).toBe(700);
  });

  it('resetPartition drops the partition, restores a snapshot, and refuses a malformed one', async () => {
    const { sut, start } = setup();
    await start();
    await sut.execute(STREAM, issue, ctx('c1'));
    const snapshot = JSON.parse(JSON.stringify(sut.snapshotPartition(0))) as unknown;
    sut.resetPartition(0, null);
    expect(sut.get(STREAM)).toBeUndefined();
    sut.resetPartition(0, snapshot);
    expect(sut.get(STREAM)?.status).toBe('issued');
    expect(() => sut.resetPartition(0, { not: 'an array' })).toThrow(/snapshot/);
    expect(() => sut.resetPartition(0, [['x', { nope: 1 }]])).toThrow(/invalid/);
  });
});
