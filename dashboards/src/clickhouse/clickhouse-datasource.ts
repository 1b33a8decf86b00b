import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

/** The ClickHouse data source plugin the dashboards are written for (Grafana ≥ 11.6). */
export const CLICKHOUSE_PLUGIN_ID = 'grafana-clickhouse-datasource';
/** Pinned plugin version: docker-compose installs exactly this one, and the queries carry it as `pluginVersion`. */
export const CLICKHOUSE_PLUGIN_VERSION = '4.20.0';

/** The provisioned data source every panel and variable points at (see provisioning/datasources). */
export const CLICKHOUSE_DATASOURCE: DataSourceRef = { type: CLICKHOUSE_PLUGIN_ID, uid: 'x402-clickhouse' };
