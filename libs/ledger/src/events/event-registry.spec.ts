import { z } from 'zod';

import { expectLedgerError } from '../testing/ledger-test-data';
import { EventRegistry } from './event-registry';
import { eventRegistry, latestEventSchemas } from './ledger-events';

describe('EventRegistry', () => {
  const v1 = z.strictObject({ a: z.string() });
  const v2 = z.strictObject({ a: z.string(), b: z.number() });
  const v3 = z.strictObject({ ab: z.string() });

  it('refuses gaps, duplicates and missing upcasters', () => {
    expect(() =>
      new EventRegistry().register({ type: 'x.y', streamType: 'system', versions: [{ version: 2, schema: v1 }] }),
    ).toThrow(/without gaps/);
    expect(() =>
      new EventRegistry().register({
        type: 'x.y',
        streamType: 'system',
        versions: [
          { version: 1, schema: v1 },
          { version: 2, schema: v2 },
        ],
      }),
    ).toThrow(/needs an upcaster/);
    const sut = new EventRegistry().register({
      type: 'x.y',
      streamType: 'system',
      versions: [{ version: 1, schema: v1 }],
    });
    expect(() => sut.register({ type: 'x.y', streamType: 'system', versions: [{ version: 1, schema: v1 }] })).toThrow(
      /already registered/,
    );
  });

  it('chains upcasters v1 → v2 → v3 and validates every step', () => {
    const sut = new EventRegistry().register({
      type: 'x.y',
      streamType: 'system',
      versions: [
        { version: 1, schema: v1, upcast: (d) => ({ ...d, b: 7 }) },
        { version: 2, schema: v2, upcast: (d) => ({ ab: `${String(d['a'])}${String(d['b'])}` }) },
        { version: 3, schema: v3 },
      ],
    });
    expect(sut.latestVersion('x.y')).toBe(3);
    expect(sut.parseData('x.y', 1, { a: 'q' })).toEqual({ version: 3, data: { ab: 'q7' } });
    expect(sut.parseData('x.y', 2, { a: 'q', b: 1 })).toEqual({ version: 3, data: { ab: 'q1' } });
    expect(sut.parseData('x.y', 1, { a: 'q' }, { upcast: false })).toEqual({ version: 1, data: { a: 'q' } });
    expectLedgerError(() => sut.parseData('x.y', 1, { a: 1 }), 'INVALID_EVENT');
    expectLedgerError(() => sut.parseData('x.y', 4, { a: 'q' }), 'UNKNOWN_EVENT_VERSION');
    expectLedgerError(() => sut.parseData('x.z', 1, {}), 'UNKNOWN_EVENT_TYPE');
  });

  it('fails an upcaster that produces invalid latest data', () => {
    const sut = new EventRegistry().register({
      type: 'x.y',
      streamType: 'system',
      versions: [
        { version: 1, schema: v1, upcast: (d) => d },
        { version: 2, schema: v2 },
      ],
    });
    expectLedgerError(() => sut.parseData('x.y', 1, { a: 'q' }), 'INVALID_EVENT');
  });

  it('registers every ledger event type at v1 on the right stream type', () => {
    expect(eventRegistry.types()).toHaveLength(Object.keys(latestEventSchemas).length);
    expect(eventRegistry.streamTypeOf('refund.succeeded')).toBe('payment');
    expect(eventRegistry.streamTypeOf('dispute.lost')).toBe('payment');
    expect(eventRegistry.streamTypeOf('session.nonce_consumed')).toBe('session');
    expect(eventRegistry.streamTypeOf('discovery.resource_updated')).toBe('discovery');
    for (const type of eventRegistry.types()) expect(eventRegistry.latestVersion(type)).toBe(1);
  });
});
