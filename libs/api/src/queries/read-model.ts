import type { AnalyticsClient } from '@x402-ledger/analytics';
import { BalancesReader } from './balances.reader';
import { DiscoveryReader } from './discovery.reader';
import { DisputesReader } from './disputes.reader';
import { FailuresReader } from './failures.reader';
import { PaymentsReader } from './payments.reader';
import { RefundsReader } from './refunds.reader';
import { RevenueReader } from './revenue.reader';
import { SessionsReader } from './sessions.reader';
import { TimelineReader } from './timeline.reader';

/** Every scope-aware read of the API over the analytics tables (libs/analytics migrations), parameterized. */
export class ApiReadModel {
  readonly payments: PaymentsReader;
  readonly refunds: RefundsReader;
  readonly disputes: DisputesReader;
  readonly sessions: SessionsReader;
  readonly failures: FailuresReader;
  readonly discovery: DiscoveryReader;
  readonly balances: BalancesReader;
  readonly revenue: RevenueReader;
  readonly timeline: TimelineReader;

  constructor(readonly client: AnalyticsClient) {
    this.payments = new PaymentsReader(client);
    this.refunds = new RefundsReader(client);
    this.disputes = new DisputesReader(client);
    this.sessions = new SessionsReader(client);
    this.failures = new FailuresReader(client);
    this.discovery = new DiscoveryReader(client);
    this.balances = new BalancesReader(client);
    this.revenue = new RevenueReader(client);
    this.timeline = new TimelineReader(client);
  }
}
