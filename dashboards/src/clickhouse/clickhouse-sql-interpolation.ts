/**
 * What Grafana and the ClickHouse data source plugin (grafana-clickhouse-datasource 4.x) do to a panel's `rawSql`
 * before ClickHouse sees it, in the same order, so that tests can run every panel's SQL against a real engine:
 *
 * 1. the plugin's frontend expands `$__conditionalAll(condition, $var)` to `1=1` when `$var` is All (or empty), else to
 *    `condition` (`CHDatasource.applyConditionalAll`);
 * 2. Grafana's template service replaces `$var`, `${var}`, `${var:format}` and `[[var]]` (multi-value variables with
 *    the plugin's own formatter: `'a','b'`), plus the global `$__interval`, `$__interval_ms`, `${__from}`, `${__to}`;
 * 3. the plugin's backend expands its macros (`pkg/macros/macros.go`): `$__timeFilter(col)`, `$__timeFilter_ms(col)`,
 *    `$__dateFilter(col)`, `$__dateTimeFilter(date, time)`, `$__timeInterval(col)`, `$__timeInterval_ms(col)`,
 *    `$__interval_s`, `$__fromTime`, `$__toTime`, `$__fromTime_ms`, `$__toTime_ms`, `$__timeFrom(col)`, `$__timeTo(col)`.
 *
 * Unknown `$__` macros are an error here (the plugin would pass them through and ClickHouse would reject the query).
 */

/** Grafana's marker for "All" in a variable's current value. */
export const ALL_VALUE = '$__all';

export interface TemplateVariable {
  /** The current selection: a value, several values, or ALL_VALUE. */
  current: string | readonly string[];
  /** Every option of the variable (what "All" expands to when no custom all value is set). */
  options?: readonly string[];
  /** The variable's custom all value, used as is (unformatted) when All is selected. */
  allValue?: string;
}

export interface InterpolationContext {
  from: Date;
  to: Date;
  /** The panel's query interval (Grafana's `$__interval`), milliseconds. */
  intervalMs: number;
  variables: Readonly<Record<string, TemplateVariable>>;
}

export class SqlInterpolationError extends Error {
  override readonly name = 'SqlInterpolationError';
}

/** Runs the three steps above on one query. */
export function interpolateClickHouseSql(rawSql: string, context: InterpolationContext): string {
  const withConditionals = applyConditionalAll(rawSql, context.variables);
  const withVariables = replaceTemplateVariables(withConditionals, context);
  return expandBackendMacros(withVariables, context);
}

// ---------------------------------------------------------------------------------------------------------------------
// 1. $__conditionalAll (plugin frontend)

function isAll(variable: TemplateVariable | undefined): boolean {
  if (!variable) return false;
  const value = Array.isArray(variable.current) ? variable.current.join(',') : String(variable.current);
  return value === '' || value === ALL_VALUE;
}

/**
 * The plugin's argument scan: from the `(` after the macro name, split on `,` at depth 1, stop when the parentheses
 * balance. Like the plugin, it does not look inside quotes.
 */
function macroArgs(sql: string, openParen: number): { args: string[]; end: number } | null {
  const args: string[] = [];
  let depth = 0;
  let start = openParen + 1;
  for (let i = openParen; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === ',' && depth === 1) {
      args.push(sql.slice(start, i));
      start = i + 1;
    }
    if (depth === 0) {
      args.push(sql.slice(start, i));
      return { args, end: i + 1 };
    }
  }
  return null;
}

export function applyConditionalAll(rawSql: string, variables: InterpolationContext['variables']): string {
  const macro = '$__conditionalAll(';
  let sql = rawSql;
  let index = sql.lastIndexOf(macro);
  while (index !== -1) {
    const parsed = macroArgs(sql, index + macro.length - 1);
    if (!parsed || parsed.args.length !== 2) {
      throw new SqlInterpolationError(`$__conditionalAll at ${index} needs exactly 2 arguments`);
    }
    const [condition, variableArg] = parsed.args;
    const name = /(?<=\$\{)\w+(?=\})|(?<=\$)\w+/.exec(variableArg.trim())?.[0];
    if (name === undefined || !(name in variables)) {
      throw new SqlInterpolationError(`$__conditionalAll names no known variable: "${variableArg.trim()}"`);
    }
    const phrase = isAll(variables[name]) ? '1=1' : condition;
    sql = sql.slice(0, index) + phrase + sql.slice(parsed.end);
    index = sql.lastIndexOf(macro);
  }
  return sql;
}

// ---------------------------------------------------------------------------------------------------------------------
// 2. Template variables (Grafana's template service)

/** Grafana's variable syntax: `$name`, `[[name:format]]`, `${name:format}`. */
const VARIABLE_PATTERN = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

function formatValue(value: string | readonly string[], format: string | undefined): string {
  const list = typeof value === 'string' ? null : value;
  switch (format) {
    case undefined:
      // The ClickHouse plugin's formatter: lists become 'a','b' (unescaped), single values stay raw.
      return list ? `'${list.join("','")}'` : (value as string);
    case 'singlequote': {
      const quote = (v: string) => `'${v.replace(/'/g, "\\'")}'`;
      return list ? list.map(quote).join(',') : quote(value as string);
    }
    case 'doublequote': {
      const quote = (v: string) => `"${v.replace(/"/g, '\\"')}"`;
      return list ? list.map(quote).join(',') : quote(value as string);
    }
    case 'csv':
    case 'raw':
      return list ? list.join(',') : (value as string);
    default:
      throw new SqlInterpolationError(`unsupported variable format "${format}"`);
  }
}

function builtIn(name: string, context: InterpolationContext): string | undefined {
  switch (name) {
    case '__interval': {
      const ms = context.intervalMs;
      if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
      if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
      if (ms % 60_000 === 0) return `${ms / 60_000}m`;
      if (ms % 1000 === 0) return `${ms / 1000}s`;
      return `${ms}ms`;
    }
    case '__interval_ms':
      return String(context.intervalMs);
    case '__from':
      return String(context.from.getTime());
    case '__to':
      return String(context.to.getTime());
    default:
      return undefined;
  }
}

export function replaceTemplateVariables(sql: string, context: InterpolationContext): string {
  return sql.replace(VARIABLE_PATTERN, (match, n1, n2, f2, n3, fieldPath, f3) => {
    const name: string = n1 ?? n2 ?? n3;
    const format: string | undefined = f2 ?? f3;
    const builtInValue = builtIn(name, context);
    if (builtInValue !== undefined) return builtInValue;
    const variable = context.variables[name];
    if (!variable) return match; // not a variable (e.g. a $__ macro for the backend): Grafana leaves it
    if (fieldPath !== undefined) throw new SqlInterpolationError(`field paths are not supported: ${match}`);
    if (isAll(variable)) {
      if (variable.allValue !== undefined) return variable.allValue;
      if (!variable.options) throw new SqlInterpolationError(`variable ${name} is All but has no options`);
      return formatValue(variable.options, format);
    }
    return formatValue(variable.current, format);
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// 3. Backend macros (plugin backend, pkg/macros)

const toDateTime = (t: Date) => `toDateTime(${Math.floor(t.getTime() / 1000)})`;
const toDateTime64 = (t: Date) => `fromUnixTimestamp64Milli(${t.getTime()})`;
const toDate = (t: Date) => `toDate('${t.toISOString().slice(0, 10)}')`;

type MacroHandler = (args: string[], context: InterpolationContext) => string;

function arity(
  name: string,
  count: number,
  handler: (args: string[], c: InterpolationContext) => string,
): MacroHandler {
  return (args, context) => {
    if (args.length !== count) {
      throw new SqlInterpolationError(`$__${name} expected ${count} argument(s), received ${args.length}`);
    }
    return handler(args, context);
  };
}

const MACROS: Record<string, MacroHandler> = {
  fromTime: (_a, c) => toDateTime(c.from),
  toTime: (_a, c) => toDateTime(c.to),
  fromTime_ms: (_a, c) => toDateTime64(c.from),
  toTime_ms: (_a, c) => toDateTime64(c.to),
  timeFilter: arity('timeFilter', 1, ([col], c) => `${col} >= ${toDateTime(c.from)} AND ${col} <= ${toDateTime(c.to)}`),
  timeFilter_ms: arity(
    'timeFilter_ms',
    1,
    ([col], c) => `${col} >= ${toDateTime64(c.from)} AND ${col} <= ${toDateTime64(c.to)}`,
  ),
  dateFilter: arity('dateFilter', 1, ([col], c) => `${col} >= ${toDate(c.from)} AND ${col} <= ${toDate(c.to)}`),
  dateTimeFilter: arity(
    'dateTimeFilter',
    2,
    ([d, t], c) =>
      `(${d} >= ${toDate(c.from)} AND ${d} <= ${toDate(c.to)}) AND (${t} >= ${toDateTime(c.from)} AND ${t} <= ${toDateTime(c.to)})`,
  ),
  timeFrom: arity('timeFrom', 1, ([col], c) => `${col} >= ${toDateTime(c.from)}`),
  timeTo: arity('timeTo', 1, ([col], c) => `${col} <= ${toDateTime(c.to)}`),
  timeInterval: arity(
    'timeInterval',
    1,
    ([col], c) =>
      `toStartOfInterval(toDateTime(${col}), INTERVAL ${Math.max(Math.trunc(c.intervalMs / 1000), 1)} second)`,
  ),
  timeInterval_ms: arity(
    'timeInterval_ms',
    1,
    ([col], c) =>
      `toStartOfInterval(toDateTime64(${col}, 3), INTERVAL ${Math.max(Math.trunc(c.intervalMs), 1)} millisecond)`,
  ),
  interval_s: (_a, c) => String(Math.max(Math.trunc(c.intervalMs / 1000), 1)),
};
MACROS.dt = MACROS.dateTimeFilter;

/** Index just past a quoted literal / identifier starting at `i` (backslash escapes and doubled quotes). */
function skipQuoted(sql: string, i: number): number {
  const quote = sql[i];
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === '\\') {
      j += 2;
      continue;
    }
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  throw new SqlInterpolationError(`unterminated ${quote} literal at ${i}`);
}

/** Expands the backend macros outside string literals, quoted identifiers and comments. */
export function expandBackendMacros(sql: string, context: InterpolationContext): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = skipQuoted(sql, i);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new SqlInterpolationError(`unterminated comment at ${i}`);
      out += sql.slice(i, end + 2);
      i = end + 2;
      continue;
    }
    if (ch === '$' && sql.startsWith('$__', i)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 3))?.[0] ?? '';
      const handler = Object.prototype.hasOwnProperty.call(MACROS, name) ? MACROS[name] : undefined;
      if (!handler) throw new SqlInterpolationError(`unknown macro $__${name}`);
      let next = i + 3 + name.length;
      let args: string[] = [];
      if (sql[next] === '(') {
        const parsed = macroArgs(sql, next);
        if (!parsed) throw new SqlInterpolationError(`unbalanced parentheses after $__${name}`);
        args = parsed.args.map((a) => a.trim()).filter((a, k, all) => !(all.length === 1 && a === '' && k === 0));
        next = parsed.end;
      }
      out += handler(args, context);
      i = next;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/** Grafana interval strings (`30s`, `5m`, `1h`, `1d`, `1w`, `100ms`) to milliseconds. */
export function intervalToMs(interval: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(interval.trim());
  if (!m) throw new SqlInterpolationError(`not a Grafana interval: "${interval}"`);
  const unit: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    y: 31_536_000_000,
  };
  return Number(m[1]) * unit[m[2]];
}
