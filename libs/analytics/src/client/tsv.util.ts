/**
 * TabSeparated encoding of rows (arrays of values). ClickHouse parses TSV about twice as fast as JSON, which matters
 * at 100k rows/s: `\N` is NULL; in strings, backslash, tab, newline and carriage return are escaped; objects are
 * written as their JSON text (for String columns holding JSON).
 */
export function toTsv(rows: readonly (readonly unknown[])[]): string {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (i > 0) out += '\t';
      out += tsvValue(row[i]);
    }
    out += '\n';
  }
  return out;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escape(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : s;
}

function tsvValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string':
      return escape(value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? '1' : '0';
    default:
      return escape(JSON.stringify(value));
  }
}
