import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

import { CLICKHOUSE_DATASOURCE } from '../clickhouse/clickhouse-datasource';
import type { ColumnSpec, VariableName } from '../model/dashboard-spec.model';
import { sql, tenantIs } from './sql.fragments';

/** A query variable: its SQL (one `value` column) and how it is offered. */
export interface QueryVariableSpec {
  name: Exclude<VariableName, 'interval'>;
  label: string;
  description: string;
  sql: string;
  multi: boolean;
  columns: readonly ColumnSpec[];
}

/** Tenants that have revenue, failures or sessions. */
const tenant: QueryVariableSpec = {
  name: 'tenant',
  label: 'Tenant',
  description: 'The provider account (envelope tenant). Every panel is scoped to one tenant.',
  multi: false,
  columns: [{ name: 'value', kind: 'string' }],
  sql: sql`
    SELECT value FROM (
      SELECT DISTINCT toString(tenant) AS value FROM revenue_daily
      UNION DISTINCT SELECT DISTINCT toString(tenant) AS value FROM payment_failures
      UNION DISTINCT SELECT DISTINCT toString(tenant) AS value FROM sessions
    )
    ORDER BY value`,
};

function dimension(name: 'payTo' | 'network' | 'asset', column: string, label: string, description: string) {
  return {
    name,
    label,
    description,
    multi: true,
    columns: [{ name: 'value', kind: 'string' }],
    sql: sql`
      SELECT DISTINCT toString(${column}) AS value
      FROM revenue_daily
      WHERE ${tenantIs()} AND ${column} != ''
      ORDER BY value`,
  } satisfies QueryVariableSpec;
}

export const QUERY_VARIABLES: readonly QueryVariableSpec[] = [
  tenant,
  dimension('payTo', 'pay_to', 'payTo', 'Receiving address (lowercase) of settled payments.'),
  dimension('network', 'network', 'Network', 'CAIP-2 network id, e.g. eip155:8453.'),
  dimension('asset', 'asset', 'Asset', 'Token contract address (lowercase).'),
];

/** Minimum bucket width of the time series panels (each panel's min interval is `$interval`). */
export const INTERVAL_OPTIONS = ['5m', '15m', '1h', '6h', '1d', '7d'] as const;
export const DEFAULT_INTERVAL = '1h';

function queryVariable(spec: QueryVariableSpec): dashboard.QueryVariableBuilder {
  const builder = new dashboard.QueryVariableBuilder(spec.name)
    .label(spec.label)
    .description(spec.description)
    .datasource(CLICKHOUSE_DATASOURCE)
    .query({ refId: `variable-${spec.name}`, queryType: 'sql', rawSql: spec.sql })
    .definition(spec.sql)
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(spec.multi)
    .includeAll(spec.multi);
  if (spec.multi) builder.current({ selected: true, text: ['All'], value: ['$__all'] });
  return builder;
}

function intervalVariable(): dashboard.IntervalVariableBuilder {
  return new dashboard.IntervalVariableBuilder('interval')
    .label('Interval')
    .description('Smallest time bucket of the time series (Grafana widens it for long ranges).')
    .values(INTERVAL_OPTIONS.join(','))
    .current({ selected: true, text: DEFAULT_INTERVAL, value: DEFAULT_INTERVAL })
    .options(INTERVAL_OPTIONS.map((v) => ({ selected: v === DEFAULT_INTERVAL, text: v, value: v })));
}

/** The five template variables, in display order. */
export function templateVariables(): dashboard.VariableModel[] {
  return [...QUERY_VARIABLES.map((spec) => queryVariable(spec).build()), intervalVariable().build()];
}
