import { randomBytes } from 'node:crypto';
import {
  createEventLog,
  createStreamOwnership,
  SILENT_EVENT_LOG_LOGGER,
  type EventLog,
  type StreamOwnership,
} from '@x402-ledger/event-log';
import { Clock, EventFactory, nonceStreamId, type EventContext, type SessionIssuedData } from '@x402-ledger/ledger';
import { SessionsErrorCode, SessionsException } from '@x402-ledger/sessions';
import { SiwxNonceStore } from '../../../libs/sessions/src/nonce/siwx-nonce.store';
import { SessionStore } from '../../../libs/sessions/src/session/session.store';
import { sessionsOwnedStreamsFold } from '../../../libs/sessions/src/store/sessions-owned-streams.fold';
import { testKafkaBrokers, uniqueTopic } from '../../setup/services';
import { until } from '../support/until';

jest.setTimeout(120_000);

const PARTITIONS = 4;
const WALLET = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const ASSET = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';

class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

class CryptoRandom {
  bytes(n: number): Buffer {
    return randomBytes(n);
  }
}

interface Writer {
  name: string;
  log: EventLog;
  ownership: StreamOwnership;
  sessions: SessionStore;
  nonces: SiwxNonceStore;
}

const ctx = (correlationId: string): EventContext => ({
  tenant: 'acme',
  correlationId,
  causationId: null,
  producer: 'it',
});

/**
 * Single writer per session / SIWx-nonce stream on the real broker: the sessions' stores follow the partitions the
 * writers' group assigns their process (KafkaStreamOwnership), claim before deciding, and fence their appends.
 */
describe('Session and SIWx-nonce stream ownership (real broker)', () => {
  const logs: EventLog[] = [];
  afterAll(async () => {
    await Promise.all(logs.map((l) => l.close()));
  });

  const clock = new SystemClock();
  async function writer(url: string, name: string, group: string): Promise<Writer> {
    const log = await createEventLog(url, { logger: SILENT_EVENT_LOG_LOGGER });
    logs.push(log);
    const ownership = createStreamOwnership(log, {
      group,
      advertisedUrl: `http://${name}.invalid`,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 300,
      claimWaitMs: 500,
    });
    const factory = new EventFactory(clock);
    const nonces = new SiwxNonceStore(log, factory, clock, new CryptoRandom(), {
      ttlSeconds: 300,
      producer: `it-${name}`,
      retentionSeconds: 3600,
    }).useOwnership(ownership);
    const sessions = new SessionStore(log, factory, clock).useOwnership(ownership);
    return { name, log, ownership, sessions, nonces };
  }

  it('two members of one group: a SIWx nonce consumed through both → exactly one success, the other NOT_OWNER', async () => {
    const topic = uniqueTopic('own.sessions.group');
    const url = `kafka://${testKafkaBrokers().join(',')}?topic=${topic}&partitions=${PARTITIONS}&replication=1&clientId=x402-own-sess`;
    const group = `${topic}.writers`;
    const a = await writer(url, 'a', group);
    const b = await writer(url, 'b', group);
    await Promise.all([
      a.ownership.start(sessionsOwnedStreamsFold(a.sessions, a.nonces)),
      b.ownership.start(sessionsOwnedStreamsFold(b.sessions, b.nonces)),
    ]);
    await until(
      () =>
        a.ownership.ownedPartitions().length > 0 &&
        b.ownership.ownedPartitions().length > 0 &&
        a.ownership.ownedPartitions().length + b.ownership.ownedPartitions().length === PARTITIONS,
      60_000,
      'both members to hold partitions',
    );
    // Each member issues nonces on streams it owns (nonces are drawn until their partition is this process's).
    const issued: Array<{ nonce: string; issuer: Writer }> = [];
    for (const w of [a, b]) {
      const list = await retryNotOwner(() =>
        w.nonces.issue('acme', new URL('https://api.example'), 3, `issue-${w.name}`),
      );
      for (const n of list) {
        expect(w.ownership.owns(nonceStreamId(n.nonce))).toBe(true);
        issued.push({ nonce: n.nonce, issuer: w });
      }
    }
    expect(issued).toHaveLength(6);
    for (const { nonce, issuer } of issued) {
      const results = await Promise.allSettled(
        [a, b].map((w) =>
          w.nonces.consume(nonce, { wallet: WALLET, sessionId: null, requireIssued: true }, ctx(`use-${w.name}`)),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      expect(results[[a, b].indexOf(issuer)]!.status).toBe('fulfilled');
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(SessionsException);
      expect((refused.reason as SessionsException).code).toBe(SessionsErrorCode.NOT_OWNER);
      expect((refused.reason as SessionsException).details?.ownerUrl).toBe(`http://${issuer.name}.invalid`);
      // A replay through the owner is refused as a replay.
      await expect(
        issuer.nonces.consume(nonce, { wallet: WALLET, sessionId: null, requireIssued: true }, ctx('replay')),
      ).rejects.toMatchObject({ code: SessionsErrorCode.SIWX_REJECTED, reason: 'invalid_siwx_nonce' });
    }
    // On the log: exactly one consumption per nonce.
    const consumed = new Map<string, number>();
    await a.log.replay(async (batch) => {
      for (const { envelope } of batch) {
        if (envelope.type === 'session.nonce_consumed') {
          consumed.set(envelope.streamId, (consumed.get(envelope.streamId) ?? 0) + 1);
        }
      }
    });
    expect([...consumed.values()]).toEqual(Array(6).fill(1));
  });

  it('two writers that both believe they own (split brain): conflicting session.used → one kept, the other WRITE_CONFLICT', async () => {
    const topic = uniqueTopic('own.sessions.fence');
    const url = `kafka://${testKafkaBrokers().join(',')}?topic=${topic}&partitions=2&replication=1&clientId=x402-own-sessf`;
    // Each alone in its own group: both own every partition (a rebalance's zombie made permanent).
    const a = await writer(url, 'a', `${topic}.a`);
    const b = await writer(url, 'b', `${topic}.b`);
    await Promise.all([
      a.ownership.start(sessionsOwnedStreamsFold(a.sessions, a.nonces)),
      b.ownership.start(sessionsOwnedStreamsFold(b.sessions, b.nonces)),
    ]);
    const sessionIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const data: SessionIssuedData = {
        sessionId: randomBytes(32).toString('hex'),
        paymentId: randomBytes(32).toString('hex'),
        wallet: WALLET,
        network: 'eip155:84532',
        asset: ASSET,
        policyId: 'basic',
        policyVersion: 1,
        scope: { methods: ['GET'], routes: ['/api/*'] },
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        maxCalls: 10,
        budget: '1000',
      };
      await a.sessions.issue(data, ctx(`issue-${i}`));
      sessionIds.push(data.sessionId);
    }
    await until(() => sessionIds.every((id) => b.sessions.get(id)?.sequence === 1), 30_000, 'b to fold the sessions');
    const now = new Date().toISOString();
    for (const sessionId of sessionIds) {
      const usage = (calls: number) => ({
        sessionId,
        calls,
        spend: String(calls * 10),
        windowStart: now,
        windowEnd: now,
      });
      const results = await Promise.allSettled([
        a.sessions.recordUsage(usage(3), ctx(`use-a-${sessionId}`), false),
        b.sessions.recordUsage(usage(5), ctx(`use-b-${sessionId}`), false),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled') as Array<
        PromiseFulfilledResult<Awaited<ReturnType<SessionStore['recordUsage']>>>
      >;
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect((refused[0]!.reason as SessionsException).code).toBe(SessionsErrorCode.WRITE_CONFLICT);
      const kept = ok[0]!.value.state;
      expect(kept.usageBatches).toBe(1);
      // Both writers' folds agree with the log: the winner's batch only.
      await until(
        () => b.sessions.get(sessionId)?.sequence === 2 && a.sessions.get(sessionId)?.sequence === 2,
        10_000,
        'both folds',
      );
      for (const w of [a, b]) {
        expect(w.sessions.get(sessionId)!.calls).toBe(kept.calls);
        expect(w.sessions.get(sessionId)!.spend).toBe(kept.spend);
      }
      // The retry decides on the kept state and is recorded on top of it.
      const loser = refused[0] === results[0] ? a : b;
      const again = await loser.sessions.recordUsage(usage(1), ctx(`retry-${sessionId}`), false);
      expect(again.state.calls).toBe(kept.calls + 1);
      expect(again.state.usageBatches).toBe(2);
    }
  });
});

/** Issuing right after an assignment may meet a partition still catching up (NOT_OWNER): bounded retries. */
async function retryNotOwner<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof SessionsException) || error.code !== SessionsErrorCode.NOT_OWNER || attempt >= 20) {
        throw error;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
