import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { createSIWxClientExtension } from '@x402/extensions/sign-in-with-x';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { devChainNetwork, startDevChain, type DevChain } from '@x402-ledger/evm';
import { FacilitatorModule, StaticApiKeyStore } from '@x402-ledger/facilitator';
import { SessionTokenStore, wrapFetchWithSession } from '@x402-ledger/session-guard';
import type { SessionPolicyInput } from '@x402-ledger/sessions';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { startTestResourceServer, type TestResourceServer } from '../../libs/session-guard/src/testing/resource-server';
import { startSessionsApp, type SessionsApp } from '../../libs/sessions/src/testing/sessions-app';

type Figures = Record<string, number | string | boolean | null>;

const FAC_KEY = 'bench_facilitator_key_0123456789';
const SESS_KEY = 'bench_sessions_key_0123456789';
const TENANT = 'bench';
const PRICE = '1000';

interface Env {
  dev: DevChain;
  stack: SessionsApp;
  rs: TestResourceServer;
  close(): Promise<void>;
}

/** The daemon's modules (embedded log, facilitator, sessions) + one resource server, on one dev chain. */
async function environment(blockTimeMs?: number): Promise<Env> {
  const dev = await startDevChain({ rpcPort: 0, blockTimeMs });
  const dataDir = mkdtempSync(join(tmpdir(), 'x402-bench-sessions-'));
  const accepts = [
    { network: dev.network, asset: dev.token.address, payTo: dev.providers[0].address, minAmount: PRICE },
  ];
  const policies: SessionPolicyInput[] = [
    { id: 'weather', tenant: TENANT, routes: ['GET /weather', 'GET /weather/:city'], accepts, durationSeconds: 3600 },
    { id: 'report', tenant: TENANT, routes: ['GET /report'], accepts, durationSeconds: 3600 },
  ];
  const stack = await startSessionsApp({
    dataDir,
    imports: [
      FacilitatorModule.forRoot({
        networks: [devChainNetwork(dev)],
        mode: 'dev',
        stateDir: join(dataDir, 'facilitator'),
        apiKeyStore: new StaticApiKeyStore({ [FAC_KEY]: TENANT }),
      }),
    ],
    sessions: {
      dataDir,
      auth: { apiKeys: { [SESS_KEY]: TENANT } },
      policies,
      publicClients: { [dev.network]: dev.publicClient },
    },
  });
  const rs = await startTestResourceServer({
    mode: 'session',
    facilitatorUrl: stack.url,
    facilitatorApiKey: FAC_KEY,
    network: dev.network,
    asset: dev.token.address,
    assetName: dev.token.name,
    assetVersion: dev.token.version,
    payTo: dev.providers[0].address,
    amount: PRICE,
    session: { serviceUrl: stack.url, apiKey: SESS_KEY },
  });
  return {
    dev,
    stack,
    rs,
    close: async () => {
      await rs.close();
      await stack.close();
      await dev.close();
    },
  };
}

/** Counts requests that go on the wire. */
function countingFetch(): { fetch: typeof fetch; count: () => number } {
  let n = 0;
  return {
    fetch: (input, init) => {
      n++;
      return fetch(input, init);
    },
    count: () => n,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Series {
  p50: number;
  p99: number;
  mean: number;
  requestsPerCall: number;
  status: number[];
}

/** Sequential calls; latency in ms per call, body consumed. */
async function measure(
  n: number,
  warmup: number,
  counter: { count: () => number },
  call: () => Promise<Response>,
): Promise<Series> {
  const statuses = new Set<number>();
  for (let i = 0; i < warmup; i++) {
    const res = await call();
    await res.arrayBuffer();
  }
  const before = counter.count();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await call();
    await res.arrayBuffer();
    ms.push(performance.now() - t0);
    statuses.add(res.status);
  }
  ms.sort((a, b) => a - b);
  return {
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    mean: ms.reduce((a, b) => a + b, 0) / ms.length,
    requestsPerCall: (counter.count() - before) / n,
    status: [...statuses],
  };
}

/**
 * Two request kinds measured interleaved (A, B, A, B, …) so both see the same background load — the fair way to
 * compare the session path with an unprotected request on a shared machine.
 */
async function measurePair(
  n: number,
  warmup: number,
  a: { counter: { count: () => number }; call: () => Promise<Response> },
  b: { counter: { count: () => number }; call: () => Promise<Response> },
): Promise<[Series, Series]> {
  const runs = [a, b].map(() => ({ ms: [] as number[], statuses: new Set<number>() }));
  const one = async (side: typeof a, record: (typeof runs)[number] | undefined) => {
    const t0 = performance.now();
    const res = await side.call();
    await res.arrayBuffer();
    if (record) {
      record.ms.push(performance.now() - t0);
      record.statuses.add(res.status);
    }
  };
  for (let i = 0; i < warmup; i++) {
    await one(a, undefined);
    await one(b, undefined);
  }
  const before = [a.counter.count(), b.counter.count()];
  for (let i = 0; i < n; i++) {
    await one(a, runs[0]);
    await one(b, runs[1]);
  }
  const after = [a.counter.count(), b.counter.count()];
  return runs.map((r, i) => {
    r.ms.sort((x, y) => x - y);
    return {
      p50: percentile(r.ms, 50),
      p99: percentile(r.ms, 99),
      mean: r.ms.reduce((x, y) => x + y, 0) / r.ms.length,
      requestsPerCall: (after[i] - before[i]) / n,
      status: [...r.statuses],
    };
  }) as [Series, Series];
}

/** µs per call of a synchronous function, p50/p99 over `n` calls. */
function microbench(n: number, fn: () => void): { p50: number; p99: number } {
  for (let i = 0; i < Math.min(n, 2000); i++) fn();
  const us: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    us[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  us.sort((a, b) => a - b);
  return { p50: percentile(us, 50), p99: percentile(us, 99) };
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

function buyerAccount(dev: DevChain, i: number): PrivateKeyAccount {
  return privateKeyToAccount(dev.buyers[i % dev.buyers.length].privateKey);
}

function officialClient(account: PrivateKeyAccount): x402Client {
  return new x402Client().register('eip155:*', new ExactEvmScheme(account)).setSpendControls(false);
}

export default async function run(opts: { quick: boolean; log: (line: string) => void }): Promise<Figures> {
  const { quick, log } = opts;
  const n = {
    session: quick ? 300 : 3000,
    siwx: quick ? 60 : 400,
    paid: quick ? 20 : 100,
    paidSlow: quick ? 2 : 5,
    micro: quick ? 20_000 : 200_000,
    cold: quick ? 100 : 500,
  };
  const figures: Figures = {};
  const env = await environment();
  try {
    const { dev, rs, stack } = env;
    log(`dev chain ${dev.rpcUrl}, daemon modules ${stack.url}, resource server ${rs.origin}`);

    // (d) our session path: the session client's first call pays and gets a token; later calls send the token.
    // (a) an unprotected route (plain fetch, same middleware stack), measured interleaved with (d).
    const plain = countingFetch();
    const sessionWire = countingFetch();
    const store = new SessionTokenStore();
    const sessionAccount = buyerAccount(dev, 0);
    const sessionFetch = wrapFetchWithSession(sessionWire.fetch, officialClient(sessionAccount), {
      signer: sessionAccount,
      store,
    });
    const firstPaid = await sessionFetch(rs.url('/weather'));
    await firstPaid.arrayBuffer();
    if (firstPaid.status !== 200 || store.size !== 1) throw new Error(`session purchase failed (${firstPaid.status})`);
    const [a, d] = await measurePair(
      n.session,
      100,
      { counter: plain, call: () => plain.fetch(rs.url('/free')) },
      { counter: sessionWire, call: () => sessionFetch(rs.url('/weather')) },
    );
    log(`(a) unprotected: p50 ${round(a.p50)} ms, p99 ${round(a.p99)} ms`);
    log(`(d) session: p50 ${round(d.p50)} ms, p99 ${round(d.p99)} ms, ${d.requestsPerCall} request(s)/call`);

    // (c) official SIWx repeat access (official extension + in-memory storage, official client extension).
    const siwxWire = countingFetch();
    const siwxAccount = buyerAccount(dev, 1);
    const siwxFetch = wrapFetchWithPayment(
      siwxWire.fetch,
      officialClient(siwxAccount).registerExtension(createSIWxClientExtension({ signers: [siwxAccount] })),
    );
    const siwxFirst = await siwxFetch(rs.url('/siwx/weather'));
    await siwxFirst.arrayBuffer();
    if (siwxFirst.status !== 200) throw new Error(`official SIWx purchase failed (${siwxFirst.status})`);
    const c = await measure(n.siwx, 10, siwxWire, () => siwxFetch(rs.url('/siwx/weather')));
    log(`(c) official SIWx repeat: p50 ${round(c.p50)} ms, p99 ${round(c.p99)} ms, ${c.requestsPerCall} requests/call`);

    // (b) pay per call with the official buyer (every call settles on chain; automine).
    const paidWire = countingFetch();
    const paidFetch = wrapFetchWithPayment(paidWire.fetch, officialClient(buyerAccount(dev, 2)));
    const b = await measure(n.paid, 3, paidWire, () => paidFetch(rs.url('/paid')));
    log(`(b) pay per call: p50 ${round(b.p50)} ms, p99 ${round(b.p99)} ms, ${b.requestsPerCall} requests/call`);

    // Local token validation (the resource server's hot path) and the full authorize step (validation + metering).
    const token = store.find(new URL(rs.url('/weather')), 'GET');
    if (!token) throw new Error('no session token');
    const guard = rs.guard!;
    const verified = await guard.verifier.verify(token);
    const validation = microbench(n.micro, () => {
      const v = guard.verifier.cached(token);
      if (!v || guard.verifier.check(v, 'GET /weather') !== null) throw new Error('token refused');
    });
    const authorize = microbench(n.micro, () => {
      const r = guard.authorize('GET', '/weather', token);
      if (r instanceof Promise || !r.ok) throw new Error('authorize refused');
    });
    // Cold: first sight of a token (signature verification with jose).
    const principal = { tenant: TENANT, admin: false, subject: 'bench' };
    const fresh: string[] = [];
    for (let i = 0; i < n.cold; i++)
      fresh.push((await stack.service.refreshToken(principal, verified.claims.sid)).token!);
    const coldUs: number[] = [];
    for (const t of fresh) {
      const t0 = process.hrtime.bigint();
      await guard.verifier.verify(t);
      coldUs.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    coldUs.sort((x, y) => x - y);
    log(
      `validation (cached) p50 ${round(validation.p50)} µs p99 ${round(validation.p99)} µs; authorize p50 ${round(authorize.p50)} µs p99 ${round(authorize.p99)} µs; first sight (signature) p50 ${round(percentile(coldUs, 50))} µs p99 ${round(percentile(coldUs, 99))} µs`,
    );

    Object.assign(figures, {
      free_p50_ms: round(a.p50),
      free_p99_ms: round(a.p99),
      session_p50_ms: round(d.p50),
      session_p99_ms: round(d.p99),
      session_requests_per_call: d.requestsPerCall,
      session_minus_free_p50_ms: round(d.p50 - a.p50),
      session_minus_free_p99_ms: round(d.p99 - a.p99),
      official_siwx_p50_ms: round(c.p50),
      official_siwx_p99_ms: round(c.p99),
      official_siwx_requests_per_call: c.requestsPerCall,
      pay_per_call_p50_ms: round(b.p50),
      pay_per_call_p99_ms: round(b.p99),
      pay_per_call_requests_per_call: b.requestsPerCall,
      speedup_vs_pay_per_call_p50: round(b.p50 / d.p50, 1),
      speedup_vs_official_siwx_p50: round(c.p50 / d.p50, 1),
      token_validation_p50_us: round(validation.p50),
      token_validation_p99_us: round(validation.p99),
      authorize_p50_us: round(authorize.p50),
      authorize_p99_us: round(authorize.p99),
      token_first_sight_p50_us: round(percentile(coldUs, 50)),
      token_first_sight_p99_us: round(percentile(coldUs, 99)),
      all_statuses_200: [a, b, c, d].every((s) => s.status.length === 1 && s.status[0] === 200),
    });
    await rs.guard?.meter.flush();
  } finally {
    await env.close();
  }

  // (b) again, with the dev chain mining one block every 2 s (settlement waits for the block).
  const slow = await environment(2000);
  try {
    const paidWire = countingFetch();
    const paidFetch = wrapFetchWithPayment(paidWire.fetch, officialClient(buyerAccount(slow.dev, 3)));
    const b2 = await measure(n.paidSlow, 1, paidWire, () => paidFetch(slow.rs.url('/paid')));
    log(`(b) pay per call, 2 s blocks: p50 ${round(b2.p50)} ms, p99 ${round(b2.p99)} ms`);
    Object.assign(figures, {
      pay_per_call_2s_blocks_p50_ms: round(b2.p50),
      pay_per_call_2s_blocks_p99_ms: round(b2.p99),
      speedup_vs_pay_per_call_2s_blocks_p50: round(b2.p50 / (figures.session_p50_ms as number), 0),
    });
  } finally {
    await slow.close();
  }

  const targets = {
    target_validation_p99_le_100us: (figures.token_validation_p99_us as number) <= 100,
    target_one_request: figures.session_requests_per_call === 1,
    target_p50_within_0_2ms_of_free: (figures.session_minus_free_p50_ms as number) <= 0.2,
    target_p99_within_0_5ms_of_free: (figures.session_minus_free_p99_ms as number) <= 0.5,
    target_20x_pay_per_call: (figures.speedup_vs_pay_per_call_p50 as number) >= 20,
    target_4x_official_siwx: (figures.speedup_vs_official_siwx_p50 as number) >= 4,
  };
  return { ...figures, ...targets };
}
