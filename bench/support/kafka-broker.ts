import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

function kafkaSh(args: string[], timeoutMs: number): Promise<string> {
  // Compiled to dist/bench/suites (or run from bench/suites): find the repo's deploy/local/kafka.sh upwards.
  let root = __dirname;
  while (!existsSync(join(root, 'deploy', 'local', 'kafka.sh')) && dirname(root) !== root) root = dirname(root);
  const script = join(root, 'deploy', 'local', 'kafka.sh');
  // The JVM's full JIT and its default collector, as a production broker runs (kafka.sh's default, C1 only and the
  // serial collector, is for a quick start in tests). KAFKA_JVM_PERF_OPTS from the environment wins.
  const env = { ...process.env, KAFKA_JVM_PERF_OPTS: process.env.KAFKA_JVM_PERF_OPTS ?? '' };
  return new Promise((res, rej) =>
    execFile('bash', [script, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', env }, (error, stdout, stderr) =>
      error ? rej(new Error(`kafka.sh ${args[0]}: ${error.message} ${stderr.slice(-500)}`)) : res(stdout),
    ),
  );
}

/**
 * Runs `body` against a Kafka broker: KAFKA_BROKERS when set, else a broker started with deploy/local/kafka.sh in a
 * temp folder (stopped after). `{ unavailable }` when none could be started.
 */
export async function withKafka<T>(
  log: (line: string) => void,
  body: (brokers: string) => Promise<T>,
): Promise<T | { unavailable: string }> {
  if (process.env.KAFKA_BROKERS) return body(process.env.KAFKA_BROKERS);
  const dir = mkdtempSync(join(tmpdir(), 'x402-bench-kafka-'));
  try {
    let brokers: string;
    try {
      const out = await kafkaSh(['start', '--dir', dir], 240_000);
      const m = /^KAFKA_BROKERS=(.+)$/m.exec(out);
      if (!m) throw new Error(`no KAFKA_BROKERS line in ${JSON.stringify(out)}`);
      brokers = m[1].trim();
    } catch (error) {
      return { unavailable: (error as Error).message.slice(0, 300) };
    }
    log(`kafka: started a local broker at ${brokers}`);
    try {
      return await body(brokers);
    } finally {
      await kafkaSh(['stop', '--dir', dir], 60_000).catch((error: unknown) =>
        log(`kafka stop failed: ${String(error)}`),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
