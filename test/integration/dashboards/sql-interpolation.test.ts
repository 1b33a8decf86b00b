import {
  ALL_VALUE,
  applyConditionalAll,
  expandBackendMacros,
  interpolateClickHouseSql,
  intervalToMs,
  replaceTemplateVariables,
  SqlInterpolationError,
  type InterpolationContext,
} from '../../../dashboards/src';

// 2024-01-02T03:04:05.678Z → 1704164645 s, 1704164645678 ms; to = +1 day.
const FROM = new Date('2024-01-02T03:04:05.678Z');
const TO = new Date('2024-01-03T03:04:05.999Z');

function context(variables: InterpolationContext['variables'] = {}, intervalMs = 3_600_000): InterpolationContext {
  return { from: FROM, to: TO, intervalMs, variables };
}

describe('ClickHouse plugin macros (backend)', () => {
  it('expands the time macros the way pkg/macros does (seconds floor, ms exact, UTC dates)', () => {
    const sut = (sql: string) => expandBackendMacros(sql, context());
    expect(sut('WHERE $__timeFilter(ts)')).toBe('WHERE ts >= toDateTime(1704164645) AND ts <= toDateTime(1704251045)');
    expect(sut('WHERE $__timeFilter_ms(ts)')).toBe(
      'WHERE ts >= fromUnixTimestamp64Milli(1704164645678) AND ts <= fromUnixTimestamp64Milli(1704251045999)',
    );
    expect(sut('$__fromTime, $__toTime, $__fromTime_ms, $__toTime_ms')).toBe(
      'toDateTime(1704164645), toDateTime(1704251045), fromUnixTimestamp64Milli(1704164645678), fromUnixTimestamp64Milli(1704251045999)',
    );
    expect(sut('$__dateFilter(d)')).toBe("d >= toDate('2024-01-02') AND d <= toDate('2024-01-03')");
    expect(sut('$__dateTimeFilter(d, t)')).toBe(
      "(d >= toDate('2024-01-02') AND d <= toDate('2024-01-03')) AND (t >= toDateTime(1704164645) AND t <= toDateTime(1704251045))",
    );
    expect(sut('$__timeFrom(t) AND $__timeTo(t)')).toBe('t >= toDateTime(1704164645) AND t <= toDateTime(1704251045)');
  });

  it('buckets with the query interval, at least one second / one millisecond', () => {
    expect(expandBackendMacros('$__timeInterval(ts)', context({}, 300_000))).toBe(
      'toStartOfInterval(toDateTime(ts), INTERVAL 300 second)',
    );
    expect(expandBackendMacros('$__timeInterval(ts)', context({}, 200))).toBe(
      'toStartOfInterval(toDateTime(ts), INTERVAL 1 second)',
    );
    expect(expandBackendMacros('$__timeInterval_ms(ts)', context({}, 1500))).toBe(
      'toStartOfInterval(toDateTime64(ts, 3), INTERVAL 1500 millisecond)',
    );
    expect(expandBackendMacros('$__interval_s', context({}, 90_500))).toBe('90');
  });

  it('keeps nested parentheses in arguments and leaves macros in strings and comments alone', () => {
    expect(expandBackendMacros('$__timeInterval(coalesce(a, b))', context({}, 60_000))).toBe(
      'toStartOfInterval(toDateTime(coalesce(a, b)), INTERVAL 60 second)',
    );
    expect(expandBackendMacros("SELECT '$__timeFilter(x)' -- $__timeFilter(y)\n/* $__fromTime */ 1", context())).toBe(
      "SELECT '$__timeFilter(x)' -- $__timeFilter(y)\n/* $__fromTime */ 1",
    );
  });

  it('rejects unknown macros and wrong argument counts', () => {
    expect(() => expandBackendMacros('$__nope(x)', context())).toThrow(SqlInterpolationError);
    expect(() => expandBackendMacros('$__timeFilter(a, b)', context())).toThrow(/expected 1 argument/);
    expect(() => expandBackendMacros('$__timeFilter', context())).toThrow(/expected 1 argument/);
  });
});

describe('$__conditionalAll (plugin frontend)', () => {
  const sql =
    'WHERE $__conditionalAll(pay_to IN (${payTo:singlequote}), $payTo) AND $__conditionalAll(n IN ($net), ${net})';

  it('becomes 1=1 for All or an empty selection and keeps the condition otherwise', () => {
    expect(applyConditionalAll(sql, { payTo: { current: [ALL_VALUE] }, net: { current: '' } })).toBe(
      'WHERE 1=1 AND 1=1',
    );
    expect(applyConditionalAll(sql, { payTo: { current: ['0xa', '0xb'] }, net: { current: ALL_VALUE } })).toBe(
      'WHERE pay_to IN (${payTo:singlequote}) AND 1=1',
    );
  });

  it('refuses a variable the dashboard does not define', () => {
    expect(() => applyConditionalAll('$__conditionalAll(x IN ($y), $y)', {})).toThrow(/no known variable/);
  });
});

describe('template variables (Grafana)', () => {
  const variables = {
    tenant: { current: "acme's" },
    payTo: { current: ['0xa', '0xb'] },
    network: { current: [ALL_VALUE], options: ['eip155:8453', 'eip155:84532'] },
    asset: { current: ALL_VALUE, options: ['0xc'], allValue: "'*'" },
  };

  it('formats single, multi and All values', () => {
    const sut = (sql: string) => replaceTemplateVariables(sql, context(variables));
    expect(sut('${tenant:singlequote}')).toBe("'acme\\'s'");
    expect(sut('$tenant')).toBe("acme's");
    expect(sut('${payTo:singlequote} | $payTo | [[payTo]] | ${payTo:csv}')).toBe(
      "'0xa','0xb' | '0xa','0xb' | '0xa','0xb' | 0xa,0xb",
    );
    expect(sut('${network:singlequote}')).toBe("'eip155:8453','eip155:84532'");
    expect(sut('${asset:singlequote}')).toBe("'*'");
    expect(sut('$__interval / ${__interval_ms} / ${__from} / $__timeFilter(x) / $unknown')).toBe(
      `1h / 3600000 / ${FROM.getTime()} / $__timeFilter(x) / $unknown`,
    );
  });

  it('rejects formats it does not implement', () => {
    expect(() => replaceTemplateVariables('${tenant:json}', context(variables))).toThrow(/unsupported variable format/);
  });
});

describe('interpolateClickHouseSql', () => {
  it('runs conditionalAll, variables and macros in the plugin order', () => {
    const raw =
      'SELECT $__timeInterval(bucket) AS time FROM t WHERE tenant = ${tenant:singlequote} ' +
      'AND $__conditionalAll(pay_to IN (${payTo:singlequote}), $payTo) AND $__timeFilter(bucket)';
    const all = interpolateClickHouseSql(
      raw,
      context({ tenant: { current: 't1' }, payTo: { current: [ALL_VALUE], options: [] } }, 900_000),
    );
    expect(all).toBe(
      "SELECT toStartOfInterval(toDateTime(bucket), INTERVAL 900 second) AS time FROM t WHERE tenant = 't1' " +
        'AND 1=1 AND bucket >= toDateTime(1704164645) AND bucket <= toDateTime(1704251045)',
    );
    const one = interpolateClickHouseSql(
      raw,
      context({ tenant: { current: 't1' }, payTo: { current: ['0xa'] } }, 900_000),
    );
    expect(one).toContain("AND pay_to IN ('0xa') AND");
  });

  it('parses Grafana intervals', () => {
    expect(intervalToMs('5m')).toBe(300_000);
    expect(intervalToMs('1h')).toBe(3_600_000);
    expect(intervalToMs('7d')).toBe(604_800_000);
    expect(() => intervalToMs('$interval')).toThrow(SqlInterpolationError);
  });
});
