import type { ResourceStatus } from '../catalog/catalog-entry';
import type { QualityStats } from '../quality/quality-stats.port';

/**
 * Final search score: text relevance times a quality factor. Usage lifts (log of 30-day calls and payers, so a
 * popular resource cannot drown a far better text match), disputes and refunds pull down, stale listings count less.
 */
export function rankScore(text: number, quality: QualityStats, status: ResourceStatus): number {
  const usage = 1 + 0.3 * Math.log10(1 + quality.l30DaysTotalCalls) + 0.2 * Math.log10(1 + quality.l30DaysUniquePayers);
  const trust = (1 - 0.5 * (quality.l30DaysDisputeRate ?? 0)) * (1 - 0.25 * (quality.l30DaysRefundRate ?? 0));
  const freshness = status === 'stale' ? 0.7 : 1;
  return text * usage * trust * freshness;
}
