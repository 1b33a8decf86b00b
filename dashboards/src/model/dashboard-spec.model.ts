import type { ClickHouseFormat } from '../clickhouse/clickhouse-query.builder';

/** What a result column must be: Grafana needs a time column for time series and numbers for values. */
export type ColumnKind = 'time' | 'number' | 'string';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  /** Plausible values (inclusive), checked on the seeded data: catches unit and scale mistakes. */
  range?: readonly [number, number];
}

export type Visualization = 'timeseries' | 'stat' | 'table' | 'barchart' | 'piechart' | 'bargauge';

/**
 * One panel: its visualisation, its raw SQL (with Grafana variables and ClickHouse plugin macros) and the shape of the
 * rows the SQL returns. The shape is not part of the dashboard JSON; the panel SQL test checks every panel against it
 * on a real engine.
 */
export interface PanelSpec {
  title: string;
  description: string;
  visualization: Visualization;
  sql: string;
  /** The result columns, in order. */
  columns: readonly ColumnSpec[];
  /** Default: time series for `timeseries` panels, table otherwise. */
  format?: ClickHouseFormat;
  /** Grafana unit of every value field (e.g. `short`, `percentunit`, `ms`, `s`). */
  unit?: string;
  /** Units per column, overriding `unit`. */
  columnUnits?: Readonly<Record<string, string>>;
  decimals?: number;
  /** Time series columns drawn against a second axis on the right (e.g. a rate next to amounts). */
  rightAxis?: readonly string[];
  /** Grid width (of 24) and height. */
  width?: number;
  height?: number;
  /** Bars / areas stacked (timeseries, barchart). */
  stacked?: boolean;
  /** Draw time series as bars (counts per interval). */
  bars?: boolean;
  /**
   * For the panel SQL test: the query reads current state (not the time range) or legitimately returns rows only
   * when some condition holds. Every panel must still return rows on the seeded data set; this only documents intent.
   */
  note?: string;
}

export interface RowSpec {
  title: string;
  panels: readonly PanelSpec[];
}

/** Names of the template variables shared by the dashboards. */
export type VariableName = 'tenant' | 'payTo' | 'network' | 'asset' | 'interval';

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: readonly string[];
  /** Default time range, e.g. `now-7d`. */
  from: string;
  rows: readonly RowSpec[];
}
