// The real Kafka broker the integration tier runs on (see test/setup/global-setup.ts): keyed, idempotent, acks=all
// produce; consumer-group consume with manual commits; data surviving a broker stop and restart.
import { readFileSync, rmSync } from 'node:fs';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { startLocalKafka, stopLocalKafka, testKafkaBrokers, uniqueTopic, type LocalKafka } from '../../setup/services';

// jest.config.js sets testTimeout inside each project, but jest-circus reads only the global value (default 5 s).
const TIMEOUT_MS = 120_000;

interface Received {
  /** The Kafka message key. */
  messageKey: string | undefined;
  key: string;
  seq: number;
  partition: number;
  offset: string;
}

function client(brokers: string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200 } });
}

function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Exists and is not a zombie (the stopped broker is reparented to PID 1, which may reap it late). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // reaped between the two checks
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}

/** Consumes `topic` from the beginning in group `groupId`, committing each offset by hand, until `expected` messages. */
async function consumeExactly(kafka: Kafka, topic: string, groupId: string, expected: number): Promise<Received[]> {
  const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const received: Received[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`received ${received.length} of ${expected} messages within 60 s`)),
        60_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const value = JSON.parse(message.value?.toString('utf8') ?? 'null') as { key: string; seq: number };
            received.push({
              messageKey: message.key?.toString('utf8'),
              key: value.key,
              seq: value.seq,
              partition,
              offset: message.offset,
            });
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            if (received.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

async function produceKeyed(producer: Producer, topic: string, keys: string[], perKey: number): Promise<void> {
  // Interleave keys so that every batch mixes partitions; each key's sequence numbers go out in order.
  for (let seq = 0; seq < perKey; seq += 1) {
    const messages = keys.map((key) => ({ key, value: JSON.stringify({ key, seq }) }));
    const records = await producer.send({ topic, acks: -1, messages });
    expect(records.every((r) => r.errorCode === 0)).toBe(true);
  }
}

describe('Kafka broker (real)', () => {
  it(
    'delivers every keyed message to a consumer group with manual commits, in order per key',
    async () => {
      const kafka = client(testKafkaBrokers(), 'kafka-broker-test');
      const topic = uniqueTopic('it.services.keyed');
      const groupId = uniqueTopic('it.services.group');
      const keys = Array.from({ length: 12 }, (_, i) => `stream-${i}`);
      const perKey = 25;

      const admin = kafka.admin();
      await admin.connect();
      const producer = idempotentProducer(kafka);
      await producer.connect();
      try {
        expect(
          await admin.createTopics({
            topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
            waitForLeaders: true,
          }),
        ).toBe(true);
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        expect(metadata.topics[0].partitions).toHaveLength(3);

        await produceKeyed(producer, topic, keys, perKey);
        const received = await consumeExactly(kafka, topic, groupId, keys.length * perKey);

        expect(received.every((r) => r.messageKey === r.key)).toBe(true);
        // Every value exactly once.
        const seen = received.map((r) => `${r.key}#${r.seq}`).sort();
        const sent = keys.flatMap((key) => Array.from({ length: perKey }, (_, seq) => `${key}#${seq}`)).sort();
        expect(seen).toEqual(sent);
        // Per key: one partition, sequence order preserved.
        for (const key of keys) {
          const ofKey = received.filter((r) => r.key === key);
          expect(new Set(ofKey.map((r) => r.partition)).size).toBe(1);
          expect(ofKey.map((r) => r.seq)).toEqual(Array.from({ length: perKey }, (_, seq) => seq));
        }
        // Keys spread over more than one partition (so the ordering check above means something).
        expect(new Set(received.map((r) => r.partition)).size).toBeGreaterThan(1);

        // The manual commits reached the broker: committed offset = end offset on every partition.
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        const ends = await admin.fetchTopicOffsets(topic);
        const endByPartition = new Map(ends.map((e) => [e.partition, e.high]));
        const committedPartitions = committed[0].partitions;
        expect(committedPartitions).toHaveLength(3);
        for (const p of committedPartitions) expect(p.offset).toBe(endByPartition.get(p.partition));
        expect(ends.reduce((sum, e) => sum + Number(e.high), 0)).toBe(keys.length * perKey);
      } finally {
        await producer.disconnect();
        await admin.disconnect();
      }
    },
    TIMEOUT_MS,
  );

  describe('a dedicated broker', () => {
    let broker: LocalKafka | undefined;

    afterAll(async () => {
      if (broker) {
        await stopLocalKafka(broker.dir);
        rmSync(broker.dir, { recursive: true, force: true });
      }
    }, TIMEOUT_MS);

    it(
      'keeps acknowledged messages across a stop and restart with the same dir and port',
      async () => {
        broker = await startLocalKafka();
        const first = broker;
        expect(first.brokers).toEqual([`127.0.0.1:${first.port}`]);
        const topic = uniqueTopic('it.services.restart');
        const keys = ['a', 'b', 'c', 'd', 'e'];
        const perKey = 10;

        const producer = idempotentProducer(client(first.brokers, 'restart-test-before'));
        await producer.connect();
        try {
          await produceKeyed(producer, topic, keys, perKey); // topic auto-created with the broker default of 3 partitions
        } finally {
          await producer.disconnect();
        }

        await stopLocalKafka(first.dir);
        expect(isAlive(first.pid)).toBe(false);

        broker = await startLocalKafka({ dir: first.dir, port: first.port });
        expect(broker.port).toBe(first.port);
        expect(broker.pid).not.toBe(first.pid);

        const kafka = client(broker.brokers, 'restart-test-after');
        const admin = kafka.admin();
        await admin.connect();
        try {
          const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
          expect(metadata.topics[0].partitions).toHaveLength(3);
          const ends = await admin.fetchTopicOffsets(topic);
          expect(ends.reduce((sum, e) => sum + Number(e.high), 0)).toBe(keys.length * perKey);
        } finally {
          await admin.disconnect();
        }
        const received = await consumeExactly(
          kafka,
          topic,
          uniqueTopic('it.services.restart-group'),
          keys.length * perKey,
        );
        for (const key of keys) {
          expect(received.filter((r) => r.key === key).map((r) => r.seq)).toEqual(
            Array.from({ length: perKey }, (_, seq) => seq),
          );
        }
      },
      TIMEOUT_MS,
    );
  });
});
