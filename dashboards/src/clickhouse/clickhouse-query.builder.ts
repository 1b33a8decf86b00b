import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

import { CLICKHOUSE_DATASOURCE, CLICKHOUSE_PLUGIN_VERSION } from './clickhouse-datasource';

/**
 * The `format` the plugin's backend converts the result with (sqlutil.FormatQueryOption): time series frames are
 * long-to-wide converted (one series per string column value), tables are returned as they are.
 */
export enum ClickHouseFormat {
  TimeSeries = 0,
  Table = 1,
  Logs = 2,
  Traces = 3,
}

/** The editor mode of the plugin's query editor; these dashboards only use raw SQL. */
export enum ClickHouseEditorType {
  Sql = 'sql',
  Builder = 'builder',
}

/** The plugin's query type (only used by Explore to pick a visualisation). */
export type ClickHouseQueryType = 'table' | 'timeseries' | 'logs' | 'traces';

/**
 * The plugin's SQL query model (CHSqlQuery in grafana/clickhouse-datasource `src/types/sql.ts`). The foundation SDK has
 * no builder for this plugin, so this is the typed one the dashboards use.
 */
export interface ClickHouseSqlQuery extends cog.Dataquery {
  refId: string;
  datasource?: DataSourceRef;
  hide?: boolean;
  pluginVersion: string;
  editorType: ClickHouseEditorType.Sql;
  rawSql: string;
  format: ClickHouseFormat;
  queryType?: ClickHouseQueryType;
}

/** Builds one raw-SQL target for a panel or a query variable. */
export class ClickHouseQueryBuilder implements cog.Builder<ClickHouseSqlQuery> {
  private readonly internal: ClickHouseSqlQuery;

  constructor(rawSql = '') {
    this.internal = {
      refId: 'A',
      datasource: CLICKHOUSE_DATASOURCE,
      pluginVersion: CLICKHOUSE_PLUGIN_VERSION,
      editorType: ClickHouseEditorType.Sql,
      rawSql,
      format: ClickHouseFormat.Table,
      queryType: 'table',
      _implementsDataqueryVariant: () => undefined,
    };
  }

  build(): ClickHouseSqlQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  datasource(datasource: DataSourceRef): this {
    this.internal.datasource = datasource;
    return this;
  }

  rawSql(rawSql: string): this {
    this.internal.rawSql = rawSql;
    return this;
  }

  /** Sets `format` and the matching `queryType`. */
  format(format: ClickHouseFormat): this {
    this.internal.format = format;
    this.internal.queryType =
      format === ClickHouseFormat.TimeSeries
        ? 'timeseries'
        : format === ClickHouseFormat.Logs
          ? 'logs'
          : format === ClickHouseFormat.Traces
            ? 'traces'
            : 'table';
    return this;
  }

  hide(hide: boolean): this {
    this.internal.hide = hide;
    return this;
  }
}
