// Starts the real services the integration and e2e tiers need, once per `jest` run (see jest.config.js).
//
// Choice, in this order:
//   (a) KAFKA_BROKERS already set            → use it (and CLICKHOUSE_URL when set; else tests use chDB)
//   (b) a container runtime answers          → apache/kafka (KRaft) + clickhouse/clickhouse-server via testcontainers
//   (c) otherwise                            → a real broker from the Maven jars (deploy/local/kafka.sh) on a free
//                                              loopback port in a temp dir; CLICKHOUSE_URL stays unset (chDB)
// X402_TEST_SERVICES=local|containers forces (c) or (b) when KAFKA_BROKERS is unset.
//
// Jest runs globalSetup once per project (integration, e2e) in its parent process, and the env set here is inherited by
// the workers. So the state lives on globalThis: the first call starts, later calls only count a reference, and
// global-teardown.ts stops exactly what was started when the last reference is released.
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { startLocalKafka, stopLocalKafka } from './services';

const KAFKA_IMAGE = process.env.X402_TEST_KAFKA_IMAGE ?? 'apache/kafka:4.3.1';
const CLICKHOUSE_IMAGE = process.env.X402_TEST_CLICKHOUSE_IMAGE ?? 'clickhouse/clickhouse-server:25.8';

interface TestServicesState {
  refs: number;
  dir: string;
  /** What this setup started, stopped in reverse order. */
  stops: Array<() => Promise<void>>;
  /** SIGTERMs a local broker if the process exits without teardown (e.g. Ctrl-C). */
  onExit?: () => void;
}

const STATE_KEY = Symbol.for('x402-ledger.test-services');
type GlobalWithState = typeof globalThis & { [STATE_KEY]?: TestServicesState };

export default async function globalSetup(): Promise<void> {
  const g = globalThis as GlobalWithState;
  const existing = g[STATE_KEY];
  if (existing) {
    existing.refs += 1;
    return;
  }
  const state: TestServicesState = { refs: 1, dir: mkdtempSync(join(tmpdir(), 'x402-test-services-')), stops: [] };
  g[STATE_KEY] = state;
  process.env.X402_TEST_SERVICES_DIR = state.dir;
  const t0 = performance.now();
  try {
    const used = await startServices(state);
    const ms = Math.round(performance.now() - t0);
    process.stdout.write(`\n[test services] ${used}; ready in ${ms} ms (X402_TEST_SERVICES_DIR=${state.dir})\n`);
  } catch (err) {
    await stopServices(state);
    delete g[STATE_KEY];
    throw err;
  }
}

/** Releases one reference taken by globalSetup; the last one stops what setup started and removes its temp dir. */
export async function releaseTestServices(): Promise<void> {
  const g = globalThis as GlobalWithState;
  const state = g[STATE_KEY];
  if (!state) return;
  state.refs -= 1;
  if (state.refs > 0) return;
  delete g[STATE_KEY];
  await stopServices(state);
}

async function startServices(state: TestServicesState): Promise<string> {
  const forced = process.env.X402_TEST_SERVICES;
  if (process.env.KAFKA_BROKERS) {
    const ch = process.env.CLICKHOUSE_URL ? 'ClickHouse from CLICKHOUSE_URL' : 'ClickHouse: chDB (embedded)';
    return `Kafka from KAFKA_BROKERS=${process.env.KAFKA_BROKERS}, ${ch}`;
  }
  if (forced === 'containers' || (forced !== 'local' && (await containerRuntimeAvailable()))) {
    return startContainers(state);
  }
  return startJarKafka(state);
}

async function containerRuntimeAvailable(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  return getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
}

async function startJarKafka(state: TestServicesState): Promise<string> {
  delete process.env.CLICKHOUSE_URL;
  const kafka = await startLocalKafka({ dir: join(state.dir, 'kafka') });
  const onExit = (): void => {
    try {
      process.kill(kafka.pid, 'SIGTERM');
    } catch {
      // already gone: nothing left to stop
    }
  };
  process.once('exit', onExit);
  state.onExit = onExit;
  state.stops.push(() => stopLocalKafka(kafka.dir));
  process.env.KAFKA_BROKERS = kafka.brokers.join(',');
  return `Kafka: local broker from the Maven jars at ${process.env.KAFKA_BROKERS} (pid ${kafka.pid}), ClickHouse: chDB (embedded)`;
}

async function startContainers(state: TestServicesState): Promise<string> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  // The advertised listener must carry the host port, so bind a chosen free port instead of a random mapping.
  const kafkaPort = await freeLoopbackPort();
  const kafka = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: 9092, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,BROKER://localhost:9094,CONTROLLER://localhost:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${kafkaPort},BROKER://localhost:9094`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_NUM_PARTITIONS: '3',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(180_000)
    .start();
  state.stops.push(() => stopContainer(kafka));

  const clickhouse = await new GenericContainer(CLICKHOUSE_IMAGE)
    .withExposedPorts(8123)
    .withEnvironment({ CLICKHOUSE_USER: 'x402', CLICKHOUSE_PASSWORD: 'x402', CLICKHOUSE_DB: 'x402' })
    .withWaitStrategy(Wait.forHttp('/ping', 8123).forStatusCode(200))
    .withStartupTimeout(180_000)
    .start();
  state.stops.push(() => stopContainer(clickhouse));

  process.env.KAFKA_BROKERS = `${host}:${kafkaPort}`;
  process.env.CLICKHOUSE_URL = `http://x402:x402@${clickhouse.getHost()}:${clickhouse.getMappedPort(8123)}/x402`;
  return `containers: ${KAFKA_IMAGE} at ${process.env.KAFKA_BROKERS}, ${CLICKHOUSE_IMAGE} at ${clickhouse.getHost()}:${clickhouse.getMappedPort(8123)}`;
}

async function stopContainer(container: StartedTestContainer): Promise<void> {
  await container.stop();
}

async function stopServices(state: TestServicesState): Promise<void> {
  const errors: unknown[] = [];
  for (const stop of state.stops.reverse()) {
    await stop().catch((err: unknown) => errors.push(err));
  }
  state.stops = [];
  // Brokers a test started under X402_TEST_SERVICES_DIR (startLocalKafka) and left running are stopped too, by PID.
  if (existsSync(state.dir)) {
    for (const entry of readdirSync(state.dir, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(state.dir, entry.name, 'kafka.pid'))) {
        await stopLocalKafka(join(state.dir, entry.name)).catch((err: unknown) => errors.push(err));
      }
    }
  }
  if (state.onExit) process.removeListener('exit', state.onExit);
  if (errors.length > 0) {
    throw new AggregateError(errors, `stopping the test services failed (left ${state.dir} for inspection)`);
  }
  rmSync(state.dir, { recursive: true, force: true });
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}
