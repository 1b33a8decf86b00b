import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { x402Facilitator } from '@x402/core/facilitator';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/facilitator';
import express from 'express';
import { createWalletClient, defineChain, http, publicActions, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { EventLogModule } from '@x402-ledger/event-log';
import { type NetworkConfig, signEip3009Request, SignerKey, startDevChain } from '@x402-ledger/evm';
import { FacilitatorModule } from '@x402-ledger/facilitator';
import type { FacilitatorRequestV2, PaymentRequirementsV2 } from '@x402-ledger/protocol';

/**
 * Verify throughput, ours vs the official `x402Facilitator` (+ ExactEvmScheme, wired as the x402 README does), each
 * behind an HTTP server in this process, against the SAME Hardhat JSON-RPC node (a child process: its own core),
 * same payload set (90 % valid, 10 % tampered), concurrency 64. Ours records every verdict durably on an embedded
 * event log before answering; the official keeps nothing. Verdicts are compared payload by payload.
 */

interface ChainInfo {
  rpcUrl: string;
  chainId: number;
  network: `eip155:${number}`;
  token: { address: Address; name: string; version: string; decimals: number; symbol: string };
  buyers: Hex[];
  providers: Address[];
  facilitatorSigners: Hex[];
}

export interface ChainChild {
  info: ChainInfo;
  stop(): Promise<void>;
}

/** Child-process entry: runs the dev chain and prints its coordinates as one JSON line. */
async function chainChild(): Promise<void> {
  const dev = await startDevChain({ rpcPort: 0 });
  const info: ChainInfo = {
    rpcUrl: dev.rpcUrl,
    chainId: dev.chainId,
    network: dev.network,
    token: { ...dev.token },
    buyers: dev.buyers.map((b) => b.privateKey),
    providers: dev.providers.map((p) => p.address),
    facilitatorSigners: dev.facilitatorSigners.map((s) => s.privateKey),
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.on('SIGTERM', () => void dev.close().then(() => process.exit(0)));
}

if (process.env.X402_BENCH_CHAIN_CHILD === '1' && require.main === module) void chainChild();

/** Starts the Hardhat dev chain in a child process (stopped by PID). */
export async function startChainChild(): Promise<ChainChild> {
  const child: ChildProcess = spawn(process.execPath, [__filename], {
    env: { ...process.env, X402_BENCH_CHAIN_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('dev chain child did not start within 60 s')), 60_000);
    rl.once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`dev chain child exited (${code})`)));
  });
  return {
    info: JSON.parse(line) as ChainInfo,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export function networkConfig(info: ChainInfo, signers: number): NetworkConfig {
  return {
    network: info.network,
    chainId: info.chainId,
    displayName: 'bench dev chain',
    v1Name: null,
    rpcUrls: [info.rpcUrl],
    assets: [info.token],
    confirmations: 1,
    gasLimits: { transferWithAuthorization: 200_000n, deployment: 1_500_000n },
    feeModel: 'eip1559',
    signerKeys: info.facilitatorSigners.slice(0, signers).map((k) => SignerKey.parse(k)!),
    eip6492AllowedFactories: [],
    receiptTimeoutMs: 30_000,
    receiptPollMs: 10,
    rpcTimeoutMs: 10_000,
  };
}

export interface OurFacilitator {
  url: string;
  close(): Promise<void>;
}

/** Our FacilitatorModule as the daemon composes it (embedded log, LMDB state), on a free loopback port. */
export async function startOurFacilitator(network: NetworkConfig): Promise<OurFacilitator> {
  const dir = mkdtempSync(join(tmpdir(), 'x402-bench-'));
  @Module({
    imports: [
      EventLogModule.forRoot({ url: `file:${join(dir, 'log')}` }),
      FacilitatorModule.forRoot({
        networks: [network],
        mode: 'dev',
        stateDir: join(dir, 'state'),
        rateLimitPerMinute: 0,
      }),
    ],
  })
  class BenchModule {}
  const app: INestApplication = await NestFactory.create<NestExpressApplication>(BenchModule, {
    bodyParser: false,
    logger: false,
  });
  (app as NestExpressApplication).useBodyParser('json', { limit: '256kb' });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The official facilitator behind a minimal express server (the x402 README's snippet, with error handling). */
/** The official x402Facilitator + ExactEvmScheme (EIP-3009 and Permit2) behind a minimal express /verify. */
export async function startOfficialFacilitator(info: ChainInfo): Promise<OurFacilitator> {
  const chain = defineChain({
    id: info.chainId,
    name: 'dev',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [info.rpcUrl] } },
  });
  const account = privateKeyToAccount(info.facilitatorSigners[0]);
  const wc = createWalletClient({ account, chain, transport: http(info.rpcUrl) }).extend(publicActions);
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    getCode: (a) => wc.getCode(a),
    readContract: (a) => wc.readContract({ ...a, args: a.args ?? [] } as never),
    verifyTypedData: (a) => wc.verifyTypedData(a as never),
    writeContract: (a) => wc.writeContract({ ...a, args: a.args ?? [] } as never),
    sendTransaction: (a) => wc.sendTransaction(a),
    waitForTransactionReceipt: (a) => wc.waitForTransactionReceipt(a),
  });
  const facilitator = new x402Facilitator().register(info.network, new ExactEvmScheme(signer));
  const app = express().use(express.json({ limit: '256kb' }));
  app.post('/verify', async (q, r) => {
    try {
      r.json(await facilitator.verify(q.body.paymentPayload, q.body.paymentRequirements));
    } catch (e) {
      r.status(500).json({ error: (e as Error).message });
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export function requirementsFor(info: ChainInfo): PaymentRequirementsV2 {
  return {
    scheme: 'exact',
    network: info.network,
    amount: '1000',
    asset: info.token.address,
    payTo: info.providers[0],
    // A day: Hardhat automine gives every block a fresh second, so under load the chain clock runs ahead of the wall
    // clock by about one second per settlement; a short validBefore would expire on chain mid-benchmark.
    maxTimeoutSeconds: 86_400,
    extra: { name: info.token.name, version: info.token.version },
  };
}

/** Signs `n` payloads like the official client, round-robin over the funded buyers. */
export async function signPayloads(info: ChainInfo, n: number, tamperEvery = 0): Promise<FacilitatorRequestV2[]> {
  const accounts = info.buyers.map((k) => privateKeyToAccount(k));
  const requirements = requirementsFor(info);
  const out: FacilitatorRequestV2[] = [];
  for (let i = 0; i < n; i++) {
    const request = await signEip3009Request({
      account: accounts[i % accounts.length],
      requirements,
      chainId: info.chainId,
    });
    if (tamperEvery > 0 && i % tamperEvery === tamperEvery - 1) {
      (request.paymentPayload.payload as { authorization: { value: string } }).authorization.value = '999';
    }
    out.push(request);
  }
  return out;
}

export interface LoadResult {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  bodies: unknown[];
  statuses: number[];
  latencies: number[];
  seconds: number;
}

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 100) / 100;
}

/** Merges chunked runs: rate over the summed durations, percentiles over all latencies. */
export function mergeLoads(parts: LoadResult[]): LoadResult {
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const seconds = parts.reduce((n, p) => n + p.seconds, 0);
  const bodies = parts.flatMap((p) => p.bodies);
  return {
    perSecond: Math.round(bodies.length / seconds),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    bodies,
    statuses: parts.flatMap((p) => p.statuses),
    latencies,
    seconds,
  };
}

/** POSTs every body once to `url` with `concurrency` requests in flight (keep-alive); per-request latency, rate. */
export async function postAll(url: string, bodies: unknown[], concurrency: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const latencies: number[] = [];
  const answers: unknown[] = new Array(bodies.length);
  const statuses: number[] = new Array(bodies.length);
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (;;) {
          const i = next++;
          if (i >= bodies.length) return;
          const t = performance.now();
          const res = await post(JSON.stringify(bodies[i]));
          answers[i] = JSON.parse(res.text);
          statuses[i] = res.status;
          latencies.push(performance.now() - t);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: Math.round(bodies.length / seconds),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    bodies: answers,
    statuses,
    latencies,
    seconds,
  };
}

const verdict = (body: unknown) => {
  const b = body as { isValid?: boolean; invalidReason?: string; error?: string };
  return b.isValid ? 'valid' : (b.invalidReason ?? `error:${b.error}`);
};

export default async function run(opts: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<Record<string, number | string | boolean | null>> {
  const n = opts.quick ? 640 : 3200;
  const concurrency = 64;
  const chain = await startChainChild();
  const ours = await startOurFacilitator(networkConfig(chain.info, 1));
  const official = await startOfficialFacilitator(chain.info);
  try {
    opts.log(`signing ${n + 512} payloads`);
    const warm = await signPayloads(chain.info, 512);
    const payloads = await signPayloads(chain.info, n, 10);
    const body = (r: FacilitatorRequestV2) => ({
      x402Version: 2,
      paymentPayload: r.paymentPayload,
      paymentRequirements: r.paymentRequirements,
    });
    // Warm both sides (JIT, connection pools, caches) so neither is measured cold.
    await postAll(`${official.url}/verify`, warm.slice(0, 256).map(body), concurrency);
    await postAll(`${ours.url}/verify`, warm.slice(256).map(body), concurrency);

    // Interleaved rounds (official chunk, then ours, on the same payloads) so that load changes on this shared
    // machine hit both sides alike; each side's rate is over its own summed time.
    const rounds = 4;
    const theirParts: LoadResult[] = [];
    const ourParts: LoadResult[] = [];
    for (let k = 0; k < rounds; k++) {
      const chunk = payloads.slice((k * n) / rounds, ((k + 1) * n) / rounds).map(body);
      theirParts.push(await postAll(`${official.url}/verify`, chunk, concurrency));
      ourParts.push(await postAll(`${ours.url}/verify`, chunk, concurrency));
      opts.log(`round ${k + 1}/${rounds}: official ${theirParts[k].perSecond}/s, ours ${ourParts[k].perSecond}/s`);
    }
    const theirs = mergeLoads(theirParts);
    const our = mergeLoads(ourParts);
    opts.log(`official: ${theirs.perSecond}/s, p50 ${theirs.p50Ms} ms, p99 ${theirs.p99Ms} ms`);
    opts.log(`ours: ${our.perSecond}/s, p50 ${our.p50Ms} ms, p99 ${our.p99Ms} ms`);

    let mismatches = 0;
    for (let i = 0; i < n; i++) if (verdict(our.bodies[i]) !== verdict(theirs.bodies[i])) mismatches++;
    const valid = our.bodies.filter((b) => verdict(b) === 'valid').length;
    return {
      payloads: n,
      concurrency,
      validPayloads: valid,
      oursVerifiesPerSec: our.perSecond,
      officialVerifiesPerSec: theirs.perSecond,
      speedup: Math.round((our.perSecond / theirs.perSecond) * 100) / 100,
      oursP50Ms: our.p50Ms,
      oursP99Ms: our.p99Ms,
      officialP50Ms: theirs.p50Ms,
      officialP99Ms: theirs.p99Ms,
      verdictMismatches: mismatches,
      identicalVerdicts: mismatches === 0,
    };
  } finally {
    await ours.close();
    await official.close();
    await chain.stop();
  }
}
