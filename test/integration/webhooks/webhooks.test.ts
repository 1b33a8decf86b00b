import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventLog, SILENT_EVENT_LOG_LOGGER } from '@x402-ledger/event-log';
import type { EventEnvelope } from '@x402-ledger/ledger';
import { WEBHOOK_HEADERS, WebhooksErrorCode, verifyWebhook, webhookDeliveryId } from '@x402-ledger/webhooks';
import { testKafkaBrokers, uniqueTopic } from '../../setup/services';
import {
  FakeClock,
  Receiver,
  appendPayment,
  freePort,
  startWebhooks,
  until,
  type WebhooksHarness,
} from './support/webhooks-harness';

jest.setTimeout(180_000);

const TENANT = 'acme';

/** A Kafka append that does not resolve within 30 s fails the test with a clear message instead of the 180 s timeout. */
function bounded<T>(append: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the Kafka event log append did not resolve within 30 s')), 30_000);
  });
  return Promise.race([append, timeout]).finally(() => clearTimeout(timer));
}
const subscribed = (events: EventEnvelope[]) =>
  events.filter((e) => e.tenant === TENANT && (e.type === 'payment.settled' || e.type.startsWith('refund.')));

describe('webhooks driven from the event log', () => {
  const dirs: string[] = [];
  const tmp = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `x402-webhooks-${name}-`));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('receiver down, a restart, then up: every delivery arrives exactly once in effect, signed, in the delivery log', async () => {
    const dir = tmp('embedded');
    const logUrl = `file:${join(dir, 'log')}`;
    const options = { stateDir: join(dir, 'webhooks'), initialDelaySeconds: 10, maxDelaySeconds: 3600 };
    const clock = new FakeClock(new Date('2030-01-01T00:00:00.000Z'));
    let h: WebhooksHarness = await startWebhooks({ url: logUrl }, options, clock);
    let secret = '';
    const receiver = new Receiver(() => secret);
    const port = await freePort();

    // Events before registration are not delivered.
    const before = await appendPayment(h.log, clock, TENANT);
    clock.advance(1000);
    const registered = await h.endpoints.register(TENANT, {
      url: `http://127.0.0.1:${port}/hooks`,
      eventTypes: ['payment.settled', 'refund.*'],
      description: 'orders service',
    });
    secret = registered.secret;
    expect(registered.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(h.endpoints.list(TENANT))).not.toContain(secret);
    clock.advance(1000);

    const appended: EventEnvelope[] = [];
    for (let i = 0; i < 4; i++) appended.push(...(await appendPayment(h.log, clock, TENANT, { refund: i % 2 === 0 })));
    appended.push(...(await appendPayment(h.log, clock, 'other-tenant', { refund: true })));
    const expected = subscribed(appended);
    expect(expected).toHaveLength(4 + 2 * 2);
    await until(
      () => h.deliveries.list(TENANT, registered.endpoint.endpointId).length === expected.length,
      20_000,
      'scheduling',
    );

    // The receiver is down: every attempt fails (connection refused) and is retried later.
    const down = await h.dispatcher.tick();
    expect(down).toEqual({ attempted: expected.length, delivered: 0, retrying: expected.length, failed: 0 });
    expect(await h.dispatcher.tick()).toEqual({ attempted: 0, delivered: 0, retrying: 0, failed: 0 });

    // Restart; meanwhile more events are appended while nothing consumes the log.
    await h.close();
    const offline = await createEventLog(logUrl, { logger: SILENT_EVENT_LOG_LOGGER });
    const whileDown = await appendPayment(offline, clock, TENANT, { refund: true });
    await offline.close();
    expected.push(...subscribed(whileDown));
    h = await startWebhooks({ url: logUrl }, options, clock);
    await until(
      () => h.deliveries.list(TENANT, registered.endpoint.endpointId).length === expected.length,
      20_000,
      'scheduling after restart',
    );

    // Up, but the first answer to each delivery is lost (500 after processing): the retry must not process twice.
    receiver.failFirst = true;
    await receiver.start(port);
    try {
      clock.advance(10_000);
      const first = await h.dispatcher.tick();
      // The 3 new events were never tried; the older ones were due after 10 s.
      expect(first).toEqual({ attempted: expected.length, delivered: 0, retrying: expected.length, failed: 0 });
      clock.advance(20_000);
      expect(await h.dispatcher.tick()).toMatchObject({ delivered: expected.length, retrying: 0 });

      expect(receiver.rejected).toEqual([]);
      expect([...receiver.processed.values()].sort()).toEqual(expected.map((e) => e.id).sort());
      for (const e of expected)
        expect(receiver.processed.get(webhookDeliveryId(registered.endpoint.endpointId, e.id))).toBe(e.id);
      expect(receiver.requests.length).toBe(2 * expected.length);
      const notDelivered = [...before, ...appended.filter((e) => !expected.includes(e))].map((e) => e.id);
      for (const r of receiver.requests) expect(notDelivered).not.toContain(r.headers[WEBHOOK_HEADERS.eventId]);

      // The delivery log: refused, then a lost response, then delivered.
      const log = h.deliveries.list(TENANT, registered.endpoint.endpointId);
      expect(log.every((d) => d.status === 'delivered')).toBe(true);
      const oldest = h.deliveries.get(TENANT, webhookDeliveryId(registered.endpoint.endpointId, expected[0].id));
      expect(
        h.deliveries.attempts(TENANT, oldest.deliveryId).map((a) => [a.attempt, a.statusCode, a.error !== null]),
      ).toEqual([
        [1, null, true],
        [2, 500, true],
        [3, 204, false],
      ]);
      expect(() => h.deliveries.list('other-tenant', registered.endpoint.endpointId)).toThrow(
        expect.objectContaining({ code: WebhooksErrorCode.NOT_FOUND }),
      );

      // Manual redelivery: same id, a new attempt, still processed once.
      await h.deliveries.redeliver(TENANT, oldest.deliveryId);
      expect(await h.dispatcher.tick()).toMatchObject({ attempted: 1, delivered: 1 });
      expect(h.deliveries.attempts(TENANT, oldest.deliveryId).at(-1)).toMatchObject({
        attempt: 4,
        manual: true,
        statusCode: 204,
      });
      expect(receiver.processed.size).toBe(expected.length);

      // Signatures: the captured request verifies; a tampered body, a wrong secret or an old timestamp do not.
      const sample = receiver.requests.at(-1)!;
      const now = new Date(Number(sample.headers[WEBHOOK_HEADERS.timestamp]) * 1000);
      expect(verifyWebhook({ secret, headers: sample.headers, body: sample.body, now }).event.id).toBe(
        sample.headers[WEBHOOK_HEADERS.eventId],
      );
      const tampered = sample.body.replace('"amount":"1000"', '"amount":"9000"');
      expect(tampered).not.toBe(sample.body);
      expect(() => verifyWebhook({ secret, headers: sample.headers, body: tampered, now })).toThrow(
        expect.objectContaining({ code: WebhooksErrorCode.SIGNATURE_INVALID }),
      );
      const other = await h.endpoints.register(TENANT, { url: receiver.url, eventTypes: ['*'] });
      expect(() => verifyWebhook({ secret: other.secret, headers: sample.headers, body: sample.body, now })).toThrow(
        expect.objectContaining({ code: WebhooksErrorCode.SIGNATURE_INVALID }),
      );
      expect(() =>
        verifyWebhook({
          secret,
          headers: sample.headers,
          body: sample.body,
          now: new Date(now.getTime() + 10 * 60_000),
        }),
      ).toThrow(expect.objectContaining({ code: WebhooksErrorCode.TIMESTAMP_OUT_OF_TOLERANCE }));
    } finally {
      await receiver.stop();
      await h.close();
    }
  });

  it('retries with exponential backoff for up to a day, then gives up (the delivery stays in the log)', async () => {
    const dir = tmp('giveup');
    const clock = new FakeClock(new Date('2030-02-01T00:00:00.000Z'));
    const h = await startWebhooks({ url: `file:${join(dir, 'log')}` }, { stateDir: join(dir, 'webhooks') }, clock);
    try {
      const port = await freePort();
      const { endpoint } = await h.endpoints.register(TENANT, {
        url: `http://127.0.0.1:${port}/never`,
        eventTypes: ['payment.settled'],
      });
      clock.advance(1000);
      await appendPayment(h.log, clock, TENANT);
      await until(() => h.deliveries.list(TENANT, endpoint.endpointId).length === 1, 20_000, 'scheduling');
      const [delivery] = h.deliveries.list(TENANT, endpoint.endpointId);
      const start = clock.now().getTime();
      const gaps: number[] = [];
      let last = start;
      for (let i = 0; i < 100 && h.deliveries.get(TENANT, delivery.deliveryId).status === 'pending'; i++) {
        const due = h.deliveries.get(TENANT, delivery.deliveryId).nextAttemptAt!;
        clock.set(new Date(due));
        gaps.push(Date.parse(due) - last);
        last = Date.parse(due);
        await h.dispatcher.tick();
      }
      const final = h.deliveries.get(TENANT, delivery.deliveryId);
      expect(final.status).toBe('failed');
      // 10 s, 20 s, 40 s, … capped at an hour, until a day after the first attempt.
      expect(gaps.slice(1, 6)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000]);
      expect(Math.max(...gaps)).toBe(3_600_000);
      expect(last - start).toBeLessThanOrEqual(24 * 3_600_000);
      expect(last - start).toBeGreaterThan(23 * 3_600_000);
      expect(final.attempts).toBe(h.deliveries.attempts(TENANT, delivery.deliveryId).length);
      expect(final.attempts).toBeGreaterThan(20);
    } finally {
      await h.close();
    }
  });

  it('schedules from a Kafka consumer group too, and a restarted consumer creates nothing twice', async () => {
    const dir = tmp('kafka');
    const url = `kafka://${testKafkaBrokers().join(',')}?topic=${uniqueTopic('webhooks')}&partitions=3&replication=1&clientId=webhooks-test`;
    const kafka = { consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 } };
    const options = { stateDir: join(dir, 'webhooks'), consumerGroup: uniqueTopic('webhooks-group') };
    const clock = new FakeClock(new Date('2030-03-01T00:00:00.000Z'));
    let secret = '';
    const receiver = new Receiver(() => secret);
    await receiver.start();
    let h = await startWebhooks({ url, kafka }, options, clock);
    try {
      const registered = await h.endpoints.register(TENANT, {
        url: receiver.url,
        eventTypes: ['refund.approved', 'payment.*'],
      });
      secret = registered.secret;
      clock.advance(1000);
      const events: EventEnvelope[] = [];
      for (let i = 0; i < 3; i++)
        events.push(...(await bounded(appendPayment(h.log, clock, TENANT, { refund: true }))));
      const expected = events.filter((e) => e.type === 'refund.approved' || e.type.startsWith('payment.'));
      await until(
        () => h.deliveries.list(TENANT, registered.endpoint.endpointId).length === expected.length,
        60_000,
        'scheduling',
      );
      expect(await h.dispatcher.tick()).toMatchObject({ delivered: expected.length });
      await h.close();
      h = await startWebhooks({ url, kafka }, options, clock);
      events.push(...(await bounded(appendPayment(h.log, clock, TENANT))));
      const all = events.filter((e) => e.type === 'refund.approved' || e.type.startsWith('payment.'));
      await until(
        () => h.deliveries.list(TENANT, registered.endpoint.endpointId).length === all.length,
        60_000,
        'scheduling after restart',
      );
      expect(await h.dispatcher.tick()).toMatchObject({ delivered: all.length - expected.length });
      expect([...receiver.processed.values()].sort()).toEqual(all.map((e) => e.id).sort());
      expect(receiver.requests).toHaveLength(all.length);
      expect(receiver.rejected).toEqual([]);
    } finally {
      await receiver.stop();
      await h.close();
    }
  });
});
