import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ledger from '@x402-ledger/ledger';
import { decodeEnvelope, encodeEnvelope, envelopeProblem, eventHeaders, EVENT_HEADER } from './envelope-codec';
import { EventLogErrorCode } from './event-log.exception';
import { sampleEnvelope } from './testing/sample-envelope';

describe('envelope codec', () => {
  const envelope = sampleEnvelope('codec', 3);

  it('encodes canonical JSON: keys sorted at every depth, independent of input key order', () => {
    const shuffled = {
      ...envelope,
      data: { z: { b: 1, a: [{ d: 1, c: 2 }] }, a: 'x', m: undefined },
    };
    const reordered = Object.fromEntries(Object.entries(shuffled).reverse()) as typeof shuffled;
    const bytes = encodeEnvelope(shuffled);
    expect(bytes.equals(encodeEnvelope(reordered))).toBe(true);
    const text = bytes.toString('utf8');
    expect(text.startsWith('{"causationId":null,"correlationId":')).toBe(true);
    expect(text).toContain('"data":{"a":"x","z":{"a":[{"c":2,"d":1}],"b":1}}');
    expect(text.endsWith('"type":"payment.settled","version":1}')).toBe(true);
  });

  it("writes the ledger codec's bytes: every stored v1 fixture re-encodes to itself", () => {
    const dir = join(__dirname, '..', '..', 'ledger', 'src', 'events', '__fixtures__', 'v1');
    const files = readdirSync(dir).filter((f) => f.endsWith('.event'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const stored = readFileSync(join(dir, file));
      const envelope = ledger.decodeEnvelope(stored, { upcast: false });
      expect(encodeEnvelope(envelope).equals(stored)).toBe(true);
      expect(encodeEnvelope(envelope).equals(ledger.encodeEnvelope(envelope))).toBe(true);
    }
  });

  it('round-trips an envelope', () => {
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it('refuses bytes that are not an envelope with CORRUPT_RECORD', () => {
    expect(() => decodeEnvelope(Buffer.from('{nope'))).toThrow(
      expect.objectContaining({ code: EventLogErrorCode.CORRUPT_RECORD }),
    );
    expect(() => decodeEnvelope(Buffer.from('{"id":"x"}'))).toThrow(/id must be 64 lowercase hex/);
  });

  it('names the three headers (the stream id is the record key)', () => {
    expect(eventHeaders(envelope)).toEqual({
      [EVENT_HEADER.id]: envelope.id,
      [EVENT_HEADER.type]: 'payment.settled',
      [EVENT_HEADER.version]: '1',
    });
    expect(Object.values(EVENT_HEADER)).toEqual(['x402-event-id', 'x402-event-type', 'x402-event-version']);
  });

  it.each([
    [{ sequence: 0 }, 'sequence'],
    [{ version: 1.5 }, 'version'],
    [{ streamId: '' }, 'streamId'],
    [{ type: '' }, 'type'],
    [{ data: [] }, 'data'],
  ])('envelopeProblem flags %j', (patch, word) => {
    expect(envelopeProblem({ ...envelope, ...patch })).toContain(word);
    expect(envelopeProblem(envelope)).toBeNull();
  });
});
