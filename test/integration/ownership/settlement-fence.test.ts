import { type EventLog, type LoggedEvent } from '@x402-ledger/event-log';
import { FacilitatorErrorCode, InMemoryPaymentStateStore, type FacilitatorOptions } from '@x402-ledger/facilitator';
import type { PaymentCommand } from '@x402-ledger/ledger';
import { PaymentRecorder } from '../../../libs/facilitator/src/payments/payment-recorder';
import {
  buildEnvelopes,
  ManualClock,
  settledPaymentCommands,
} from '../../../libs/refunds/src/testing/payment-stream.fixture';
import { splitBrainWriters } from './support/split-brain';
import { until } from '../support/until';

jest.setTimeout(120_000);

const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const SIGNER = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';

/**
 * The zombie fence of the facilitator's recorder on the real broker: two facilitators that BOTH believe they own every
 * partition (each alone in its own group: a split brain made permanent) record conflicting settlement submissions
 * (two different transactions) for the same verified payments. The log's order decides: exactly one per payment is
 * recorded, the other gets NOT_RECORDED (503 + Retry-After) and both processes' states agree with the log.
 */
describe('Settlement record fence (real broker)', () => {
  const logs: EventLog[] = [];
  afterAll(async () => {
    await Promise.all(logs.map((l) => l.close()));
  });

  it('two facilitators recording a submission at the same sequence: exactly one is kept and answered', async () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00.000Z'));
    const splitBrain = splitBrainWriters('own.fence.settle', logs);
    const writer = async (name: string) => {
      const { log, ownership } = await splitBrain(name);
      return { log, store: new InMemoryPaymentStateStore().useOwnership(ownership) };
    };
    const a = await writer('a');
    const b = await writer('b');
    const payments: Array<{ paymentId: string; submit: (tx: string) => PaymentCommand }> = [];
    for (let i = 0; i < 6; i++) {
      const { paymentId, commands } = settledPaymentCommands({ payer: PAYER, amount: '500' });
      const [verified, settled] = commands;
      await a.log.append(buildEnvelopes(clock, 'acme', paymentId, [verified]).envelopes);
      const keys = ['paymentId', 'scheme', 'network', 'asset', 'amount', 'payer', 'payTo', 'resourceUrl'];
      const facts = settled.data as Record<string, unknown>;
      const common = Object.fromEntries(keys.map((k) => [k, facts[k]]));
      payments.push({
        paymentId,
        submit: (txHash) =>
          ({
            type: 'RecordSettlementSubmitted',
            data: { ...common, txHash, signer: SIGNER, submittedAt: '2030-01-01T00:00:01.000Z' },
          }) as PaymentCommand,
      });
    }
    await Promise.all([a.store.load(a.log), b.store.load(b.log)]);
    for (const { paymentId } of payments) {
      expect(a.store.get(paymentId)?.status).toBe('verified');
      expect(b.store.get(paymentId)?.status).toBe('verified');
    }
    const options: FacilitatorOptions = { networks: [], mode: 'dev', stateDir: '/nonexistent' };
    const recorderA = new PaymentRecorder(a.log, a.store, clock, options);
    const recorderB = new PaymentRecorder(b.log, b.store, clock, options);
    const txA = (i: number) => `0x${'a'.repeat(62)}${i.toString(16).padStart(2, '0')}`;
    const txB = (i: number) => `0x${'b'.repeat(62)}${i.toString(16).padStart(2, '0')}`;

    const results = await Promise.all(
      payments.map(({ paymentId, submit }, i) =>
        Promise.allSettled([
          recorderA.record(paymentId, 'acme', `a-${i}`, submit(txA(i))),
          recorderB.record(paymentId, 'acme', `b-${i}`, submit(txB(i))),
        ]),
      ),
    );
    const submitted: LoggedEvent[] = [];
    await a.log.replay(
      async (batch) => void submitted.push(...batch.filter((e) => e.envelope.type === 'payment.settlement_submitted')),
    );
    for (const [i, [ra, rb]] of results.entries()) {
      const { paymentId } = payments[i];
      const won = [ra, rb].filter((r) => r.status === 'fulfilled');
      const lost = [ra, rb].filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toMatchObject({ code: FacilitatorErrorCode.NOT_RECORDED, retryAfterSeconds: 1 });
      expect((lost[0].reason as Error).message).toMatch(/another writer recorded facts on this payment first/);
      const winnerTx = ra.status === 'fulfilled' ? txA(i) : txB(i);
      // The first submission of the payment in log order is the winner's; the loser's sits after it, ignored.
      const ofPayment = submitted.filter((e) => e.envelope.streamId === paymentId);
      expect(ofPayment).toHaveLength(2);
      expect((ofPayment[0].envelope.data as { txHash: string }).txHash).toBe(winnerTx);
      // Both processes' states are the log's: the winner's transaction only.
      for (const store of [a.store, b.store]) {
        await until(() => store.get(paymentId)?.submittedTxHashes.join() === winnerTx, 10_000, 'the winner fold');
        expect(store.get(paymentId)?.status).toBe('settlement_submitted');
      }
      expect((won[0] as PromiseFulfilledResult<{ submittedTxHashes: string[] }>).value.submittedTxHashes).toEqual([
        winnerTx,
      ]);
    }
  });
});
