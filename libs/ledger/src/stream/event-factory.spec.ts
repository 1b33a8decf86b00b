import { encodeEnvelope } from '../envelope/envelope.codec';
import { eventId } from '../ids/ledger-ids.util';
import {
  eventContext,
  expectLedgerError,
  FixedClock,
  PAYMENT_ID,
  settledData,
  submittedData,
  verifiedData,
} from '../testing/ledger-test-data';
import { EventFactory } from './event-factory';

describe('EventFactory', () => {
  const stream = { streamType: 'payment' as const, streamId: PAYMENT_ID, lastSequence: 4 };

  it('numbers drafts after the last sequence with deterministic ids and the context', () => {
    const clock = new FixedClock(new Date('2026-05-05T05:05:05.555Z'));
    const sut = new EventFactory(clock);
    const [a, b] = sut.create(
      stream,
      [
        { type: 'payment.settlement_submitted', data: submittedData() },
        { type: 'payment.settled', data: settledData(), occurredAt: '2026-05-05T05:05:00.000Z' },
      ],
      { ...eventContext, causationId: 'cmd-1' },
    );
    expect([a.sequence, b.sequence]).toEqual([5, 6]);
    expect(a.id).toBe(eventId(PAYMENT_ID, 'payment.settlement_submitted', 5));
    expect(b.id).toBe(eventId(PAYMENT_ID, 'payment.settled', 6));
    expect(a.recordedAt).toBe('2026-05-05T05:05:05.555Z');
    expect(a.occurredAt).toBe('2026-05-05T05:05:05.555Z');
    expect(b.occurredAt).toBe('2026-05-05T05:05:00.000Z');
    expect(b).toMatchObject({
      version: 1,
      tenant: 'acme',
      correlationId: 'corr-1',
      causationId: 'cmd-1',
      producer: 'ledger-spec',
    });
  });

  it('yields identical bytes and ids when a decision is retried with the same clock reading', () => {
    const drafts = [{ type: 'payment.verified' as const, data: verifiedData() }];
    const first = new EventFactory(new FixedClock()).create(stream, drafts, eventContext);
    const retry = new EventFactory(new FixedClock()).create(stream, drafts, eventContext);
    expect(encodeEnvelope(retry[0]).equals(encodeEnvelope(first[0]))).toBe(true);
  });

  it('refuses drafts that break their contract or land on the wrong stream', () => {
    const sut = new EventFactory(new FixedClock());
    expectLedgerError(
      () => sut.create(stream, [{ type: 'payment.settled', data: { ...settledData(), amount: '-1' } }], eventContext),
      'INVALID_EVENT',
    );
    expectLedgerError(
      () =>
        sut.create(
          { ...stream, streamId: 'f'.repeat(64) },
          [{ type: 'payment.settled', data: settledData() }],
          eventContext,
        ),
      'INVALID_EVENT',
    );
    expectLedgerError(
      () =>
        sut.create(
          { ...stream, streamType: 'session' },
          [{ type: 'payment.settled', data: settledData() }],
          eventContext,
        ),
      'INVALID_EVENT',
    );
    expectLedgerError(() => sut.create({ ...stream, lastSequence: -1 }, [], eventContext), 'STREAM_MISMATCH');
    expectLedgerError(
      () => sut.create(stream, [{ type: 'payment.nope', data: {} } as never], eventContext),
      'UNKNOWN_EVENT_TYPE',
    );
  });
});
