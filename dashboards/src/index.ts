// Grafana dashboards as code (grafana-foundation-sdk) over the x402 ledger's ClickHouse tables.
export * from './clickhouse/clickhouse-datasource';
export * from './clickhouse/clickhouse-query.builder';
export * from './clickhouse/clickhouse-sql-interpolation';
export * from './common/variables';
export * from './dashboards';
export * from './generated-files';
export * from './model/dashboard-spec.model';
export { buildDashboard, panelFormat, PANEL_MIN_INTERVAL } from './model/dashboard.builder';
