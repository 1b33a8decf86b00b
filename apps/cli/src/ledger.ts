import 'reflect-metadata';
import { loadAppConfig } from '@x402-ledger/config';
import { LmdbEventLog, createEventLog } from '@x402-ledger/event-log';
import { runMain } from '@x402-ledger/runtime';
import { CliUsageError, parseArgs } from './cli-args';
import { apiKeysCommand } from './commands/api-key-commands';
import { balances, replayCommand, show, tail } from './commands/ledger-commands';

const USAGE = `usage: npm run ledger -- <command> [options]
  tail [--from OFFSET|P:OFFSET] [--type TYPE] [--limit N] [--follow]   events in log order
  show <streamId>                                                     a payment's/session's history and state
  balances [--account PREFIX]                                         double-entry balances from the whole log
  replay [--from OFFSET|P:OFFSET]                                      validate + fold the log, with progress
  api-keys create --tenant T --label L [--pay-to 0x..,0x..] [--admin]  a provider (or admin) API key, printed once
  api-keys list [--tenant T] [--all]                                  keys (never the key text), --all with revoked
  api-keys revoke <keyId> [--reason R]                                revoke; running processes follow within ~1 s
The log is EVENT_LOG_URL (default file:$DATA_DIR/log); the embedded log can be read while the daemon runs.`;

runMain(async () => {
  const [command, ...rest] = process.argv.slice(2);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let args;
  try {
    args = parseArgs(rest, {
      from: 'value',
      type: 'value',
      limit: 'value',
      follow: 'flag',
      account: 'value',
      tenant: 'value',
      label: 'value',
      'pay-to': 'value',
      admin: 'flag',
      all: 'flag',
      reason: 'value',
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (!command || !['tail', 'show', 'balances', 'replay', 'api-keys'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(command ? 2 : 0);
  }
  const config = loadAppConfig('projector');
  const log = await createEventLog(config.eventLogUrl);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  let code = 0;
  try {
    if (command === 'tail') await tail(log, args, out, abort.signal);
    else if (command === 'show') code = await show(log, args, out);
    else if (command === 'balances') await balances(log, args, out);
    else if (command === 'api-keys')
      code = await apiKeysCommand(log, { ...args, positionals: [command, ...args.positionals] }, out);
    else {
      const total = log instanceof LmdbEventLog ? log.endOffset() : undefined;
      const tty = process.stderr.isTTY;
      code = await replayCommand(
        log,
        args,
        out,
        (line) => process.stderr.write(tty ? `\r${line}` : `${line}\n`),
        total,
      );
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      code = 2;
    } else throw error;
  } finally {
    await log.close();
  }
  process.exit(code);
});
