import 'reflect-metadata';
import { AnalyticsClient } from '@x402-ledger/analytics';
import { loadAppConfig } from '@x402-ledger/config';
import { createEventLog, type EventLog, type LogPosition } from '@x402-ledger/event-log';
import { runMain } from '@x402-ledger/runtime';
import { CliUsageError, parseArgs, type ParsedArgs } from './cli-args';
import {
  chainPlan,
  fromPositions,
  logEventTotal,
  migrateCommand,
  printReport,
  rebuildCommand,
  reconcile,
  reconcileWindow,
  toJson,
} from './commands/analytics-commands';

const USAGE = `usage: npm run analytics -- <command> [options]
  migrate                                               apply pending ClickHouse migrations
  rebuild [--from OFFSET|P:OFFSET]                      empty the projection and replay the log into it (stop the projector first)
  reconcile --since ISO --until ISO [--tenant T] [--json]
      three-way check of the window: rollup vs raw events, ClickHouse vs ledger (folded log), ledger vs chain
      (Transfer logs of the configured tokens sent by the facilitator signers). Exit 1 when anything differs.
ClickHouse is CLICKHOUSE_URL (default chdb:$DATA_DIR/analytics: one process at a time, stop the daemon first), the log
EVENT_LOG_URL; the chain NETWORKS_FILE / RPC_URL, or in dev mode the running daemon's dev chain on DEV_CHAIN_RPC_PORT.
Exit codes: 0 ok, 1 differences, 2 usage error.`;

const COMMANDS = ['migrate', 'rebuild', 'reconcile'];

runMain(async () => {
  const [command, ...rest] = process.argv.slice(2);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const usage = (message: string) => {
    process.stderr.write(`${message}\n${USAGE}\n`);
    process.exit(2);
  };
  if (!command || !COMMANDS.includes(command)) {
    if (command) usage(`unknown command ${command}`);
    process.stderr.write(`${USAGE}\n`);
    process.exit(0);
  }
  let args: ParsedArgs;
  let window: ReturnType<typeof reconcileWindow> | undefined;
  let from: LogPosition[] | undefined;
  try {
    args = parseArgs(rest, { from: 'value', since: 'value', until: 'value', tenant: 'value', json: 'flag' });
    if (command === 'reconcile') window = reconcileWindow(args);
    if (command === 'rebuild') from = fromPositions(args);
  } catch (error) {
    if (error instanceof CliUsageError) return usage(error.message);
    throw error;
  }

  // reconcile reads the daemon's chain settings; migrate and rebuild only need the log and ClickHouse.
  const config = loadAppConfig(command === 'reconcile' ? 'daemon' : 'projector');
  const client = await AnalyticsClient.create(config.clickhouseUrl);
  let log: EventLog | undefined;
  let code = 0;
  try {
    if (command === 'migrate') code = await migrateCommand(client, out);
    else if (command === 'rebuild') {
      log = await createEventLog(config.eventLogUrl);
      const total = await logEventTotal(log, config.eventLogUrl, from);
      const tty = process.stderr.isTTY;
      code = await rebuildCommand(
        client,
        log,
        from,
        out,
        (line) => process.stderr.write(tty ? `\r${line}` : `${line}\n`),
        total,
      );
    } else {
      log = await createEventLog(config.eventLogUrl);
      const plan = await chainPlan(config, process.env);
      const report = await reconcile(client, log, plan, window!);
      if (args.options.has('json')) out(toJson(report));
      else printReport(report, out);
      code = report.ok ? 0 : 1;
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      code = 2;
    } else throw error;
  } finally {
    await log?.close();
    await client.close();
  }
  process.exit(code);
});
