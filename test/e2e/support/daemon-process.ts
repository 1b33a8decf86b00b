import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DevInfoJson {
  network: string;
  chainId: number;
  rpcUrl: string;
  asset: { address: `0x${string}`; name: string; version: string; decimals: number; symbol: string };
  facilitatorUrl: string;
  graphqlUrl: string;
  adminApiKey: string;
  buyers: { address: `0x${string}`; privateKey: `0x${string}` }[];
  providers: { address: `0x${string}`; privateKey: `0x${string}` }[];
  facilitatorSigners: string[];
}

export interface RunningDaemon {
  child: ChildProcess;
  baseUrl: string;
  dataDir: string;
  dev: DevInfoJson;
  output: () => string;
  /** Sends SIGTERM to the daemon and resolves with its exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Spawns the README's `npm start` (dist/ is built once by the e2e global setup) in a fresh data folder on free ports
 * and waits until /health/ready answers 200. Bounded: fails after `timeoutMs`.
 */
export async function startDaemon(
  opts: { env?: Record<string, string>; dataDir?: string; timeoutMs?: number } = {},
): Promise<RunningDaemon> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'x402-daemon-'));
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: {
      ...process.env,
      X402_SKIP_BUILD: '1',
      DATA_DIR: dataDir,
      PORT: '0',
      DEV_CHAIN_RPC_PORT: '0',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let baseUrl: string | undefined;
  while (Date.now() < deadline && child.exitCode === null) {
    baseUrl = baseUrl ?? /facilitator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    if (baseUrl) {
      const ready = await fetch(`${baseUrl}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!baseUrl || child.exitCode !== null) {
    child.kill('SIGKILL');
    throw new Error(`daemon did not become ready:\n${out}`);
  }
  const dev = (await (await fetch(`${baseUrl}/dev`)).json()) as DevInfoJson;
  const pid = Number(/"pid":\s*(\d+)/.exec(JSON.stringify(dev))?.[1] ?? NaN);

  return {
    child,
    baseUrl,
    dataDir,
    dev,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      const started = Date.now();
      // npm forwards the signal to the daemon; signal the daemon itself when its pid is known.
      if (Number.isFinite(pid)) process.kill(pid, signal);
      else child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, ms: Date.now() - started };
    },
  };
}
