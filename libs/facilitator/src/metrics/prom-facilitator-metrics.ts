import type { Counter, Histogram } from 'prom-client';
import type { MetricsService } from '@x402-ledger/observability';
import { FacilitatorMetrics, type FacilitatorOutcome } from './facilitator-metrics.port';

/** Reason codes are a bounded set, but a buggy client must not blow up the label space: anything else is `other`. */
const REASON = /^[a-z0-9_]{1,64}$/;

/**
 * `x402_facilitator_requests_total{route,network,outcome,reason}` and
 * `x402_facilitator_request_duration_seconds{route,network,outcome}` on the process's Prometheus registry.
 */
export class PromFacilitatorMetrics extends FacilitatorMetrics {
  private readonly requests: Counter<'route' | 'network' | 'outcome' | 'reason'>;
  private readonly duration: Histogram<'route' | 'network' | 'outcome'>;
  private readonly networks: ReadonlySet<string>;

  constructor(metrics: MetricsService, networks: readonly string[]) {
    super();
    this.networks = new Set(networks);
    this.requests = metrics.counter(
      'x402_facilitator_requests_total',
      'Answered /verify and /settle requests by network, outcome and reason code',
      ['route', 'network', 'outcome', 'reason'],
    );
    this.duration = metrics.histogram(
      'x402_facilitator_request_duration_seconds',
      'Time to answer /verify and /settle (settle includes the receipt wait)',
      ['route', 'network', 'outcome'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
  }

  observe(o: FacilitatorOutcome): void {
    const network = this.networks.has(o.network) ? o.network : 'other';
    const reason = REASON.test(o.reason) ? o.reason : 'other';
    this.requests.inc({ route: o.route, network, outcome: o.outcome, reason });
    this.duration.observe({ route: o.route, network, outcome: o.outcome }, o.seconds);
  }
}
