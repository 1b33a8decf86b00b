import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventLog, createEventLog } from '@x402-ledger/event-log';
import { accounts, assetKey } from '@x402-ledger/ledger';
import { parseArgs } from '../../../apps/cli/src/cli-args';
import { balances, replayCommand, show, tail } from '../../../apps/cli/src/commands/ledger-commands';
import {
  ASSET,
  NETWORK,
  PAYMENT_ID,
  PAY_TO,
  PAYER,
  TENANT,
  refundCommand,
  refundIdOf,
  settledPayment,
} from '../../../libs/ledger/src/testing/ledger-test-data';

const known = { from: 'value', type: 'value', limit: 'value', follow: 'flag', account: 'value' } as const;
const args = (...argv: string[]) => parseArgs(argv, known);

describe('ledger CLI on the real embedded log', () => {
  let log: EventLog;
  let lines: string[];
  const out = (line: string) => lines.push(line);

  beforeAll(async () => {
    log = await createEventLog(`file:${mkdtempSync(join(tmpdir(), 'x402-cli-'))}/log`);
    const payment = settledPayment('1000000');
    payment.run(refundCommand('r-1', '250000'));
    payment.run({ type: 'ApproveRefund', data: { refundId: refundIdOf('r-1'), approvedBy: 'provider' } });
    payment.run({
      type: 'SubmitRefund',
      data: { refundId: refundIdOf('r-1'), txHash: `0x${'ab'.repeat(32)}`, method: 'hot_wallet' },
    });
    payment.run({
      type: 'RecordRefundSucceeded',
      data: { refundId: refundIdOf('r-1'), txHash: `0x${'ab'.repeat(32)}`, blockNumber: '200', amount: '250000' },
    });
    await log.append(payment.envelopes);
  });
  beforeEach(() => (lines = []));
  afterAll(() => log.close());

  it('show prints the history in order and the folded state', async () => {
    expect(await show(log, args(PAYMENT_ID), out)).toBe(0);
    const types = lines.filter((l) => l.startsWith('  #')).map((l) => l.split(' ').pop());
    expect(types).toEqual([
      'payment.verified',
      'payment.settlement_submitted',
      'payment.settled',
      'refund.requested',
      'refund.approved',
      'refund.submitted',
      'refund.succeeded',
    ]);
    expect(lines.join('\n')).toMatch(/"status": "partially_refunded"/);
    expect(await show(log, args('f'.repeat(64)), out)).toBe(1);
  });

  it('balances folds double-entry postings: provider revenue = paid − refunded', async () => {
    await balances(log, args(), out);
    const asset = assetKey(NETWORK, ASSET);
    const revenue = accounts.providerRevenue(TENANT, PAY_TO);
    const row = lines.find((l) => l.startsWith(revenue) && l.includes(asset));
    expect(row?.trim().split(/\s+/).pop()).toBe('750000');
    const payer = lines.find((l) => l.startsWith(accounts.payer(PAYER)) && l.includes(asset));
    expect(payer?.trim().split(/\s+/).pop()).toBe('-750000');
  });

  it('tail filters by type and limit; replay validates every event', async () => {
    await tail(log, args('--type', 'refund.succeeded'), out, new AbortController().signal);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('amount=250000');
    lines = [];
    await tail(log, args('--from', '2', '--limit', '2'), out, new AbortController().signal);
    expect(lines.map((l) => l.split(/\s+/)[2])).toEqual(['payment.settled', 'refund.requested']);

    const progress: string[] = [];
    lines = [];
    expect(await replayCommand(log, args(), out, (l) => progress.push(l), 7)).toBe(0);
    expect(lines.join('')).toContain('replayed 7 events');
    expect(progress.at(-1)).toMatch(/100\.0% 7 events/);
  });

  it('rejects bad options with a usage error', () => {
    expect(() => args('--nope')).toThrow('unknown option --nope');
    expect(() => args('--from')).toThrow('--from needs a value');
  });
});
