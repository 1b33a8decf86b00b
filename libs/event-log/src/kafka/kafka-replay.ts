import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { decodeEnvelope } from '../envelope-codec';
import { EventLogErrorCode, EventLogException } from '../event-log.exception';
import type { EventLogLogger } from '../event-log.logger';
import type { BatchHandler, LogPosition, LoggedEvent } from '../event-log.port';

export interface KafkaReplayParams {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  clientId: string;
  from: LogPosition[];
  handler: BatchHandler;
  logger: EventLogLogger;
  isClosed: () => boolean;
  maxBatchSize?: number;
}

/**
 * Reads every partition from `from` (or its earliest offset) up to its high watermark as of the call, with a
 * throw-away consumer group that seeks to the start offsets when it joins; it never commits and is deleted
 * afterwards. Each record reaches the handler once, even if kafkajs restarts the member meanwhile. Handler calls are sequential, in offset order
 * per partition; a handler rejection stops the replay and rejects with that error.
 */
export async function kafkaReplay(p: KafkaReplayParams): Promise<void> {
  const { kafka, admin, topic, logger } = p;
  const maxBatch = p.maxBatchSize ?? 1000;
  const offsets = await admin.fetchTopicOffsets(topic);
  const known = new Set(offsets.map((o) => o.partition));
  const from = new Map<number, bigint>();
  for (const position of p.from) {
    if (!known.has(position.partition) || !/^[0-9]+$/.test(position.offset)) {
      throw new EventLogException(
        EventLogErrorCode.INVALID_ARGUMENT,
        `No such position on topic ${topic}: ${JSON.stringify(position)}`,
      );
    }
    from.set(position.partition, BigInt(position.offset));
  }
  const targets = new Map<number, { next: bigint; end: bigint }>();
  for (const o of offsets) {
    const low = BigInt(o.low);
    const end = BigInt(o.high);
    let start = from.get(o.partition) ?? low;
    if (start < low) start = low;
    if (start < end) targets.set(o.partition, { next: start, end });
  }
  if (targets.size === 0) return;

  const groupId = `${p.clientId}.replay.${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    // Bulk reads: bigger fetches than a live consumer needs, and no long-poll wait once data is there.
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  const remaining = new Set(targets.keys());
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  let failed = false;

  try {
    // Start each partition where the replay stands (its start, or further on after a consumer restart). The seek
    // must happen once the member has joined; the listener runs before the first fetch of the generation.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, target] of targets) {
        if (remaining.has(partition)) consumer.seek({ topic, partition, offset: target.next.toString() });
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
        const target = targets.get(batch.partition);
        if (failed || !target || !remaining.has(batch.partition)) return;
        try {
          const wanted = batch.messages.filter((m) => {
            const o = BigInt(m.offset);
            return o >= target.next && o < target.end;
          });
          for (let i = 0; i < wanted.length; i += maxBatch) {
            if (p.isClosed())
              throw new EventLogException(EventLogErrorCode.CLOSED, 'The event log closed during replay');
            const events: LoggedEvent[] = wanted.slice(i, i + maxBatch).map((m) => ({
              envelope: decodeEnvelope(m.value ?? Buffer.alloc(0)),
              position: { partition: batch.partition, offset: m.offset },
            }));
            await p.handler(events);
            target.next = BigInt(events[events.length - 1].position.offset) + 1n;
            await heartbeat();
          }
          // Advance the fetch position (nothing is committed: autoCommit is off and the group is thrown away).
          if (batch.messages.length > 0) resolveOffset(batch.lastOffset());
          if (BigInt(batch.lastOffset()) + 1n >= target.end) {
            remaining.delete(batch.partition);
            consumer.pause([{ topic, partitions: [batch.partition] }]);
            if (remaining.size === 0) settle.resolve();
          }
        } catch (error) {
          failed = true;
          settle.reject(error);
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect().catch((error: unknown) => logger.warn('Replay consumer disconnect failed', { error }));
    await admin.deleteGroups([groupId]).catch((error: unknown) => {
      logger.debug('Replay group cleanup failed (the broker expires it)', { groupId, error });
    });
  }
}
