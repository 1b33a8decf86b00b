import { inlineParams } from './inline-params.util';

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

describe('inlineParams', () => {
  it('turns each known placeholder into a hex literal cast to its type', () => {
    const sut = inlineParams("SELECT 1 WHERE t = {t:String} AND at >= {from:DateTime64(3, 'UTC')} AND n < {n:UInt64}", {
      t: 'acme',
      from: '2026-01-01 00:00:00.000',
      n: 5,
    });
    expect(sut).toBe(
      `SELECT 1 WHERE t = CAST(unhex('${hex('acme')}') AS String) AND at >= ` +
        `CAST(unhex('${hex('2026-01-01 00:00:00.000')}') AS DateTime64(3, 'UTC')) AND n < CAST(unhex('${hex('5')}') AS UInt64)`,
    );
  });

  it('cannot be escaped by the value: quotes, backslashes, comments and braces stay hex digits', () => {
    const evil = "x') OR 1=1 -- \\' {t:String} ; DROP TABLE payments";
    const sut = inlineParams('SELECT * FROM p WHERE t = {t:String}', { t: evil });
    expect(sut).toBe(`SELECT * FROM p WHERE t = CAST(unhex('${hex(evil)}') AS String)`);
    expect(sut.slice(sut.indexOf("unhex('") + 7, sut.lastIndexOf("')"))).toMatch(/^[0-9a-f]+$/);
  });

  it('renders arrays in text format, NULL for null, and leaves unknown placeholders alone', () => {
    expect(inlineParams('{a:Array(String)}', { a: ["o'k", 'b\\c'] })).toBe(
      `CAST(unhex('${hex("['o\\'k','b\\\\c']")}') AS Array(String))`,
    );
    expect(inlineParams('{v:Nullable(String)}', { v: null })).toBe('CAST(NULL AS Nullable(String))');
    expect(inlineParams('{missing:String}', {})).toBe('{missing:String}');
    expect(() => inlineParams('{n:Float64}', { n: Number.NaN })).toThrow(/non-finite/);
  });
});
