/**
 * SQL fragments shared by the panels. Everything a user picks reaches the SQL through Grafana variables formatted with
 * `:singlequote` (quotes escaped); the dimension filters use the plugin's `$__conditionalAll`, which turns into `1=1`
 * when "All" is selected (so an empty option list never yields `IN ()`).
 *
 * Amounts are atomic-unit integers in ClickHouse (UInt256, or rollup sums split into 128-bit halves). Panels divide by
 * the asset's decimals and convert to Float64 for display only; exact totals come from the API, not from Grafana.
 */

/** `${name}` / `${name:format}` as Grafana writes a variable reference. */
export function variable(name: string, format?: 'singlequote' | 'csv' | 'raw'): string {
  return '${' + name + (format ? `:${format}` : '') + '}';
}

/** `tenant = '<tenant>'` on the table's tenant column (or an alias prefix). */
export function tenantIs(column = 'tenant'): string {
  return `${column} = ${variable('tenant', 'singlequote')}`;
}

/** `$__conditionalAll(col IN (${var:singlequote}), $var)`. */
export function oneOf(column: string, variableName: 'payTo' | 'network' | 'asset'): string {
  return `$__conditionalAll(${column} IN (${variable(variableName, 'singlequote')}), $${variableName})`;
}

export interface DimensionColumns {
  /** Column holding the lowercase payTo address, or null when the table has none. */
  payTo: string | null;
  network: string;
  asset: string;
}

const DEFAULT_COLUMNS: DimensionColumns = { payTo: 'pay_to', network: 'network', asset: 'asset' };

/** tenant + payTo / network / asset filters (each a no-op when All is selected). */
export function scope(columns: Partial<DimensionColumns> = {}, tenantColumn = 'tenant'): string[] {
  const c = { ...DEFAULT_COLUMNS, ...columns };
  const parts = [tenantIs(tenantColumn)];
  if (c.payTo !== null) parts.push(oneOf(c.payTo, 'payTo'));
  parts.push(oneOf(c.network, 'network'), oneOf(c.asset, 'asset'));
  return parts;
}

/** `WHERE a\n  AND b…` */
export function where(...conditions: (string | string[])[]): string {
  return `WHERE ${conditions.flat().join('\n  AND ')}`;
}

/** A UInt256 atomic amount in display units (Float64, display only). */
export function display(column: string, decimals = 'decimals'): string {
  return `toFloat64(${column}) / pow(10, ifNull(${decimals}, 0))`;
}

/** A rollup amount stored as `<prefix>_hi` / `<prefix>_lo` 128-bit halves, in display units (Float64, display only). */
export function displayHalves(prefix: string, decimals = 'decimals'): string {
  return `(toFloat64(${prefix}_hi) * pow(2, 128) + toFloat64(${prefix}_lo)) / pow(10, ifNull(${decimals}, 0))`;
}

/** The exact atomic total of a halves column as a decimal string (aggregate). */
export function exactHalvesSum(prefix: string): string {
  return `toString(bitShiftLeft(sum(${prefix}_hi), 128) + sum(${prefix}_lo))`;
}

/**
 * A state-table column (SimpleAggregateFunction(…, T)) as its plain type T, so that result columns carry ordinary
 * ClickHouse types (the plugin's converters match on type names).
 */
export function plain(column: string, type: 'String' | 'UInt64' | 'time'): string {
  if (type === 'String') return `toString(${column})`;
  if (type === 'UInt64') return `toUInt64(${column})`;
  return `CAST(${column} AS Nullable(DateTime64(3, 'UTC')))`;
}

/** Native coin (18 decimals) from wei, display only. */
export function weiToNative(column: string): string {
  return `toFloat64(${column}) / 1e18`;
}

/** Sessions whose payment matches the payTo filter (sessions carry no payTo; their payment does). */
export function sessionPayToFilter(paymentIdColumn = 'payment_id'): string {
  return (
    `$__conditionalAll(${paymentIdColumn} IN (SELECT payment_id FROM payments WHERE ${tenantIs()} ` +
    `AND pay_to IN (${variable('payTo', 'singlequote')})), $payTo)`
  );
}

/** Trims the common indentation of a template literal, so the generated JSON holds readable SQL. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const first = lines.find((l) => l.trim() !== '') ?? '';
  const indent = /^ */.exec(first)![0].length;
  return lines.map((l) => l.slice(Math.min(indent, /^ */.exec(l)![0].length))).join('\n');
}
