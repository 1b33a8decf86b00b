import 'reflect-metadata';
import { Global, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EventLogModule, SharedStreamOwnership, StreamOwnership, type OwnedStreamsFold } from '@x402-ledger/event-log';
import { nonceStreamId } from '@x402-ledger/ledger';
import { SessionsModule, SessionsService } from '@x402-ledger/sessions';
import { testKafkaBrokers, uniqueTopic } from '../../setup/services';

jest.setTimeout(120_000);

const KEY = 'provider-key-acme';

/** Stands in for the facilitator's payment store: another member of the shared writers' group, in another module. */
@Injectable()
class PaymentsMember {
  folded = 0;
}

/**
 * The sessions module composed as the daemon composes it on Kafka: ONE writers' group shared (SharedStreamOwnership)
 * by a payments member started from another module's provider and the sessions member. Two apps in one group: a
 * SIWx nonce recorded (or read) through the non-owner gets 503 NOT_OWNER + Retry-After naming the owner; through the
 * owner exactly once (then 409 NONCE_REPLAYED).
 */
describe('SessionsModule on Kafka with a shared writers group', () => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
  });

  async function start(url: string, group: string, name: string) {
    @Global()
    @Module({
      providers: [
        {
          provide: SharedStreamOwnership,
          inject: [StreamOwnership],
          useFactory: (o: StreamOwnership) => new SharedStreamOwnership(o, ['payments', 'sessions']),
        },
      ],
      exports: [SharedStreamOwnership],
    })
    class WritersOwnershipModule {}

    @Module({
      providers: [
        {
          provide: PaymentsMember,
          inject: [SharedStreamOwnership],
          useFactory: async (shared: SharedStreamOwnership) => {
            const member = new PaymentsMember();
            const fold: OwnedStreamsFold = {
              fold: (records) => void (member.folded += records.length),
              reset: () => undefined,
              snapshot: () => ({ folded: true }),
            };
            await shared.member('payments').start(fold);
            return member;
          },
        },
      ],
    })
    class PaymentsModule {}

    @Module({
      imports: [
        EventLogModule.forRoot({
          url,
          ownership: { group, advertisedUrl: `http://${name}.invalid`, sessionTimeoutMs: 6000, claimWaitMs: 500 },
        }),
        WritersOwnershipModule,
        PaymentsModule,
        SessionsModule.forRoot({
          auth: { apiKeys: { [KEY]: 'acme' } },
          ownership: {
            inject: [SharedStreamOwnership],
            useFactory: (shared: SharedStreamOwnership) => shared.member('sessions'),
          },
        }),
      ],
    })
    class AppModule {}

    const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, logger: ['error'] });
    app.useBodyParser('json', { limit: '256kb' });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    const { port } = app.getHttpServer().address() as { port: number };
    return { app, base: `http://127.0.0.1:${port}`, ownership: app.get(SharedStreamOwnership) };
  }

  it('records a nonce only through its owner; the non-owner answers 503 NOT_OWNER with Retry-After', async () => {
    const topic = uniqueTopic('own.sessions.nest');
    const url = `kafka://${testKafkaBrokers().join(',')}?topic=${topic}&partitions=4&replication=1&clientId=x402-own-nest`;
    const group = `${topic}.writers`;
    const [a, b] = await Promise.all([start(url, group, 'a'), start(url, group, 'b')]);
    expect(a.app.get(SessionsService).isReady).toBe(true);
    const deadline = Date.now() + 60_000;
    while (
      a.ownership.ownedPartitions().length === 0 ||
      b.ownership.ownedPartitions().length === 0 ||
      a.ownership.ownedPartitions().length + b.ownership.ownedPartitions().length !== 4
    ) {
      if (Date.now() > deadline) throw new Error('the group never split the partitions');
      await new Promise((r) => setTimeout(r, 100));
    }
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    let issued: { nonces: Array<{ nonce: string }> } | null = null;
    for (let attempt = 0; attempt < 20 && issued === null; attempt++) {
      const res = await fetch(`${a.base}/sessions/nonce`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ origin: 'https://api.example', count: 2 }),
      });
      if (res.status === 201) issued = (await res.json()) as { nonces: Array<{ nonce: string }> };
      else if (res.status === 503) await new Promise((r) => setTimeout(r, 250));
      else throw new Error(`nonce issue answered ${res.status}: ${await res.text()}`);
    }
    expect(issued?.nonces).toHaveLength(2);
    for (const { nonce } of issued!.nonces) {
      expect(a.ownership.owns(nonceStreamId(nonce))).toBe(true);
      const record = (base: string) =>
        fetch(`${base}/sessions/siwx-storage/nonces/${nonce}`, { method: 'POST', headers });
      const refused = await record(b.base);
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toMatchObject({ code: 'NOT_OWNER', retryable: true, ownerUrl: 'http://a.invalid' });
      // Reads too: the non-owner has not folded the nonce, so it refuses rather than answer a false "unused".
      const used = (base: string) => fetch(`${base}/sessions/siwx-storage/nonces/${nonce}`, { headers });
      const unknown = await used(b.base);
      expect(unknown.status).toBe(503);
      expect(await unknown.json()).toMatchObject({ code: 'NOT_OWNER', retryable: true, ownerUrl: 'http://a.invalid' });
      expect(await (await used(a.base)).json()).toEqual({ used: false });
      expect((await record(a.base)).status).toBe(204);
      expect(await (await used(a.base)).json()).toEqual({ used: true });
      expect((await used(b.base)).status).toBe(503);
      const replay = await record(a.base);
      expect(replay.status).toBe(409);
      expect(await replay.json()).toMatchObject({ code: 'NONCE_REPLAYED' });
    }
    expect(a.app.get(PaymentsMember)).toBeInstanceOf(PaymentsMember);
  });
});
