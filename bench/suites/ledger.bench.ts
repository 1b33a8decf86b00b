import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEventLog,
  LmdbEventLog,
  SILENT_EVENT_LOG_LOGGER,
  type EventLog,
  type KafkaEventLogOptions,
} from '@x402-ledger/event-log';
import type { EventEnvelope } from '@x402-ledger/ledger';
import { sampleEnvelope } from '../../libs/event-log/src/testing/sample-envelope';
import { withKafka } from '../support/kafka-broker';

/**
 * Event log benchmark (targets on this 2-core machine: embedded append ≥ 50k events/s and p99 ≤ 5 ms at 1k events/s;
 * Kafka on loopback ≥ 20k events/s; replay ≥ 200k events/s).
 *
 * - append throughput: `concurrency` callers each appending ONE event and awaiting it (what request handlers do),
 *   closed loop; the adapters batch concurrent appends. Events/s over the whole run, after a warm-up of a tenth as
 *   many events through the same path (JIT of Node and of the broker's JVM; not counted).
 * - append latency: an open loop of one single-event append per millisecond (1k events/s); p50/p99/max of the time
 *   from the call to the resolution (durable: fsync'd / acks=all).
 * - replay: every record of the log through `replay()` into a no-op handler, events/s.
 * - state rebuild: replay of the whole embedded log (1M events; 100k with --quick) into an in-memory fold of
 *   per-stream state (count, last sequence, Σ amount as bigint), seconds.
 * Kafka: KAFKA_BROKERS when set, else a broker started with deploy/local/kafka.sh in a temp folder (stopped after).
 */

type Figures = Record<string, number | string | boolean | null>;

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Events for stream `s`; streams advance their own sequence. */
class EventSource {
  private readonly next: number[];
  private cursor = 0;
  constructor(
    private readonly tag: string,
    streams: number,
  ) {
    this.next = new Array(streams).fill(1);
  }
  take(): EventEnvelope {
    const s = this.cursor++ % this.next.length;
    return sampleEnvelope(`${this.tag}-${s}`, this.next[s]++);
  }
  takeMany(n: number): EventEnvelope[] {
    return Array.from({ length: n }, () => this.take());
  }
}

async function appendThroughput(log: EventLog, source: EventSource, total: number, concurrency: number) {
  await closedLoop(log, source.takeMany(Math.ceil(total / 10)), concurrency);
  // Pre-build the envelopes so the figure is the log's, not sha256's.
  const events = source.takeMany(total);
  return closedLoop(log, events, concurrency);
}

async function closedLoop(log: EventLog, events: EventEnvelope[], concurrency: number) {
  const total = events.length;
  let i = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < events.length) {
        const e = events[i++];
        await log.append([e]);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: round(total / seconds), cpuMicrosPerEvent: cpuMicros(cpu0, total) };
}

/** CPU time of this process (all threads: JS, LMDB's writer, kafkajs) per event, µs — steadier than wall-clock
 *  figures on a shared machine. A Kafka broker's own CPU is not included. */
function cpuMicros(since: NodeJS.CpuUsage, events: number): number {
  const used = process.cpuUsage(since);
  return round((used.user + used.system) / events, 1);
}

async function appendLatencyAt1k(log: EventLog, source: EventSource, seconds: number) {
  const events = source.takeMany(seconds * 1000);
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  let issued = 0;
  while (issued < events.length) {
    const due = Math.floor(performance.now() - t0) + 1; // one event per elapsed millisecond
    while (issued < Math.min(due, events.length)) {
      const e = events[issued++];
      const start = performance.now();
      pending.push(log.append([e]).then(() => void latencies.push(performance.now() - start)));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  const rate = events.length / ((performance.now() - t0) / 1000);
  latencies.sort((a, b) => a - b);
  return {
    rate: round(rate),
    p50: round(percentile(latencies, 50), 3),
    p99: round(percentile(latencies, 99), 3),
    max: round(latencies[latencies.length - 1], 3),
  };
}

async function fill(log: EventLog, source: EventSource, total: number) {
  const t0 = performance.now();
  for (let done = 0; done < total;) {
    const n = Math.min(1000, total - done);
    // Two appends in flight: generation of the next batch overlaps the fsync of the previous one.
    await Promise.all([log.append(source.takeMany(n / 2)), log.append(source.takeMany(n - n / 2))]);
    done += n;
  }
  return round(total / ((performance.now() - t0) / 1000));
}

async function replaySpeed(log: EventLog) {
  let n = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await log.replay(async (batch) => {
    n += batch.length;
  });
  return { events: n, perSecond: round(n / ((performance.now() - t0) / 1000)), cpuMicrosPerEvent: cpuMicros(cpu0, n) };
}

async function rebuild(log: EventLog) {
  const state = new Map<string, { count: number; lastSequence: number; amount: bigint }>();
  let n = 0;
  const t0 = performance.now();
  await log.replay(async (batch) => {
    for (const { envelope } of batch) {
      n++;
      let s = state.get(envelope.streamId);
      if (!s) state.set(envelope.streamId, (s = { count: 0, lastSequence: 0, amount: 0n }));
      s.count++;
      s.lastSequence = envelope.sequence;
      s.amount += BigInt(envelope.data.amount as string);
    }
  });
  return { events: n, streams: state.size, seconds: round((performance.now() - t0) / 1000, 3) };
}

export default async function run(opts: { quick: boolean; log: (line: string) => void }): Promise<Figures> {
  const { quick, log } = opts;
  // The machine is shared: record how busy it was, so that runs can be compared fairly.
  const figures: Figures = { cpus: cpus().length, loadAverage1mAtStart: round(loadavg()[0], 2) };
  const quiet = { logger: SILENT_EVENT_LOG_LOGGER };

  // ---- embedded ---------------------------------------------------------------------------------------------------
  const dir = mkdtempSync(join(tmpdir(), 'x402-bench-ledger-'));
  try {
    const embedded = LmdbEventLog.open(join(dir, 'log'), quiet);
    const throughputEvents = quick ? 50_000 : 300_000;
    figures.embeddedAppendConcurrency = 256;
    const tp = await appendThroughput(embedded, new EventSource('tp', 10_000), throughputEvents, 256);
    figures.embeddedAppendEventsPerSec = tp.perSecond;
    figures.embeddedAppendCpuMicrosPerEvent = tp.cpuMicrosPerEvent;
    log(
      `embedded append: ${tp.perSecond} events/s (${throughputEvents} single-event appends, ${tp.cpuMicrosPerEvent} µs CPU/event)`,
    );
    figures.embeddedAppendBatch100EventsPerSec = await (async () => {
      const source = new EventSource('b100', 10_000);
      const batches = Array.from({ length: throughputEvents / 100 }, () => source.takeMany(100));
      let i = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (i < batches.length) await embedded.append(batches[i++]);
        }),
      );
      return round(throughputEvents / ((performance.now() - t0) / 1000));
    })();
    log(`embedded append, batches of 100: ${figures.embeddedAppendBatch100EventsPerSec} events/s`);

    const lat = await appendLatencyAt1k(embedded, new EventSource('lat', 1000), quick ? 3 : 20);
    figures.embeddedAppendRateForLatency = lat.rate;
    figures.embeddedAppendP50Ms = lat.p50;
    figures.embeddedAppendP99Ms = lat.p99;
    figures.embeddedAppendMaxMs = lat.max;
    log(`embedded append latency at ${lat.rate} events/s: p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms`);

    const target = quick ? 100_000 : 1_000_000;
    const missing = target - embedded.endOffset();
    if (missing > 0) {
      const rate = await fill(embedded, new EventSource('fill', 50_000), missing);
      log(`filled the embedded log to ${embedded.endOffset()} events (${rate} events/s in batches of 500)`);
    }
    const replay = await replaySpeed(embedded);
    figures.embeddedReplayEvents = replay.events;
    figures.embeddedReplayEventsPerSec = replay.perSecond;
    figures.embeddedReplayCpuMicrosPerEvent = replay.cpuMicrosPerEvent;
    log(`embedded replay: ${replay.events} events at ${replay.perSecond} events/s`);
    const state = await rebuild(embedded);
    figures.rebuildEvents = state.events;
    figures.rebuildStreams = state.streams;
    figures.rebuildSeconds = state.seconds;
    figures.rebuildEventsPerSec = round(state.events / state.seconds);
    log(`state rebuild: ${state.events} events, ${state.streams} streams in ${state.seconds} s`);
    figures.embeddedBytesPerEvent = round(statSync(join(dir, 'log', 'data.mdb')).size / embedded.endOffset());
    await embedded.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // ---- kafka ------------------------------------------------------------------------------------------------------
  const kafkaKeys = [
    'kafkaAppendConcurrency',
    'kafkaAppendEventsPerSec',
    'kafkaAppendCpuMicrosPerEvent',
    'kafkaReplayCpuMicrosPerEvent',
    'kafkaAppendEventsPerSecInFlight5',
    'kafkaAppendP50Ms',
    'kafkaAppendP99Ms',
    'kafkaReplayEvents',
    'kafkaReplayEventsPerSec',
  ];
  const kafka = await withKafka(log, async (brokers): Promise<Figures> => {
    const out: Figures = {};
    const topic = `bench.ledger.${Date.now().toString(36)}`;
    const open = (t: string, extra: KafkaEventLogOptions = {}) =>
      createEventLog(`kafka://${brokers}?topic=${t}&partitions=6&replication=1&clientId=x402-bench`, {
        ...quiet,
        kafka: extra,
      });
    const total = quick ? 20_000 : 200_000;
    const sut = await open(topic);
    try {
      out.kafkaAppendConcurrency = 1024;
      const tp = await appendThroughput(sut, new EventSource('k', 10_000), total, 1024);
      out.kafkaAppendEventsPerSec = tp.perSecond;
      out.kafkaAppendCpuMicrosPerEvent = tp.cpuMicrosPerEvent;
      log(
        `kafka append: ${tp.perSecond} events/s (${total} single-event appends, maxInFlight 1, ${tp.cpuMicrosPerEvent} µs CPU/event)`,
      );
      const lat = await appendLatencyAt1k(sut, new EventSource('klat', 1000), quick ? 2 : 10);
      out.kafkaAppendP50Ms = lat.p50;
      out.kafkaAppendP99Ms = lat.p99;
      log(`kafka append latency at ${lat.rate} events/s: p50 ${lat.p50} ms, p99 ${lat.p99} ms`);
      const replay = await replaySpeed(sut);
      out.kafkaReplayEvents = replay.events;
      out.kafkaReplayEventsPerSec = replay.perSecond;
      out.kafkaReplayCpuMicrosPerEvent = replay.cpuMicrosPerEvent;
      log(`kafka replay: ${replay.events} events at ${replay.perSecond} events/s`);
    } finally {
      await sut.close();
    }
    const five = await open(`${topic}.if5`, { maxInFlightRequests: 5 });
    try {
      out.kafkaAppendEventsPerSecInFlight5 = (
        await appendThroughput(five, new EventSource('k5', 10_000), total, 1024)
      ).perSecond;
      log(`kafka append (maxInFlight 5): ${out.kafkaAppendEventsPerSecInFlight5} events/s`);
    } finally {
      await five.close();
    }
    return out;
  }).catch((error: unknown) => ({ unavailable: `kafka run failed: ${(error as Error).message}`.slice(0, 300) }));
  if ('unavailable' in kafka) {
    for (const k of kafkaKeys) figures[k] = null;
    figures.kafkaReason = String(kafka.unavailable);
    log(`kafka: no broker (${figures.kafkaReason})`);
  } else {
    Object.assign(figures, kafka);
  }
  figures.loadAverage1mAtEnd = round(loadavg()[0], 2);
  return figures;
}
