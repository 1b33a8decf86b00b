import { type EventLog, type LoggedEvent } from '@x402-ledger/event-log';
import { refundId } from '@x402-ledger/ledger';
import {
  FoldedPaymentStreams,
  InProcessPaymentLocks,
  PaymentCommandBus,
  RefundsErrorCode,
  resolveRefundsOptions,
} from '@x402-ledger/refunds';
import {
  buildEnvelopes,
  ManualClock,
  settledPaymentCommands,
} from '../../../libs/refunds/src/testing/payment-stream.fixture';
import { splitBrainWriters } from './support/split-brain';
import { until } from '../support/until';

jest.setTimeout(120_000);

const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

/**
 * The zombie fence of the refunds command bus on the real broker: two writers that BOTH believe they own every
 * partition (each alone in its own group — a split brain made permanent) decide conflicting refunds on the same
 * payments. The log's order decides: exactly one command per payment succeeds, the other fails WRITE_CONFLICT
 * (retryable) and both writers' states agree with the log.
 */
describe('Refund command fence (real broker)', () => {
  const logs: EventLog[] = [];
  afterAll(async () => {
    await Promise.all(logs.map((l) => l.close()));
  });

  it('two writers deciding the same sequence: exactly one succeeds, the other gets WRITE_CONFLICT', async () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00.000Z'));
    const splitBrain = splitBrainWriters('own.fence.bus', logs);
    const writer = async (name: string) => {
      const { log, ownership } = await splitBrain(name);
      return { log, store: new FoldedPaymentStreams(ownership), ownership };
    };
    const a = await writer('a');
    const b = await writer('b');
    const payments: string[] = [];
    for (let i = 0; i < 6; i++) {
      const settled = settledPaymentCommands({ payer: PAYER, amount: '500' });
      payments.push(settled.paymentId);
      await a.log.append(buildEnvelopes(clock, 'acme', settled.paymentId, settled.commands).envelopes);
    }
    await Promise.all([a.store.load(a.log), b.store.load(b.log)]);
    const options = resolveRefundsOptions({ siwxDomain: 'x' });
    const busA = new PaymentCommandBus(a.log, a.store, new InProcessPaymentLocks(), clock, options);
    const busB = new PaymentCommandBus(b.log, b.store, new InProcessPaymentLocks(), clock, options);
    const request = (bus: PaymentCommandBus, paymentId: string, key: string) =>
      bus.withPayment(paymentId, (s) =>
        s.record(
          [
            {
              type: 'RequestRefund',
              data: {
                refundId: refundId({ paymentId, idempotencyKey: key }),
                paymentId,
                amount: '500',
                reason: 'fence',
                requestedBy: 'provider',
                idempotencyKey: key,
              },
            },
          ],
          { correlationId: key },
        ),
      );

    const results = await Promise.all(
      payments.map((p) => Promise.allSettled([request(busA, p, `a-${p}`), request(busB, p, `b-${p}`)])),
    );
    const requested: LoggedEvent[] = [];
    await a.log.replay(
      async (batch) => void requested.push(...batch.filter((e) => e.envelope.type === 'refund.requested')),
    );
    for (const [i, [ra, rb]] of results.entries()) {
      const paymentId = payments[i];
      const won = [ra, rb].filter((r) => r.status === 'fulfilled');
      const lost = [ra, rb].filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      // Either the loser decided the same sequence and the log kept the other (WRITE_CONFLICT), or it decided
      // after folding the winner's request (the domain refusal): never two refunds.
      expect([RefundsErrorCode.WRITE_CONFLICT, 'REFUND_IN_FLIGHT']).toContain(lost[0].reason.code);
      // Both writers' states agree: the refund in flight is the winner's.
      const winnerKey = ra.status === 'fulfilled' ? `a-${paymentId}` : `b-${paymentId}`;
      const winnerRefund = refundId({ paymentId, idempotencyKey: winnerKey });
      await until(() => b.store.get(paymentId)?.refundInFlight === winnerRefund, 10_000, 'b to fold the winner');
      await until(() => a.store.get(paymentId)?.refundInFlight === winnerRefund, 10_000, 'a to fold the winner');
      // The first refund.requested of the payment in log order is the winner's.
      const first = requested.find((e) => e.envelope.streamId === paymentId);
      expect((first?.envelope.data as { refundId: string }).refundId).toBe(winnerRefund);
    }
    // The race really happened: losers appended their facts at the same sequence and were fenced off (their
    // refund.requested sits on the log after the winner's, ignored by every fold).
    const conflicts = results.flat().filter((r) => r.status === 'rejected' && r.reason.code === 'WRITE_CONFLICT');
    expect(conflicts.length).toBeGreaterThanOrEqual(1);
    expect(requested.length).toBe(payments.length + conflicts.length);
  });
});
