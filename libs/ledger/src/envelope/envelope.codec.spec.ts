import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { EventRegistry } from '../events/event-registry';
import { eventRegistry, latestEventSchemas } from '../events/ledger-events';
import { paymentSettledV1 } from '../events/payment.events';
import { eventId } from '../ids/ledger-ids.util';
import { expectLedgerError } from '../testing/ledger-test-data';
import { decodeEnvelope, encodeEnvelope } from './envelope.codec';
import type { EventEnvelope } from './event-envelope';

const FIXTURES = join(__dirname, '..', 'events', '__fixtures__', 'v1');
const fixture = (type: string): Buffer => readFileSync(join(FIXTURES, `${type}.event`));

describe('envelope codec', () => {
  it('has a stored v1 fixture for every registered event type', () => {
    const stored = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.event'))
      .map((f) => f.replace(/\.event$/, ''))
      .sort();
    expect(stored).toEqual(eventRegistry.types());
    expect(eventRegistry.types()).toEqual(Object.keys(latestEventSchemas).sort());
  });

  it.each(Object.keys(latestEventSchemas))('reads the stored v1 %s and re-encodes it to identical bytes', (type) => {
    const bytes = fixture(type);
    const sut = decodeEnvelope(bytes);
    expect(sut.type).toBe(type);
    expect(sut.version).toBe(1);
    expect(sut.id).toBe(eventId(sut.streamId, sut.type, sut.sequence));
    expect(encodeEnvelope(sut).equals(bytes)).toBe(true);
  });

  it('encodes canonically: key order does not matter, bytes are stable', () => {
    const envelope = decodeEnvelope(fixture('payment.settled'));
    const reversed = Object.fromEntries(Object.entries(envelope).reverse()) as EventEnvelope;
    reversed.data = Object.fromEntries(Object.entries(envelope.data).reverse());
    const a = encodeEnvelope(envelope);
    expect(encodeEnvelope(reversed).equals(a)).toBe(true);
    expect(encodeEnvelope(envelope).equals(a)).toBe(true);
    expect(a.toString('utf8')).not.toMatch(/\s/);
  });

  it('refuses bad bytes and bad envelopes with typed codes', () => {
    const good = JSON.parse(fixture('payment.settled').toString('utf8')) as Record<string, unknown>;
    const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
    expectLedgerError(() => decodeEnvelope(Buffer.from('{not json')), 'INVALID_EVENT');
    expectLedgerError(() => decodeEnvelope(bytes({ ...good, extra: 1 })), 'INVALID_EVENT');
    expectLedgerError(() => decodeEnvelope(bytes({ ...good, id: 'f'.repeat(64) })), 'INVALID_EVENT');
    expectLedgerError(() => decodeEnvelope(bytes({ ...good, streamType: 'session' })), 'INVALID_EVENT');
    expectLedgerError(() => decodeEnvelope(bytes({ ...good, version: 2 })), 'UNKNOWN_EVENT_VERSION');
    expectLedgerError(() => decodeEnvelope(bytes({ ...good, type: 'payment.teleported' })), 'UNKNOWN_EVENT_TYPE');
    const data = good['data'] as Record<string, unknown>;
    expectLedgerError(() => decodeEnvelope(bytes({ ...good, data: { ...data, amount: '01' } })), 'INVALID_EVENT');
    expectLedgerError(
      () => decodeEnvelope(bytes({ ...good, data: { ...data, amount: '1'.repeat(79) } })),
      'INVALID_EVENT',
    );
    expectLedgerError(() => decodeEnvelope(bytes({ ...good, data: { ...data, payer: '0x123' } })), 'INVALID_EVENT');
    expectLedgerError(() => decodeEnvelope(bytes({ ...good, data: { ...data, txHash: '0x12' } })), 'INVALID_EVENT');
    expectLedgerError(
      () => decodeEnvelope(bytes({ ...good, data: { ...data, blockTimestamp: '2026-03-01T12:00:02Z' } })),
      'INVALID_EVENT',
    );
    expectLedgerError(() => decodeEnvelope(bytes({ ...good, data: { ...data, surprise: true } })), 'INVALID_EVENT');
    // the event must live on its payment's stream
    const otherStream = 'e'.repeat(64);
    expectLedgerError(
      () =>
        decodeEnvelope(
          bytes({
            ...good,
            streamId: otherStream,
            id: eventId(otherStream, 'payment.settled', good['sequence'] as number),
          }),
        ),
      'INVALID_EVENT',
    );
    expectLedgerError(
      () => encodeEnvelope({ ...(good as EventEnvelope), data: { ...data, amount: 5 } }),
      'INVALID_EVENT',
    );
  });

  describe('schema evolution (ADR 0002)', () => {
    // A hypothetical payment.settled v2: gas cost as one field, logIndex renamed. The stored v1 bytes must still read.
    const paymentSettledV2 = paymentSettledV1
      .omit({ gasUsed: true, effectiveGasPrice: true, logIndex: true })
      .extend({ gasCostWei: z.string().regex(/^(0|[1-9][0-9]*)$/), transferLogIndex: z.number().int().nonnegative() });
    const registry = new EventRegistry().register({
      type: 'payment.settled',
      streamType: 'payment',
      streamIdOf: (data) => data['paymentId'] as string,
      versions: [
        {
          version: 1,
          schema: paymentSettledV1,
          upcast: (v1) => {
            const { gasUsed, effectiveGasPrice, logIndex, ...rest } = v1;
            return {
              ...rest,
              gasCostWei: (BigInt(gasUsed as string) * BigInt(effectiveGasPrice as string)).toString(),
              transferLogIndex: logIndex,
            };
          },
        },
        { version: 2, schema: paymentSettledV2 },
      ],
    });

    it('upcasts the stored v1 fixture to the latest version on read', () => {
      const sut = decodeEnvelope(fixture('payment.settled'), {}, registry);
      expect(sut.version).toBe(2);
      expect(sut.data['gasCostWei']).toBe('60000000000000');
      expect(sut.data['transferLogIndex']).toBe(0);
      expect(sut.data).not.toHaveProperty('gasUsed');
      expect(sut.id).toBe(decodeEnvelope(fixture('payment.settled')).id);
    });

    it('keeps the stored version when asked not to upcast, and re-encodes the stored bytes', () => {
      const sut = decodeEnvelope(fixture('payment.settled'), { upcast: false }, registry);
      expect(sut.version).toBe(1);
      expect(encodeEnvelope(sut, registry).equals(fixture('payment.settled'))).toBe(true);
    });

    it('writes and reads the new version', () => {
      const v2 = decodeEnvelope(fixture('payment.settled'), {}, registry);
      const again = decodeEnvelope(encodeEnvelope(v2, registry), {}, registry);
      expect(again).toEqual(v2);
      expectLedgerError(() => encodeEnvelope(v2), 'UNKNOWN_EVENT_VERSION');
    });
  });
});
