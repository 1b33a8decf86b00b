import { EventLogErrorCode } from './event-log.exception';
import { parseEventLogUrl } from './event-log-url';

describe('parseEventLogUrl', () => {
  const sut = parseEventLogUrl;

  it.each([
    ['file:./data/log', '/srv/app/data/log'],
    ['file:data/log', '/srv/app/data/log'],
    ['file:/var/lib/x402/log', '/var/lib/x402/log'],
    ['file:///var/lib/x402/log', '/var/lib/x402/log'],
    ['file://localhost/var/lib/x402/log', '/var/lib/x402/log'],
  ])('reads %s as the embedded log in %s', (url, path) => {
    expect(sut(url, '/srv/app')).toEqual({ kind: 'embedded', path });
  });

  it('reads a kafka URL with every parameter', () => {
    expect(sut('kafka://h1:9092,h2:19092?topic=x402.events&partitions=12&replication=3&clientId=x402-ledger')).toEqual({
      kind: 'kafka',
      brokers: ['h1:9092', 'h2:19092'],
      topic: 'x402.events',
      partitions: 12,
      replication: 3,
      clientId: 'x402-ledger',
    });
  });

  it('fills kafka defaults (port 9092, topic, 6 partitions, replication 1)', () => {
    expect(sut('kafka://broker')).toEqual({
      kind: 'kafka',
      brokers: ['broker:9092'],
      topic: 'x402.events',
      partitions: 6,
      replication: 1,
      clientId: 'x402-ledger',
    });
    expect(sut('kafka://127.0.0.1:9093').kind).toBe('kafka');
  });

  it.each([
    ['', 'scheme'],
    ['http://x', 'scheme'],
    ['file:', 'empty'],
    ['file:./log?x=1', 'query'],
    ['file://remote-host/log', 'host'],
    ['kafka://', 'no broker'],
    ['kafka://h1:9092/topic', 'no path'],
    ['kafka://user:pw@h1:9092', 'credentials'],
    ['kafka://h1:99999', 'port'],
    ['kafka://h1:9092,', 'bad broker host'],
    ['kafka://h_1:9092', 'bad broker host'],
    ['kafka://h1?partitions=0', 'partitions'],
    ['kafka://h1?partitions=2.5', 'partitions'],
    ['kafka://h1?replication=x', 'replication'],
    ['kafka://h1?topic=bad/topic', 'topic'],
    ['kafka://h1?topic=a&topic=b', 'more than once'],
    ['kafka://h1?partition=3', 'unknown parameter'],
    ['kafka://h1?clientId=has space', 'clientId'],
  ])('refuses %j with INVALID_URL (%s)', (url, why) => {
    let caught: unknown;
    try {
      sut(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'EventLogException', code: EventLogErrorCode.INVALID_URL });
    expect((caught as Error).message).toContain(why);
  });
});
