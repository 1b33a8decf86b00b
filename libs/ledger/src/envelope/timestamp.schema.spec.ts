import fc from 'fast-check';

import { timestampSchema } from './timestamp.schema';

describe('timestampSchema', () => {
  it('accepts what Date#toISOString prints (property)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00.000Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        (date) => {
          expect(timestampSchema.safeParse(date.toISOString()).success).toBe(true);
        },
      ),
    );
  });

  it.each(['2024-02-29T00:00:00.000Z', '2000-02-29T23:59:59.999Z'])('accepts the leap day %s', (value) => {
    expect(timestampSchema.safeParse(value).success).toBe(true);
  });

  it.each([
    '2026-02-29T00:00:00.000Z',
    '1900-02-29T00:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-01-01T24:00:00.000Z',
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00.0000Z',
    '2026-01-01T00:00:00.000+00:00',
    '2026-01-01 00:00:00.000Z',
    '2026-01-01T00:00:00.000Z:00.000',
  ])('refuses %s', (value) => {
    expect(timestampSchema.safeParse(value).success).toBe(false);
  });
});
