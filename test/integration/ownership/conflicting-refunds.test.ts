import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventLog, SILENT_EVENT_LOG_LOGGER, type EventLog, type LoggedEvent } from '@x402-ledger/event-log';
import { LedgerErrorCode } from '@x402-ledger/ledger';
import { RefundsErrorCode } from '@x402-ledger/refunds';
import {
  buildEnvelopes,
  ManualClock,
  settledPaymentCommands,
} from '../../../libs/refunds/src/testing/payment-stream.fixture';
import { testKafkaBrokers, uniqueTopic } from '../../setup/services';
import { until } from '../support/until';

jest.setTimeout(180_000);

/**
 * THE acceptance test of issue #3 item 6: two real processes in one writers' consumer group on the real broker;
 * conflicting refund commands for the same payment sent to both at once → exactly one succeeds.
 */
const PARTITIONS = 6;
const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const HOST = join(__dirname, 'support', 'refund-writer.host.ts');
const REGISTER = join(__dirname, 'support', 'ts-register.js');

interface Writer {
  name: string;
  child: ChildProcess;
  url: string;
  output: () => string;
}

interface Answer {
  status: number;
  body: { code?: string; retryable?: boolean; refundId?: string; details?: { ownerUrl?: string | null } };
}

async function post(writer: Writer, input: { paymentId: string; idempotencyKey: string; amount: string }) {
  const res = await fetch(`${writer.url}/refund`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function owned(writer: Writer): Promise<number[]> {
  const res = await fetch(`${writer.url}/owned`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
  return res?.ok ? ((await res.json()) as { partitions: number[] }).partitions : [];
}

describe('Ownership: two writer processes in one consumer group (real broker)', () => {
  const writers: Writer[] = [];
  const dirs: string[] = [];
  let log: EventLog;
  let kafkaUrl: string;
  let group: string;

  beforeAll(async () => {
    const topic = uniqueTopic('own.refunds');
    group = `${topic}.writers`;
    kafkaUrl = `kafka://${testKafkaBrokers().join(',')}?topic=${topic}&partitions=${PARTITIONS}&replication=1&clientId=x402-own-refunds`;
    log = await createEventLog(kafkaUrl, { logger: SILENT_EVENT_LOG_LOGGER });
  });

  afterAll(async () => {
    for (const w of writers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await log?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function startWriter(name: string): Promise<Writer> {
    const dir = mkdtempSync(join(tmpdir(), `x402-own-writer-${name}-`));
    dirs.push(dir);
    const child = spawn(process.execPath, ['-r', REGISTER, HOST], {
      env: {
        ...process.env,
        KAFKA_URL: kafkaUrl,
        WRITERS_GROUP: group,
        SNAPSHOT_DIR: join(dir, 'ownership'),
        ADVERTISED_NAME: `writer-${name}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const writer: Writer = { name, child, url: '', output: () => out };
    writers.push(writer);
    await until(() => /READY \d+/.test(out) || child.exitCode !== null, 90_000, `writer ${name} to start`);
    const port = /READY (\d+)/.exec(out)?.[1];
    if (!port) throw new Error(`writer ${name} did not start:\n${out}`);
    writer.url = `http://127.0.0.1:${port}`;
    return writer;
  }

  it('conflicting full refunds for the same payment sent to both processes at once: exactly one is recorded', async () => {
    // Settled payments on the log, spread over the partitions (so each process owns some of them).
    const clock = new ManualClock(new Date('2030-01-01T00:00:00.000Z'));
    const payments: string[] = [];
    for (let i = 0; i < 8; i++) {
      const settled = settledPaymentCommands({ payer: PAYER, amount: '1000' });
      payments.push(settled.paymentId);
      await log.append(buildEnvelopes(clock, 'acme', settled.paymentId, settled.commands).envelopes);
    }

    const [a, b] = await Promise.all([startWriter('a'), startWriter('b')]);
    await until(
      async () => {
        const [pa, pb] = await Promise.all([owned(a), owned(b)]);
        return pa.length > 0 && pb.length > 0 && pa.length + pb.length === PARTITIONS;
      },
      60_000,
      'both writers to share the partitions',
    );

    // Each payment: two different refund requests for its full amount, one to each process, at the same time.
    const answers = await Promise.all(
      payments.map((paymentId) =>
        Promise.all([
          post(a, { paymentId, idempotencyKey: `a-${paymentId.slice(0, 8)}`, amount: '1000' }),
          post(b, { paymentId, idempotencyKey: `b-${paymentId.slice(0, 8)}`, amount: '1000' }),
        ]),
      ),
    );
    for (const [fromA, fromB] of answers) {
      const ok = [fromA, fromB].filter((x) => x.status === 200);
      const refused = [fromA, fromB].filter((x) => x.status !== 200);
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      // The loser got a typed, retryable refusal naming the owner (it does not own the payment's partition).
      expect(refused[0]).toMatchObject({
        status: 503,
        body: { code: RefundsErrorCode.NOT_OWNER, retryable: true },
      });
      const winner = ok[0] === fromA ? 'a' : 'b';
      expect(refused[0].body.details?.ownerUrl).toBe(`writer-${winner}`);
    }

    // The loser retries against the owner: the domain refuses it (one refund in flight per payment).
    const retry = await Promise.all(
      payments.map(async (paymentId, i) => {
        const [fromA] = answers[i];
        const owner = fromA.status === 200 ? a : b;
        return post(owner, { paymentId, idempotencyKey: `retry-${paymentId.slice(0, 8)}`, amount: '1000' });
      }),
    );
    for (const r of retry) expect(r).toMatchObject({ status: 409, body: { code: LedgerErrorCode.REFUND_IN_FLIGHT } });

    // On the log: exactly one refund.requested per payment.
    const requested = await refundRequests(log);
    for (const paymentId of payments)
      expect(requested.filter((e) => e.envelope.streamId === paymentId)).toHaveLength(1);

    // One process dies: the other takes over its partitions, folds them, and refuses a conflicting refund there too.
    b.child.kill('SIGKILL');
    await until(async () => (await owned(a)).length === PARTITIONS, 60_000, 'the survivor to own every partition');
    const afterTakeover = await Promise.all(
      payments.map((paymentId) =>
        retryWhileNotOwner(() =>
          post(a, { paymentId, idempotencyKey: `late-${paymentId.slice(0, 8)}`, amount: '1000' }),
        ),
      ),
    );
    for (const r of afterTakeover) {
      expect(r).toMatchObject({ status: 409, body: { code: LedgerErrorCode.REFUND_IN_FLIGHT } });
    }
    expect((await refundRequests(log)).length).toBe(payments.length);
  });
});

async function refundRequests(log: EventLog): Promise<LoggedEvent[]> {
  const found: LoggedEvent[] = [];
  await log.replay(async (batch) => {
    for (const e of batch) if (e.envelope.type === 'refund.requested') found.push(e);
  });
  return found;
}

/** Retries a command while the process is still catching up (bounded: 20 attempts). */
async function retryWhileNotOwner(send: () => Promise<Answer>): Promise<Answer> {
  let last = await send();
  for (let i = 0; i < 20 && last.status === 503; i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = await send();
  }
  return last;
}
