import {
  ChainReconcileService,
  LedgerReconcileService,
  LedgerSnapshot,
  MigrationRunner,
  RebuildService,
  ReconcileService,
  SILENT_ANALYTICS_LOGGER,
  ViemTransferSource,
  type AnalyticsClient,
  type ChainDifference,
  type ChainReconcileResult,
  type ChainWatch,
  type LedgerChainFact,
  type LedgerReconcileResult,
  type ReconcileResult,
} from '@x402-ledger/analytics';
import type { AppConfig } from '@x402-ledger/config';
import { LmdbEventLog, parseEventLogUrl, type EventLog, type LogPosition } from '@x402-ledger/event-log';
import { Kafka, logLevel } from 'kafkajs';
import {
  DEV_CHAIN_ID,
  DEV_CHAIN_NETWORK,
  DEV_TOKEN_ADDRESS,
  devAccounts,
  loadNetworksFile,
  networksFromEnv,
  type NetworkConfig,
} from '@x402-ledger/evm';
import { createPublicClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { CliUsageError, type ParsedArgs } from '../cli-args';

export type Out = (line: string) => void;

const json = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

/** `--from OFFSET|P:OFFSET` → replay positions. */
export function fromPositions(args: ParsedArgs): LogPosition[] | undefined {
  const from = args.options.get('from');
  if (from === undefined) return undefined;
  if (typeof from !== 'string' || !/^\d+(:\d+)?$/.test(from))
    throw new CliUsageError('--from takes OFFSET or PARTITION:OFFSET');
  const [a, b] = from.split(':');
  return b === undefined ? [{ partition: 0, offset: a! }] : [{ partition: Number(a), offset: b }];
}

/**
 * How many records a replay from `from` will read, for the progress ETA: the embedded log's end offset, or the sum of
 * the Kafka partitions' (high watermark − start). Undefined when the broker does not answer.
 */
export async function logEventTotal(
  log: EventLog,
  url: string,
  from: LogPosition[] | undefined,
): Promise<number | undefined> {
  const start = (partition: number) => BigInt(from?.find((p) => p.partition === partition)?.offset ?? 0);
  if (log instanceof LmdbEventLog) return Math.max(0, log.endOffset() - Number(start(0)));
  const target = parseEventLogUrl(url);
  if (target.kind !== 'kafka') return undefined;
  const admin = new Kafka({
    clientId: `${target.clientId}.cli`,
    brokers: target.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
  }).admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(target.topic);
    let total = 0n;
    for (const o of offsets) {
      const first = start(o.partition) > BigInt(o.low) ? start(o.partition) : BigInt(o.low);
      if (BigInt(o.high) > first) total += BigInt(o.high) - first;
    }
    return Number(total);
  } catch {
    return undefined; // progress without ETA
  } finally {
    await admin.disconnect();
  }
}

/** `migrate` — applies the pending migrations and prints them. */
export async function migrateCommand(client: AnalyticsClient, out: Out): Promise<number> {
  const result = await new MigrationRunner(client).migrate();
  for (const name of result.applied) out(`applied ${name}`);
  out(`${result.applied.length} migration(s) applied, ${result.alreadyApplied.length} already applied`);
  return 0;
}

/** A progress line: events done, rate, and a bar + ETA when the total is known. */
export function progressLine(done: number, seconds: number, total: number | undefined): string {
  const rate = done / Math.max(seconds, 1e-3);
  const pct = total ? Math.min(100, (done / total) * 100) : undefined;
  const width = 30;
  const bar =
    pct === undefined ? '' : `[${'#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.')}] ${pct.toFixed(1)}% `;
  const eta = total && rate > 0 ? ` eta ${Math.max(0, (total - done) / rate).toFixed(1)}s` : '';
  return `${bar}${done}${total ? `/${total}` : ''} events  ${Math.round(rate)} ev/s${eta}`;
}

/** `rebuild [--from P]` — truncates the projection and replays the log into it, with a progress line. */
export async function rebuildCommand(
  client: AnalyticsClient,
  log: EventLog,
  from: LogPosition[] | undefined,
  out: Out,
  progress: (line: string) => void,
  total: number | undefined,
): Promise<number> {
  const started = performance.now();
  let lastDraw = 0;
  const draw = (done: number, final = false) => {
    const now = performance.now();
    if (!final && now - lastDraw < 200) return;
    lastDraw = now;
    progress(progressLine(done, (now - started) / 1000, total));
  };
  const result = await new RebuildService(client).rebuild(log, {
    from,
    logger: SILENT_ANALYTICS_LOGGER,
    onBatch: (t) => draw(t.received),
  });
  draw(result.received, true);
  const seconds = (performance.now() - started) / 1000;
  out(
    `\nrebuilt from ${result.received} events in ${seconds.toFixed(2)} s: ${result.projected} projected, ` +
      `${result.duplicates} duplicate(s), ${result.invalid} invalid`,
  );
  return 0;
}

/** The networks the chain leg reads, and why some were skipped. */
export interface ChainPlan {
  watches: ChainWatch[];
  skipped: string[];
}

function signerAddresses(network: NetworkConfig): string[] {
  return network.signerKeys.map((k) => privateKeyToAccount(k.reveal()).address);
}

/**
 * The daemon's networks for the chain leg, never a fresh dev chain (it has no history): in dev mode the running
 * daemon's dev chain on DEV_CHAIN_RPC_PORT, skipped with a message when it does not answer.
 */
export async function chainPlan(
  config: AppConfig,
  env: NodeJS.ProcessEnv,
  options: { probeTimeoutMs?: number } = {},
): Promise<ChainPlan> {
  switch (config.chain.kind) {
    case 'none':
      return { watches: [], skipped: ['no chain configured'] };
    case 'dev': {
      if (config.chain.rpcPort === 0)
        return { watches: [], skipped: ['DEV_CHAIN_RPC_PORT=0: the running dev chain port is unknown, set it'] };
      const url = `http://127.0.0.1:${config.chain.rpcPort}`;
      const probe = createPublicClient({
        transport: http(url, { timeout: options.probeTimeoutMs ?? 2000, retryCount: 0 }),
      });
      let chainId: number;
      try {
        chainId = await probe.getChainId();
      } catch {
        return {
          watches: [],
          skipped: [
            `dev mode: no dev chain answers at ${url} (it runs inside the daemon: start it, or set DEV_CHAIN_RPC_PORT); chain leg skipped`,
          ],
        };
      }
      if (chainId !== DEV_CHAIN_ID)
        return { watches: [], skipped: [`dev mode: ${url} is chain ${chainId}, not the dev chain; chain leg skipped`] };
      return {
        watches: [
          {
            network: DEV_CHAIN_NETWORK,
            tokens: [DEV_TOKEN_ADDRESS],
            senders: devAccounts().facilitatorSigners.map((a) => a.address),
            source: ViemTransferSource.fromRpcUrls(DEV_CHAIN_NETWORK, [url]),
          },
        ],
        skipped: [],
      };
    }
    case 'networks-file':
    case 'rpc': {
      const networks =
        config.chain.kind === 'rpc'
          ? networksFromEnv(env, config.facilitatorPrivateKeys)
          : loadNetworksFile(config.chain.file, { defaultSignerKeys: config.facilitatorPrivateKeys, env });
      const plan: ChainPlan = { watches: [], skipped: [] };
      for (const n of networks) {
        const senders = signerAddresses(n);
        if (senders.length === 0) {
          plan.skipped.push(`${n.network}: no facilitator signer keys, cannot tell settlements apart; skipped`);
          continue;
        }
        plan.watches.push({
          network: n.network,
          tokens: n.assets.map((a) => a.address),
          senders,
          source: ViemTransferSource.fromRpcUrls(n.network, n.rpcUrls, { timeoutMs: n.rpcTimeoutMs }),
        });
      }
      return plan;
    }
  }
}

export interface ReconcileWindow {
  since: Date;
  until: Date;
  tenant: string | undefined;
}

/** `--since ISO --until ISO [--tenant T]`, validated (usage errors exit 2). */
export function reconcileWindow(args: ParsedArgs): ReconcileWindow {
  const time = (name: string) => {
    const raw = args.options.get(name);
    if (typeof raw !== 'string') throw new CliUsageError(`reconcile needs --${name} ISO-8601`);
    if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || !Number.isFinite(Date.parse(raw)))
      throw new CliUsageError(`--${name}: not an ISO-8601 time: ${raw}`);
    return new Date(raw);
  };
  const since = time('since');
  const until = time('until');
  if (since.getTime() >= until.getTime()) throw new CliUsageError('--since must be before --until');
  if (until.getTime() - since.getTime() > 400 * 86_400_000) throw new CliUsageError('window wider than 400 days');
  const tenant = args.options.get('tenant');
  if (tenant === true) throw new CliUsageError('--tenant needs a value');
  return { since, until, tenant };
}

export interface ReconcileReport {
  since: string;
  until: string;
  tenant: string | null;
  ok: boolean;
  differences: number;
  rollup: ReconcileResult;
  clickhouseVsLedger: LedgerReconcileResult;
  ledgerVsChain: ChainReconcileResult & { skipped: string[] };
  /** Log events the ledger could not fold (validation / transition errors). */
  ledgerRejected: LedgerSnapshot['rejected'];
}

/** The three-way comparison: rollup vs raw events, ClickHouse vs ledger, ledger vs chain. */
export async function reconcile(
  client: AnalyticsClient,
  log: EventLog,
  plan: ChainPlan,
  window: ReconcileWindow,
): Promise<ReconcileReport> {
  const { since, until, tenant } = window;
  const rollup = await new ReconcileService(client).reconcile({ from: since, to: until, tenant });
  const ledger = await LedgerSnapshot.fromLog(log);
  const clickhouseVsLedger = await new LedgerReconcileService(client).reconcile(ledger, {
    from: since,
    to: until,
    tenant,
  });
  const chain = await new ChainReconcileService().reconcile(ledger, plan.watches, { since, until, tenant });
  const differences = rollup.mismatches.length + clickhouseVsLedger.differences.length + chain.differences.length;
  return {
    since: since.toISOString(),
    until: until.toISOString(),
    tenant: tenant ?? null,
    ok: differences === 0,
    differences,
    rollup,
    clickhouseVsLedger,
    ledgerVsChain: { ...chain, skipped: plan.skipped },
    ledgerRejected: ledger.rejected,
  };
}

function describeFact(f: LedgerChainFact): string {
  const what =
    f.kind === 'settlement' ? `settlement of payment ${f.paymentId}` : `refund ${f.refundId} of payment ${f.paymentId}`;
  return `${what} (tenant ${f.tenant}) tx ${f.txHash}${f.logIndex === null ? '' : ` log ${f.logIndex}`} block ${f.blockNumber} token ${f.asset} from ${f.from ?? '(any)'} to ${f.to} amount ${f.amount}`;
}

function describeChainDifference(d: ChainDifference): string {
  const t = d.transfer;
  const transfer = t
    ? `tx ${t.txHash} log ${t.logIndex} block ${t.blockNumber} (${t.blockTime}) token ${t.token} from ${t.from} to ${t.to} amount ${t.value} sent by ${t.sender}`
    : '';
  switch (d.kind) {
    case 'missing_in_ledger':
      return `  MISSING IN LEDGER  ${d.network} transfer ${transfer}`;
    case 'missing_on_chain':
      return `  MISSING ON CHAIN   ${d.network} ${describeFact(d.fact!)}`;
    case 'mismatch': {
      const f = d.fact!;
      const pairs = d.fields.map((field) => {
        const ledger = { token: f.asset, from: f.from, to: f.to, amount: f.amount }[field];
        const chain = { token: t!.token, from: t!.from, to: t!.to, amount: t!.value }[field];
        return `${field} ledger=${ledger} chain=${chain}`;
      });
      return `  MISMATCH           ${d.network} ${f.kind} of payment ${f.paymentId} tx ${f.txHash}: ${pairs.join('; ')}`;
    }
  }
}

/** Human-readable report: every difference, one per line. */
export function printReport(report: ReconcileReport, out: Out): void {
  out(`reconcile ${report.since} .. ${report.until} (tenant: ${report.tenant ?? 'all'})`);
  const r = report.rollup;
  out(`[rollup vs raw events] ${r.hoursChecked} hour(s) checked, ${r.mismatches.length} mismatch(es)`);
  for (const m of r.mismatches)
    out(
      `  MISMATCH           tenant ${m.tenant} hour ${m.hour}: raw settled=${m.raw.settled} gross=${m.raw.gross} refunds=${m.raw.refunds} refunded=${m.raw.refunded}` +
        ` | rollup settled=${m.rollup.settled} gross=${m.rollup.gross} refunds=${m.rollup.refunds} refunded=${m.rollup.refunded}`,
    );
  const c = report.clickhouseVsLedger;
  out(
    `[clickhouse vs ledger] ${c.paymentsChecked} payment(s) settled in the window, ${c.differences.length} difference(s)`,
  );
  for (const d of c.differences) {
    const label = {
      missing_in_clickhouse: 'MISSING IN CLICKHOUSE',
      missing_in_ledger: 'MISSING IN LEDGER',
      mismatch: 'MISMATCH',
    }[d.kind];
    const pairs =
      d.ledger && d.clickhouse
        ? d.fields.map((f) => `${f} ledger=${d.ledger![f]} clickhouse=${d.clickhouse![f]}`).join('; ')
        : json(d.ledger ?? d.clickhouse).replace(/\s+/g, ' ');
    out(`  ${label.padEnd(18)} tenant ${d.tenant} payment ${d.paymentId}: ${pairs}`);
  }
  const ch = report.ledgerVsChain;
  for (const n of ch.networks)
    out(
      `[ledger vs chain] ${n.network} ${n.range ? `blocks ${n.range.fromBlock}..${n.range.toBlock}` : 'no blocks in the window'}: ` +
        `${n.transfers} signer transfer(s), ${n.facts} ledger fact(s), ${n.matched} matched`,
    );
  for (const s of ch.skipped) out(`[ledger vs chain] ${s}`);
  for (const d of ch.differences) out(describeChainDifference(d));
  for (const e of report.ledgerRejected) out(`note: log event ${e.eventId} (${e.type}) did not fold: ${e.reason}`);
  out(report.ok ? 'no differences' : `${report.differences} difference(s)`);
}

export { json as toJson };
