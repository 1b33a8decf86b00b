import { StreamOwnership, type LoggedEvent } from '@x402-ledger/event-log';
import { EventFactory, type EventContext, type SessionIssuedData } from '@x402-ledger/ledger';
import { SiwxNonceStore } from '../nonce/siwx-nonce.store';
import { SessionStore } from '../session/session.store';
import { MemoryEventLog } from '../testing/memory-event-log';
import { TestClock } from '../testing/test-clock';
import { sessionsOwnedStreamsFold } from './sessions-owned-streams.fold';

const WALLET = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const ctx: EventContext = { tenant: 'acme', correlationId: 'c', causationId: null, producer: 'test' };

/** Everything on partition 0; fenced; the fold is fed by hand. */
class StaticOwnership extends StreamOwnership {
  readonly fenced = true;
  async start(): Promise<void> {}
  owns(): boolean {
    return true;
  }
  async claim(): Promise<void> {}
  async awaitFolded(): Promise<void> {}
  partitionOf(): number {
    return 0;
  }
  ownedPartitions(): number[] {
    return [0];
  }
  async close(): Promise<void> {}
}

function issued(i: number): SessionIssuedData {
  return {
    sessionId: String(i).repeat(64).slice(0, 64),
    paymentId: String(i + 1)
      .repeat(64)
      .slice(0, 64),
    wallet: WALLET,
    network: 'eip155:84532',
    asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    policyId: 'basic',
    policyVersion: 1,
    scope: { methods: ['GET'], routes: ['/*'] },
    expiresAt: '2026-03-01T18:00:00.000Z',
    maxCalls: 5,
    budget: null,
  };
}

describe('sessionsOwnedStreamsFold', () => {
  it('keeps the secondary indexes consistent across partition resets, snapshots and refolds', async () => {
    const clock = new TestClock();
    const writerLog = new MemoryEventLog();
    const factory = new EventFactory(clock);
    // The facts, written by an embedded writer, then fed to a fenced store through the fold.
    const writer = new SessionStore(writerLog, factory, clock);
    await writer.issue(issued(1), ctx);
    await writer.revoke(issued(1).sessionId, 'fraud', 'admin', ctx);
    const records: LoggedEvent[] = writerLog.records.map((envelope, i) => ({
      envelope,
      position: { partition: 0, offset: String(i) },
    }));

    const revoked: string[] = [];
    const sut = new SessionStore(new MemoryEventLog(), factory, clock, (state, envelope) => {
      if (envelope.type === 'session.revoked') revoked.push(state.session.sessionId);
    }).useOwnership(new StaticOwnership());
    const nonces = new SiwxNonceStore(
      new MemoryEventLog(),
      factory,
      clock,
      { bytes: () => Buffer.alloc(16) },
      {
        ttlSeconds: 60,
        producer: 'test',
        retentionSeconds: 600,
      },
    ).useOwnership(new StaticOwnership());
    const fold = sessionsOwnedStreamsFold(sut, nonces);

    await fold.fold(records);
    expect(sut.byPayment(issued(1).paymentId)?.status).toBe('revoked');
    expect(sut.byWallet('acme', WALLET)).toHaveLength(1);
    expect(revoked).toHaveLength(1);

    const snapshot = JSON.parse(JSON.stringify(fold.snapshot!(0))) as unknown;
    fold.reset!(0, null);
    expect(sut.get(issued(1).sessionId)).toBeUndefined();
    expect(sut.byPayment(issued(1).paymentId)).toBeUndefined();
    expect(sut.byWallet('acme', WALLET)).toEqual([]);

    // Refolded from the beginning: the revocation is not reported twice.
    await fold.fold(records);
    expect(sut.byPayment(issued(1).paymentId)?.status).toBe('revoked');
    expect(revoked).toHaveLength(1);

    // Restored from the snapshot: indexes rebuilt.
    fold.reset!(0, snapshot);
    expect(sut.byPayment(issued(1).paymentId)?.session.sessionId).toBe(issued(1).sessionId);
    expect(sut.byWallet('acme', WALLET)).toHaveLength(1);

    // A snapshot lacking a part is refused (the ownership then refolds from the start).
    expect(() => fold.reset!(0, { sessions: [] })).toThrow(/sessions snapshot/);
    // The service's replay is ignored in fenced mode.
    sut.apply(records[0]!.envelope);
    expect(sut.size).toBe(1);
  });
});
