import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RebuildService, SILENT_ANALYTICS_LOGGER, ViemTransferSource } from '@x402-ledger/analytics';
import { loadAppConfig } from '@x402-ledger/config';
import { createEventLog, SILENT_EVENT_LOG_LOGGER, type EventLog } from '@x402-ledger/event-log';
import { startDevChain, type DevChain } from '@x402-ledger/evm';

import { chainPlan, printReport, reconcile, type ChainPlan } from '../../../apps/cli/src/commands/analytics-commands';
import { phantomSettlement, refundFacts, settleOnChain, type ChainSettlement } from '../support/chain-settlements';
import { openTestDb, type TestDb } from './support/chdb-test-db';

jest.setTimeout(180_000);

const TENANT = 'acme';
const HOUR = 3_600_000;

/**
 * reconcile on real engines: the Hardhat dev chain (EDR, JSON-RPC over HTTP), the embedded LMDB log and ONE chDB
 * folder for the whole file (re-filled per scenario with RebuildService from the log).
 */
describe('reconcile: ClickHouse vs ledger vs chain', () => {
  let dev: DevChain;
  let db: TestDb;
  let log: EventLog;
  let dir: string;
  let payments: ChainSettlement[];
  let window: { since: Date; until: Date; tenant: string | undefined };
  let plan: ChainPlan;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'x402-reconcile-'));
    const started = Date.now();
    dev = await startDevChain({ rpcPort: 0 });
    db = await openTestDb();
    log = await createEventLog(`file:${join(dir, 'log')}`, { logger: SILENT_EVENT_LOG_LOGGER });
    payments = [];
    for (const [i, amount] of [1_250_000n, 2_500_000n, 3_750_000n].entries())
      payments.push(
        await settleOnChain(dev, { buyer: dev.buyers[i]!, payTo: dev.providers[i % 2]!, amount, tenant: TENANT }),
      );
    // Hardhat block timestamps may run a few seconds ahead of the wall clock: a generous window around the test.
    window = { since: new Date(started - HOUR), until: new Date(Date.now() + HOUR), tenant: undefined };
    // The CLI's own plan for dev mode: the running chain on DEV_CHAIN_RPC_PORT (never a fresh one).
    const config = loadAppConfig('daemon', { DEV_CHAIN_RPC_PORT: String(dev.rpcPort), DATA_DIR: dir });
    plan = await chainPlan(config, {});
  });

  afterAll(async () => {
    for (const l of extraLogs) await l.close();
    await log?.close();
    await db?.dispose();
    await dev?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A second embedded log holding `source`'s events except those whose type starts with `prefix`. */
  async function logWithout(source: EventLog, prefix: string): Promise<EventLog> {
    const copy = await createEventLog(`file:${join(dir, `log-${Date.now()}`)}`, { logger: SILENT_EVENT_LOG_LOGGER });
    extraLogs.push(copy);
    await source.replay(async (batch) => {
      const kept = batch.map((e) => e.envelope).filter((e) => !e.type.startsWith(prefix));
      if (kept.length) await copy.append(kept);
    });
    return copy;
  }
  const extraLogs: EventLog[] = [];

  const project = () => new RebuildService(db.client).rebuild(log, { logger: SILENT_ANALYTICS_LOGGER });

  it('the dev-mode plan reads the running dev chain with the facilitator signers', () => {
    expect(plan.skipped).toEqual([]);
    expect(plan.watches).toHaveLength(1);
    expect(plan.watches[0]).toMatchObject({ network: dev.network, tokens: [dev.token.address] });
    expect(plan.watches[0]!.senders).toEqual(dev.facilitatorSigners.map((a) => a.address));
  });

  it('one settlement missing from the ledger: reports exactly that transfer (tx, amount, from, to)', async () => {
    await log.append([...payments[0]!.facts, ...payments[2]!.facts]);
    await project();

    const report = await reconcile(db.client, log, plan, window);

    expect(report.ok).toBe(false);
    expect(report.differences).toBe(1);
    expect(report.rollup.mismatches).toEqual([]);
    expect(report.clickhouseVsLedger).toMatchObject({ ok: true, paymentsChecked: 2, differences: [] });
    const missing = payments[1]!;
    expect(report.ledgerVsChain.differences).toEqual([
      {
        kind: 'missing_in_ledger',
        network: dev.network,
        fact: null,
        fields: [],
        transfer: expect.objectContaining({
          txHash: missing.txHash.toLowerCase(),
          logIndex: missing.logIndex,
          token: dev.token.address.toLowerCase(),
          from: missing.payer.toLowerCase(),
          to: missing.payTo.toLowerCase(),
          value: missing.amount,
          sender: dev.facilitatorSigners[0]!.address.toLowerCase(),
        }),
      },
    ]);
    expect(report.ledgerVsChain.networks[0]).toMatchObject({ transfers: 3, facts: 2, matched: 2 });
  });

  it('all three recorded → no differences on any leg', async () => {
    await log.append(payments[1]!.facts);
    await project();

    const report = await reconcile(db.client, log, plan, window);

    expect(report).toMatchObject({ ok: true, differences: 0 });
    expect(report.clickhouseVsLedger.paymentsChecked).toBe(3);
    expect(report.ledgerVsChain.networks[0]).toMatchObject({ transfers: 3, facts: 3, matched: 3 });
    // The same through a window that holds none of the blocks: nothing to compare, nothing reported.
    const before = await reconcile(db.client, log, plan, {
      since: new Date(window.since.getTime() - 2 * HOUR),
      until: window.since,
      tenant: undefined,
    });
    expect(before).toMatchObject({ ok: true, differences: 0 });
    expect(before.ledgerVsChain.networks[0]!.range).toBeNull();
  });

  it('a tampered ClickHouse row (a conflicting newer version) is a ClickHouse-vs-ledger difference', async () => {
    const tampered = payments[0]!;
    await db.client.command(
      `INSERT INTO payments (tenant, payment_id, status, last_sequence)
       VALUES ({tenant:String}, {id:String}, (1000, 'settlement_failed'), 1000)`,
      { tenant: TENANT, id: tampered.paymentId },
    );

    const report = await reconcile(db.client, log, plan, { ...window, tenant: TENANT });

    expect(report.ok).toBe(false);
    expect(report.clickhouseVsLedger.differences).toEqual([
      {
        kind: 'mismatch',
        tenant: TENANT,
        paymentId: tampered.paymentId,
        fields: ['status', 'settled'],
        ledger: expect.objectContaining({ status: 'settled', settled: tampered.amount.toString() }),
        clickhouse: expect.objectContaining({ status: 'settlement_failed', settled: '0' }),
      },
    ]);
    expect(report.ledgerVsChain.differences).toEqual([]);
    expect(report.rollup.mismatches).toEqual([]);
  });

  it('a refund paid on chain (payTo → payer, sent by a facilitator signer) matches its refund.succeeded', async () => {
    const paid = payments[0]!;
    const back = await settleOnChain(dev, {
      buyer: dev.providers[0]!,
      payTo: dev.buyers[0]!,
      amount: 500_000n,
      tenant: TENANT,
    });
    const receipt = await dev.publicClient.getTransactionReceipt({ hash: back.txHash });
    await log.append(refundFacts(paid, back, receipt.blockNumber, TENANT));
    await project();

    const withRefund = { ...window, until: new Date(Date.now() + HOUR) };
    const report = await reconcile(db.client, log, plan, withRefund);

    expect(report).toMatchObject({ ok: true, differences: 0 });
    expect(report.ledgerVsChain.networks[0]).toMatchObject({ transfers: 4, facts: 4, matched: 4 });
    expect(report.clickhouseVsLedger.paymentsChecked).toBe(3);

    // Without the refund on the log, the same transfer is the one difference.
    const lines: string[] = [];
    printReport(
      await reconcile(db.client, await logWithout(log, 'refund.'), plan, withRefund),
      (l) => void lines.push(l),
    );
    const missing = lines.filter((l) => l.includes('MISSING IN LEDGER'));
    expect(missing).toHaveLength(1);
    expect(missing[0]).toContain(`tx ${back.txHash.toLowerCase()}`);
    expect(missing[0]).toContain(`amount 500000`);
    expect(lines.at(-1)).toBe('2 difference(s)');
  });

  it('a ledger settlement with no transfer on chain is reported as missing on chain', async () => {
    const phantom = phantomSettlement(payments[2]!, TENANT);
    await log.append(phantom.facts);
    await project();

    const report = await reconcile(db.client, log, plan, window);

    expect(report.clickhouseVsLedger.differences).toEqual([]);
    expect(report.ledgerVsChain.differences).toEqual([
      expect.objectContaining({
        kind: 'missing_on_chain',
        transfer: null,
        fact: expect.objectContaining({
          kind: 'settlement',
          paymentId: phantom.paymentId,
          txHash: phantom.txHash.toLowerCase(),
          amount: payments[2]!.amount,
        }),
      }),
    ]);
    expect(report.differences).toBe(1);

    const source = ViemTransferSource.fromRpcUrls(dev.network, [dev.rpcUrl]);
    expect(await source.transfersInTransaction(phantom.txHash, [dev.token.address])).toEqual([]);
    expect(await source.transfersInTransaction(payments[2]!.txHash, [dev.token.address])).toEqual([
      expect.objectContaining({ txHash: payments[2]!.txHash.toLowerCase(), value: payments[2]!.amount }),
    ]);
  });

  it('dev mode without a reachable chain skips the chain leg with a message', async () => {
    const config = loadAppConfig('daemon', { DEV_CHAIN_RPC_PORT: '1', DATA_DIR: dir });
    const skipped = await chainPlan(config, {}, { probeTimeoutMs: 500 });
    expect(skipped.watches).toEqual([]);
    expect(skipped.skipped[0]).toMatch(/no dev chain answers at http:\/\/127\.0\.0\.1:1 .*chain leg skipped/);
  });
});
