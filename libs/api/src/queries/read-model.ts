import { CachedReads, type AnalyticsClient, type AnalyticsReads } from '@x402-ledger/analytics';
import { BalancesReader } from './balances.reader';
import { DiscoveryReader } from './discovery.reader';
import { DisputesReader } from './disputes.reader';
import { FailuresReader } from './failures.reader';
import { PaymentsReader } from './payments.reader';
import { RefundsReader } from './refunds.reader';
import { RevenueReader } from './revenue.reader';
import { SessionsReader } from './sessions.reader';
import { TimelineReader } from './timeline.reader';

/**
 * Every scope-aware read of the API over the analytics tables (libs/analytics migrations), parameterized. Reads go
 * through `CachedReads` (results reused while the data they came from is unchanged) unless `cache: false`.
 */
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
  readonly reads: AnalyticsReads;

  constructor(
    readonly client: AnalyticsClient,
    options: { cache?: boolean } = {},
  ) {
    const reads = options.cache === false ? client : new CachedReads(client);
    this.reads = reads;
    this.payments = new PaymentsReader(reads);
    this.refunds = new RefundsReader(reads);
    this.disputes = new DisputesReader(reads);
    this.sessions = new SessionsReader(reads);
    this.failures = new FailuresReader(reads);
    this.discovery = new DiscoveryReader(reads);
    this.balances = new BalancesReader(reads);
    this.revenue = new RevenueReader(reads);
    this.timeline = new TimelineReader(reads);
  }
}
