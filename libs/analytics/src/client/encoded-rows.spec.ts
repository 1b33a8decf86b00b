import { encodeRows, toJsonLines } from './encoded-rows';

describe('toJsonLines', () => {
  it('writes one JSON document per line, bigints as decimal strings, across buffer growth', () => {
    const long = 'x'.repeat(70_000);
    const sut = toJsonLines([['a', null, 1, { q: 'ü\n"' }], ['b', 10n, long], { k: 2n ** 70n }]);
    expect(sut.toString('utf8')).toBe(
      `["a",null,1,{"q":"ü\\n\\""}]\n["b","10","${long}"]\n{"k":"${(2n ** 70n).toString()}"}\n`,
    );
  });
});

describe('encodeRows', () => {
  it('keeps format, columns and row count; TabSeparated goes through the TSV encoder', () => {
    const sut = encodeRows([['a', null]], 'TabSeparated', ['id', 'note']);
    expect(sut).toMatchObject({ format: 'TabSeparated', rowCount: 1, columns: ['id', 'note'] });
    expect(sut.body.toString('utf8')).toBe('a\t\\N\n');
  });
});

describe('toJsonLines with non-ASCII text', () => {
  it('grows past the ASCII-sized estimate without truncating', () => {
    const rows = Array.from({ length: 50 }, (_, i) => [`€${'ü'.repeat(i * 40)}`, i]);
    const sut = toJsonLines(rows);
    expect(sut.toString('utf8')).toBe(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  });
});
