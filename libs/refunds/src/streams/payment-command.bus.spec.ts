import {
  EventLog,
  EventLogErrorCode,
  EventLogException,
  StreamOwnership,
  type BatchHandler,
  type LogPosition,
  type Subscription,
} from '@x402-ledger/event-log';
import { LedgerErrorCode, refundId, type EventEnvelope } from '@x402-ledger/ledger';
import { RefundsErrorCode } from '../refunds.exception';
import { resolveRefundsOptions } from '../refunds.options';
import { buildEnvelopes, ManualClock, settledPaymentCommands } from '../testing/payment-stream.fixture';
import { FoldedPaymentStreams, InProcessPaymentLocks } from './folded-payment-streams';
import { PaymentCommandBus } from './payment-command.bus';

/** An in-memory EventLog whose appends can be made to fail. */
class FakeEventLog extends EventLog {
  readonly appended: EventEnvelope[][] = [];
  failures = 0;
  async append(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    this.appended.push([...envelopes]);
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('broker away');
    }
    return envelopes.map((_, i) => ({ partition: 0, offset: String(i) }));
  }
  async subscribe(): Promise<Subscription> {
    throw new Error('not used');
  }
  async replay(_handler: BatchHandler): Promise<void> {}
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

/** Kafka-like ownership: claims fail when not the owner; awaitFolded lets the spec play the log's fold. */
class FakeOwnership extends StreamOwnership {
  readonly fenced = true;
  owner = true;
  onAwaitFolded: () => void = () => undefined;
  async start(): Promise<void> {}
  owns(): boolean {
    return this.owner;
  }
  async claim(): Promise<void> {
    if (!this.owner) {
      throw new EventLogException(EventLogErrorCode.NOT_OWNER, 'not mine', {
        details: { partition: 2, ownerUrl: 'http://owner' },
      });
    }
  }
  async awaitFolded(): Promise<void> {
    this.onAwaitFolded();
  }
  partitionOf(): number {
    return 2;
  }
  ownedPartitions(): number[] {
    return this.owner ? [2] : [];
  }
  async close(): Promise<void> {}
}

describe('PaymentCommandBus', () => {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00.000Z'));
  let log: FakeEventLog;
  let store: FoldedPaymentStreams;
  let sut: PaymentCommandBus;
  let paymentId: string;

  beforeEach(() => {
    log = new FakeEventLog();
    store = new FoldedPaymentStreams();
    sut = new PaymentCommandBus(
      log,
      store,
      new InProcessPaymentLocks(),
      clock,
      resolveRefundsOptions({ siwxDomain: 'x' }),
    );
    const settled = settledPaymentCommands({ payer: PAYER, amount: '100' });
    paymentId = settled.paymentId;
    store.apply(buildEnvelopes(clock, 'acme', paymentId, settled.commands).envelopes);
  });

  const request = (key: string, amount: string) => ({
    type: 'RequestRefund' as const,
    data: {
      refundId: refundId({ paymentId, idempotencyKey: key }),
      paymentId,
      amount,
      reason: 'r',
      requestedBy: 'provider' as const,
      idempotencyKey: key,
    },
  });

  it('decides, appends in one call with the next sequences and the stream tenant, then folds', async () => {
    const appended = await sut.withPayment(paymentId, (s) =>
      s.record(
        [
          request('a', '40'),
          { type: 'ApproveRefund', data: { refundId: refundId({ paymentId, idempotencyKey: 'a' }), approvedBy: 'p' } },
        ],
        { correlationId: 'c' },
      ),
    );
    expect(appended.map((e) => [e.type, e.sequence, e.tenant])).toEqual([
      ['refund.requested', 3, 'acme'],
      ['refund.approved', 4, 'acme'],
    ]);
    expect(log.appended).toHaveLength(1);
    expect(store.get(paymentId)?.sequence).toBe(4);
    // The same commands again record nothing.
    await expect(
      sut.withPayment(paymentId, (s) => s.record([request('a', '40')], { correlationId: 'c' })),
    ).resolves.toEqual([]);
    expect(log.appended).toHaveLength(1);
  });

  it('retries a failed append with the very same envelopes, and folds only once it is durable', async () => {
    log.failures = 2;
    await sut.withPayment(paymentId, (s) => s.record([request('a', '40')], { correlationId: 'c' }));
    expect(log.appended).toHaveLength(3);
    expect(log.appended[1]).toEqual(log.appended[0]);
    expect(log.appended[2]).toEqual(log.appended[0]);
    expect(store.get(paymentId)?.refundInFlight).not.toBeNull();
  });

  it('leaves the state untouched when the log never takes the facts', async () => {
    log.failures = 3;
    await expect(
      sut.withPayment(paymentId, (s) => s.record([request('a', '40')], { correlationId: 'c' })),
    ).rejects.toMatchObject({
      code: RefundsErrorCode.NOT_RECORDED,
    });
    expect(store.get(paymentId)?.sequence).toBe(2);
    expect(store.get(paymentId)?.refundInFlight).toBeNull();
  });

  it('serializes concurrent commands on one payment: one refund in flight wins', async () => {
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((k) => sut.withPayment(paymentId, (s) => s.record([request(k, '60')], { correlationId: k }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(
      [LedgerErrorCode.REFUND_IN_FLIGHT, LedgerErrorCode.REFUND_IN_FLIGHT],
    );
    expect(log.appended).toHaveLength(1);
  });

  it('refuses an unknown payment and appends nothing for a refused command', async () => {
    await expect(sut.withPayment('f'.repeat(64), async () => undefined)).rejects.toMatchObject({
      code: RefundsErrorCode.NOT_FOUND,
    });
    await expect(
      sut.withPayment(paymentId, (s) => s.record([request('a', '101')], { correlationId: 'c' })),
    ).rejects.toMatchObject({
      code: LedgerErrorCode.REFUND_EXCEEDS_SETTLED,
    });
    expect(log.appended).toHaveLength(0);
  });

  it('tells listeners about facts recorded before a later step failed', async () => {
    const seen: number[] = [];
    sut.onAppended(async (envelopes) => void seen.push(envelopes.length));
    await expect(
      sut.withPayment(paymentId, async (s) => {
        await s.record([request('a', '40')], { correlationId: 'c' });
        throw new Error('broadcast failed');
      }),
    ).rejects.toThrow('broadcast failed');
    expect(seen).toEqual([1]);
  });

  describe('fenced (Kafka mode)', () => {
    let ownership: FakeOwnership;
    let fenced: FoldedPaymentStreams;

    beforeEach(() => {
      ownership = new FakeOwnership();
      fenced = new FoldedPaymentStreams(ownership);
      const settled = settledPaymentCommands({ payer: PAYER, amount: '100' });
      paymentId = settled.paymentId;
      fenced.apply(buildEnvelopes(clock, 'acme', paymentId, settled.commands).envelopes);
      sut = new PaymentCommandBus(
        log,
        fenced,
        new InProcessPaymentLocks(),
        clock,
        resolveRefundsOptions({ siwxDomain: 'x' }),
      );
    });

    it('refuses with a retryable NOT_OWNER naming the owner when another process owns the payment', async () => {
      ownership.owner = false;
      const refused = sut.withPayment(paymentId, (s) => s.record([request('a', '40')], { correlationId: 'c' }));
      await expect(refused).rejects.toMatchObject({
        code: RefundsErrorCode.NOT_OWNER,
        retryable: true,
        details: { partition: 2, ownerUrl: 'http://owner' },
      });
      expect(log.appended).toHaveLength(0);
    });

    it('does not fold its own append: it takes the state the log folded once that is exactly its facts', async () => {
      ownership.onAwaitFolded = () => fenced.apply(log.appended[log.appended.length - 1]);
      await sut.withPayment(paymentId, (s) => s.record([request('a', '40')], { correlationId: 'c' }));
      expect(fenced.get(paymentId)?.refundInFlight).toBe(refundId({ paymentId, idempotencyKey: 'a' }));
    });

    it('fails WRITE_CONFLICT (retryable, no listener, no later step) when the log kept another writer first', async () => {
      const seen: number[] = [];
      sut.onAppended(async (e) => void seen.push(e.length));
      const other = buildEnvelopes(clock, 'acme', paymentId, [request('zombie', '60')], fenced.get(paymentId)!);
      ownership.onAwaitFolded = () => fenced.apply(other.envelopes); // first in partition order
      let after = false;
      await expect(
        sut.withPayment(paymentId, async (s) => {
          await s.record([request('a', '40')], { correlationId: 'c' });
          after = true;
        }),
      ).rejects.toMatchObject({ code: RefundsErrorCode.WRITE_CONFLICT, retryable: true });
      expect(after).toBe(false);
      expect(seen).toEqual([]);
      expect(fenced.get(paymentId)?.refundInFlight).toBe(refundId({ paymentId, idempotencyKey: 'zombie' }));
    });
  });
});
