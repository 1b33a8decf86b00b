import { toTsv } from './tsv.util';

describe('toTsv', () => {
  it('writes NULL as \\N, escapes strings, and objects as JSON text', () => {
    const sut = toTsv([
      ['a', null, 1, 10n, true, ''],
      ['tab\there', 'new\nline', 'back\\slash', '\\N', { q: 'x"y\\z', n: [1] }, 'cr\r'],
    ]);
    expect(sut).toBe(
      'a\t\\N\t1\t10\t1\t\n' +
        'tab\\there\tnew\\nline\tback\\\\slash\t\\\\N\t{"q":"x\\\\"y\\\\\\\\z","n":[1]}\tcr\\r\n',
    );
  });
});
