/** Per-asset revenue, atomic units as a decimal string. */
export interface AssetRevenue {
  network: string;
  asset: string;
  amount: string;
}

/**
 * Quality of a resource from our own ledger, returned under `quality` on every discovery item. The first three keys
 * are the ones CDP's hosted bazaar returns; the others are ours. Windows are the 30 days before the request.
 */
export interface QualityStats {
  /** Settled payments in the last 30 days. */
  l30DaysTotalCalls: number;
  /** Distinct payers of those payments. */
  l30DaysUniquePayers: number;
  /** Last settled payment (ISO), any time; null when never paid through us. */
  lastCalledAt: string | null;
  /** Settled amounts of the last 30 days per (network, asset). */
  l30DaysRevenue: AssetRevenue[];
  /** Share of the last 30 days' settled payments with a succeeded refund (0..1), null without payments. */
  l30DaysRefundRate: number | null;
  /** Share of the last 30 days' settled payments with a dispute, null without payments. */
  l30DaysDisputeRate: number | null;
  /** Median settlement latency (submitted → settled), ms, last 30 days; null when unknown. */
  l30DaysMedianSettleLatencyMs: number | null;
}

/** What the stats are asked for: a catalog key and, for parameterised routes, its template. */
export interface QualityTarget {
  resourceUrl: string;
  routeTemplate?: string;
}

export const EMPTY_QUALITY: QualityStats = Object.freeze({
  l30DaysTotalCalls: 0,
  l30DaysUniquePayers: 0,
  lastCalledAt: null,
  l30DaysRevenue: [],
  l30DaysRefundRate: null,
  l30DaysDisputeRate: null,
  l30DaysMedianSettleLatencyMs: null,
}) as QualityStats;

/** Quality stats as a port (ClickHouse in the app, a fake in unit tests and benchmarks). */
export abstract class QualityStatsSource {
  /** Stats for every target (missing ones are EMPTY_QUALITY), keyed by resourceUrl. */
  abstract statsFor(targets: readonly QualityTarget[], now: Date): Promise<Map<string, QualityStats>>;
}

/** No ledger stats: every resource reads as never paid. */
export class NoQualityStats extends QualityStatsSource {
  async statsFor(targets: readonly QualityTarget[]): Promise<Map<string, QualityStats>> {
    return new Map(targets.map((t) => [t.resourceUrl, EMPTY_QUALITY]));
  }
}
