import type { AnalyticsClient } from '../client/analytics-client';
import { DisputesQuery } from './disputes.query';
import { OperationsQuery } from './operations.query';
import { PaymentsQuery } from './payments.query';
import { RefundsQuery } from './refunds.query';
import { RevenueQuery } from './revenue.query';
import { SessionsQuery } from './sessions.query';

/** The query layer in one object (GraphQL resolvers and dashboards take what they need). All reads are parameterized. */
export class AnalyticsQueries {
  readonly revenue: RevenueQuery;
  readonly payments: PaymentsQuery;
  readonly refunds: RefundsQuery;
  readonly disputes: DisputesQuery;
  readonly sessions: SessionsQuery;
  readonly operations: OperationsQuery;

  constructor(client: AnalyticsClient) {
    this.revenue = new RevenueQuery(client);
    this.payments = new PaymentsQuery(client);
    this.refunds = new RefundsQuery(client);
    this.disputes = new DisputesQuery(client);
    this.sessions = new SessionsQuery(client);
    this.operations = new OperationsQuery(client);
  }
}
