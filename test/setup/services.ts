// Helpers for integration/e2e tests that talk to the real services started by test/setup/global-setup.ts, and wrappers
// around deploy/local/kafka.sh for tests that need a broker of their own (e.g. to stop and restart it).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const KAFKA_SH = join(REPO_ROOT, 'deploy', 'local', 'kafka.sh');

/** A broker started from the Maven jars by deploy/local/kafka.sh. */
export interface LocalKafka {
  /** `['127.0.0.1:<port>']`, ready for `new Kafka({ brokers })`. */
  brokers: string[];
  /** Absolute broker folder (server.properties, kafka.pid, data/, logs/). */
  dir: string;
  port: number;
  pid: number;
}

export interface StartLocalKafkaOptions {
  /** Broker port; default: the port last used with `dir`, else a free port. */
  port?: number;
  /** Broker folder; default: a new folder under $X402_TEST_SERVICES_DIR (or the OS temp dir). Reuse it to restart with the data. */
  dir?: string;
}

/** Seed brokers of the run's shared Kafka (env `KAFKA_BROKERS`, set by the Jest global setup). */
export function testKafkaBrokers(): string[] {
  const raw = process.env.KAFKA_BROKERS;
  const brokers = (raw ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers.length === 0) {
    throw new Error(
      'KAFKA_BROKERS is not set: integration/e2e tests need the real broker that test/setup/global-setup.ts starts. ' +
        'Run them through Jest (`npx jest test/integration/...`), or start one with `npm run services:up` and export the printed KAFKA_BROKERS.',
    );
  }
  return brokers;
}

/** A topic (or group id) name no other test or run uses: `<prefix>.<time36>.<random hex>`, legal in Kafka. */
export function uniqueTopic(prefix: string): string {
  const clean = prefix.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 200);
  return `${clean}.${Date.now().toString(36)}.${randomBytes(4).toString('hex')}`;
}

function runKafkaSh(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('bash', [KAFKA_SH, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`deploy/local/kafka.sh ${args.join(' ')} failed: ${error.message}\n${stderr}`.trim()));
        return;
      }
      resolvePromise(stdout);
    });
  });
}

/** Starts (or restarts, when `dir` holds a stopped broker's data) a single-node broker on 127.0.0.1 and waits until it answers. */
export async function startLocalKafka(opts: StartLocalKafkaOptions = {}): Promise<LocalKafka> {
  const dir = resolve(opts.dir ?? mkdtempSync(join(process.env.X402_TEST_SERVICES_DIR ?? tmpdir(), 'kafka-')));
  const args = ['start', '--dir', dir, ...(opts.port === undefined ? [] : ['--port', String(opts.port)])];
  const stdout = await runKafkaSh(args, 240_000);
  const line = /^KAFKA_BROKERS=(.+)$/m.exec(stdout);
  if (!line) throw new Error(`deploy/local/kafka.sh start printed no KAFKA_BROKERS line: ${JSON.stringify(stdout)}`);
  const brokers = line[1].trim().split(',');
  const port = Number.parseInt(readFileSync(join(dir, 'kafka.port'), 'utf8'), 10);
  const pid = Number.parseInt(readFileSync(join(dir, 'kafka.pid'), 'utf8'), 10);
  return { brokers, dir, port, pid };
}

/** Stops the broker of `dir` by its PID (SIGTERM, bounded wait, then SIGKILL). The data stays in `dir`. */
export async function stopLocalKafka(dir: string): Promise<void> {
  await runKafkaSh(['stop', '--dir', resolve(dir)], 60_000);
}
