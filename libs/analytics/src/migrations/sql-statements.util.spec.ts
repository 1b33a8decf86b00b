import { splitSqlStatements } from './sql-statements.util';

describe('splitSqlStatements', () => {
  it('splits on ; outside literals and drops comments', () => {
    const sut = splitSqlStatements(`
      -- a comment; with a semicolon
      CREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Null;
      /* block; comment */ SELECT "we;ird", \`b;c\`, 'it''s; fine', 'back\\'slash;';
      SELECT 1`);
    expect(sut).toEqual([
      "CREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Null",
      `SELECT "we;ird", \`b;c\`, 'it''s; fine', 'back\\'slash;'`,
      'SELECT 1',
    ]);
  });

  it('ignores empty statements and refuses unterminated literals', () => {
    expect(splitSqlStatements(';;\n-- only a comment\n;')).toEqual([]);
    expect(() => splitSqlStatements("SELECT 'open")).toThrow(/unterminated/);
    expect(() => splitSqlStatements('SELECT /* open')).toThrow(/unterminated/);
  });
});
