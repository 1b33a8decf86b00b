import type { EventLog, LogPosition, LoggedEvent } from '@x402-ledger/event-log';
import {
  LedgerJournal,
  paymentAggregate,
  parseEnvelope,
  replay,
  sessionAggregate,
  type EventEnvelope,
} from '@x402-ledger/ledger';
import { CliUsageError, intOption, type ParsedArgs } from '../cli-args';
import { formatEvent } from './format-event';

export type Out = (line: string) => void;

const json = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

function fromOffset(args: ParsedArgs): LogPosition[] | undefined {
  const from = args.options.get('from');
  if (from === undefined) return undefined;
  if (typeof from !== 'string' || !/^\d+(:\d+)?$/.test(from))
    throw new CliUsageError('--from takes OFFSET or PARTITION:OFFSET');
  const [a, b] = from.split(':');
  return b === undefined ? [{ partition: 0, offset: a! }] : [{ partition: Number(a), offset: b }];
}

/** `tail [--from P] [--type T] [--limit N] [--follow]` — prints events in log order. */
export async function tail(log: EventLog, args: ParsedArgs, out: Out, signal: AbortSignal): Promise<void> {
  const type = args.options.get('type');
  const limit = intOption(args, 'limit', Number.MAX_SAFE_INTEGER);
  let printed = 0;
  let next = fromOffset(args);
  const onBatch = async (batch: LoggedEvent[]) => {
    for (const item of batch) {
      next = [{ partition: item.position.partition, offset: String(BigInt(item.position.offset) + 1n) }];
      if (type && item.envelope.type !== type) continue;
      if (printed++ >= limit) return;
      out(formatEvent(item));
    }
  };
  await log.replay(onBatch, next);
  while (args.options.has('follow') && !signal.aborted && printed < limit) {
    await new Promise((r) => setTimeout(r, 500));
    await log.replay(onBatch, next);
  }
}

/** `show <streamId>` — the stream's events in order and the state they fold into. */
export async function show(log: EventLog, args: ParsedArgs, out: Out): Promise<number> {
  const streamId = args.positionals[0];
  if (!streamId) throw new CliUsageError('show needs a stream id (payment id or session id)');
  const events: EventEnvelope[] = [];
  await log.replay(async (batch) => {
    for (const item of batch) if (item.envelope.streamId === streamId) events.push(item.envelope);
  });
  if (events.length === 0) {
    out(`no events for stream ${streamId}`);
    return 1;
  }
  events.sort((a, b) => a.sequence - b.sequence);
  out(`stream ${streamId} (${events[0]!.streamType}), ${events.length} events, tenant ${events[0]!.tenant}`);
  for (const e of events) out(`  #${e.sequence} ${e.occurredAt} ${e.type}`);
  const streamType = events[0]!.streamType;
  const state =
    streamType === 'payment'
      ? replay(paymentAggregate, events)
      : streamType === 'session'
        ? replay(sessionAggregate, events)
        : undefined;
  if (state !== undefined) out(`state:\n${json(state)}`);
  return 0;
}

/** `balances [--account PREFIX]` — double-entry balances folded from the whole log; checks every event balances. */
export async function balances(log: EventLog, args: ParsedArgs, out: Out): Promise<void> {
  const prefix = args.options.get('account');
  const journal = new LedgerJournal();
  await log.replay(async (batch) => {
    for (const item of batch) journal.record(item.envelope);
  });
  const rows = journal.balances.entries().filter((r) => typeof prefix !== 'string' || r.account.startsWith(prefix));
  out(`${'account'.padEnd(70)} ${'asset'.padEnd(56)} ${'balance'.padStart(24)}`);
  for (const r of rows) out(`${r.account.padEnd(70)} ${r.asset.padEnd(56)} ${r.balance.toString().padStart(24)}`);
  out(`${rows.length} account(s); every event's postings balanced`);
}

/**
 * `replay [--from P]` — re-reads the log from a position, validates every envelope against its registered schema
 * (upcasting old versions), folds every payment and its postings, and reports throughput with a progress line.
 * Exit code 1 when any event fails validation or its postings do not balance.
 */
export async function replayCommand(
  log: EventLog,
  args: ParsedArgs,
  out: Out,
  progress: (line: string) => void,
  total: number | undefined,
): Promise<number> {
  const journal = new LedgerJournal();
  let count = 0;
  let bad = 0;
  const started = performance.now();
  let lastDraw = 0;
  const draw = (final = false) => {
    const now = performance.now();
    if (!final && now - lastDraw < 100) return;
    lastDraw = now;
    const seconds = (now - started) / 1000;
    const rate = count / Math.max(seconds, 1e-3);
    const pct = total ? Math.min(100, (count / total) * 100) : undefined;
    const width = 30;
    const bar =
      pct === undefined
        ? ''
        : `[${'#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.')}] ${pct.toFixed(1)}% `;
    const eta = total && rate > 0 ? ` eta ${Math.max(0, (total - count) / rate).toFixed(1)}s` : '';
    progress(`${bar}${count} events  ${Math.round(rate)} ev/s${eta}`);
  };
  await log.replay(async (batch) => {
    for (const item of batch) {
      count++;
      try {
        journal.record(parseEnvelope(item.envelope));
      } catch (error) {
        bad++;
        out(`\n${item.position.partition}:${item.position.offset} ${item.envelope.type}: ${(error as Error).message}`);
      }
    }
    draw();
  }, fromOffset(args));
  draw(true);
  out(`\nreplayed ${count} events in ${((performance.now() - started) / 1000).toFixed(2)} s; ${bad} invalid`);
  return bad === 0 ? 0 : 1;
}
