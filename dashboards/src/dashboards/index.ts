import type { DashboardSpec } from '../model/dashboard-spec.model';
import { facilitatorOperationsDashboard } from './facilitator-operations.dashboard';
import { providerRevenueDashboard } from './provider-revenue.dashboard';
import { refundsDisputesDashboard } from './refunds-disputes.dashboard';
import { sessionsDashboard } from './sessions.dashboard';

/** Every dashboard, in the order Grafana lists them. */
export const DASHBOARDS: readonly DashboardSpec[] = [
  providerRevenueDashboard,
  facilitatorOperationsDashboard,
  refundsDisputesDashboard,
  sessionsDashboard,
];
