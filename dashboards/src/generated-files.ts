import { buildDashboard } from './model/dashboard.builder';
import { DASHBOARDS } from './dashboards';
import { clickhouseGrafanaUser, dashboardProvisioning, datasourceProvisioning } from './provisioning/provisioning';

/** A file under dashboards/generated/, path relative to that folder. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** Everything `npm run dashboards` writes: one JSON per dashboard plus the Grafana and ClickHouse provisioning. */
export function generatedFiles(): GeneratedFile[] {
  const dashboards = DASHBOARDS.map((spec) => ({
    path: `dashboards/${spec.uid}.json`,
    content: `${JSON.stringify(buildDashboard(spec), null, 2)}\n`,
  }));
  return [
    ...dashboards,
    { path: 'provisioning/datasources/clickhouse.yaml', content: datasourceProvisioning() },
    { path: 'provisioning/dashboards/x402-ledger.yaml', content: dashboardProvisioning() },
    { path: 'clickhouse/users.d/grafana.xml', content: clickhouseGrafanaUser() },
  ];
}
