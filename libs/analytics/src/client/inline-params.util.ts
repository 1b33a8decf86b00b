/**
 * Inlines `{name:Type}` query parameters as hex-encoded literals: `CAST(unhex('…') AS Type)`.
 *
 * Why: chDB (the embedded engine) runs parameterized queries one at a time process-wide (its parameter binding is not
 * isolated per connection), while plain queries run in parallel. Inlined, concurrent reads use both cores.
 *
 * Safety: every value reaches the SQL text only as hexadecimal digits, whatever it contains, so no value can change
 * the statement; the engine decodes it and parses it with the placeholder's type, as parameter binding would. Types
 * come from our own SQL text, never from input. Placeholders whose name is not in `params` are left alone (the engine
 * then refuses the query, as it would have).
 */
export function inlineParams(sql: string, params: Record<string, unknown>): string {
  return sql.replace(/\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g, (whole, name: string, type: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const value = params[name];
    if (value === null || value === undefined) return `CAST(NULL AS ${type})`;
    return `CAST(unhex('${Buffer.from(textOf(value), 'utf8').toString('hex')}') AS ${type})`;
  });
}

/** The value in ClickHouse's text format for its type (strings verbatim: CAST from String parses them). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('query parameter: non-finite number');
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
  if (Array.isArray(value)) return `[${value.map(quoted).join(',')}]`;
  throw new TypeError(`query parameter: unsupported value of type ${typeof value}`);
}

/** An element of an array literal in text format: strings quoted with backslash escapes. */
function quoted(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return `[${value.map(quoted).join(',')}]`;
  return textOf(value);
}
