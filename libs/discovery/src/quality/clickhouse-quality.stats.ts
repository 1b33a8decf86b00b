import { AnalyticsClient, combineHalves, fromClickHouseTime, toClickHouseTime } from '@x402-ledger/analytics';
import { EMPTY_QUALITY, QualityStatsSource, type QualityStats, type QualityTarget } from './quality-stats.port';
import { originOf, resourcePattern } from './resource-pattern.util';

const DAY_MS = 86_400_000;
const LO_MASK = "toUInt256('340282366920938463463374607431768211455')";

interface CallsRow {
  idx: number;
  calls: string | number;
  payers: string | number;
  last_called: string | null;
  median_latency: number | null;
}
interface RevenueRow {
  idx: number;
  network: string;
  asset: string;
  amount_lo: string;
  amount_hi: string;
}
interface RatesRow {
  idx: number;
  settled: string | number;
  refunded: string | number;
  disputed: string | number;
}

/**
 * Quality stats from the analytics tables (projected from the event log): `settlements` for calls, payers, revenue,
 * last paid and latency; `payments` (current state) for refund and dispute rates. A paid URL belongs to a catalog
 * entry when, query cut, it matches the entry's pattern (exact URL or route template). Results are cached per
 * resource for `cacheMs`.
 */
export class ClickHouseQualityStats extends QualityStatsSource {
  private readonly cache = new Map<string, { at: number; stats: QualityStats }>();

  constructor(
    private readonly client: AnalyticsClient,
    private readonly cacheMs: number,
  ) {
    super();
  }

  async statsFor(targets: readonly QualityTarget[], now: Date): Promise<Map<string, QualityStats>> {
    const out = new Map<string, QualityStats>();
    const misses: QualityTarget[] = [];
    for (const t of targets) {
      const hit = this.cache.get(t.resourceUrl);
      if (hit && now.getTime() - hit.at < this.cacheMs) out.set(t.resourceUrl, hit.stats);
      else misses.push(t);
    }
    if (misses.length === 0) return out;
    const fresh = await this.query(misses, now);
    if (this.cache.size > 50_000) this.cache.clear();
    for (const t of misses) {
      const stats = fresh.get(t.resourceUrl) ?? EMPTY_QUALITY;
      out.set(t.resourceUrl, stats);
      if (this.cacheMs > 0) this.cache.set(t.resourceUrl, { at: now.getTime(), stats });
    }
    return out;
  }

  private async query(targets: readonly QualityTarget[], now: Date): Promise<Map<string, QualityStats>> {
    // Exact keys are looked up (indexOf); only route templates need a regex match.
    const params = {
      exact: targets.map((t) => (t.routeTemplate ? '' : t.resourceUrl)),
      templates: targets.map((t) => (t.routeTemplate ? resourcePattern(t.resourceUrl, t.routeTemplate) : '')),
      origins: [...new Set(targets.map((t) => originOf(t.resourceUrl)))],
      since: toClickHouseTime(new Date(now.getTime() - 30 * DAY_MS)),
    };
    const anyTemplate = targets.some((t) => t.routeTemplate);
    const idx = (column: string) => {
      const base = `cutQueryStringAndFragment(${column})`;
      const exact = `indexOf({exact:Array(String)}, ${base})`;
      return anyTemplate
        ? `if(${exact} > 0, ${exact}, arrayFirstIndex(p -> p != '' AND match(${base}, p), {templates:Array(String)}))`
        : exact;
    };
    const byOrigin = (column: string) => `arrayExists(o -> startsWith(${column}, o), {origins:Array(String)})`;
    const since = `{since:DateTime64(3, 'UTC')}`;
    const [calls, revenue, rates] = await Promise.all([
      this.client.query<CallsRow>(
        `SELECT idx, uniqExactIf(payment_id, settled_at >= ${since}) AS calls,
                uniqExactIf(payer, settled_at >= ${since}) AS payers,
                toString(max(settled_at)) AS last_called,
                quantileExactIf(0.5)(latency_ms, settled_at >= ${since} AND latency_ms IS NOT NULL) AS median_latency
         FROM (SELECT ${idx('resource')} AS idx, payment_id, payer, settled_at, latency_ms FROM settlements FINAL
               WHERE ${byOrigin('resource')})
         WHERE idx > 0 GROUP BY idx`,
        params,
      ),
      this.client.query<RevenueRow>(
        `SELECT idx, network, asset, toString(sum(bitAnd(amount, ${LO_MASK}))) AS amount_lo,
                toString(sum(bitShiftRight(amount, 128))) AS amount_hi
         FROM (SELECT ${idx('resource')} AS idx, network, asset, amount FROM settlements FINAL
               WHERE ${byOrigin('resource')} AND settled_at >= ${since})
         WHERE idx > 0 GROUP BY idx, network, asset ORDER BY idx, network, asset`,
        params,
      ),
      this.client.query<RatesRow>(
        `SELECT idx, count() AS settled, countIf(refunds > 0) AS refunded, countIf(dispute != '') AS disputed
         FROM (
           SELECT ${idx('res')} AS idx, refunds, dispute FROM (
             SELECT max(resource) AS res, min(settled_at) AS first_settled, sum(refund_count) AS refunds,
                    tupleElement(max(dispute_status), 2) AS dispute
             FROM payments GROUP BY tenant, payment_id
             HAVING first_settled IS NOT NULL AND first_settled >= ${since} AND ${byOrigin('res')}
           )
         )
         WHERE idx > 0 GROUP BY idx`,
        params,
      ),
    ]);
    const out = new Map<string, QualityStats>();
    const at = (i: number): QualityStats => {
      const key = targets[i - 1].resourceUrl;
      let stats = out.get(key);
      if (!stats) out.set(key, (stats = { ...EMPTY_QUALITY, l30DaysRevenue: [] }));
      return stats;
    };
    for (const row of calls) {
      const s = at(row.idx);
      s.l30DaysTotalCalls = Number(row.calls);
      s.l30DaysUniquePayers = Number(row.payers);
      s.lastCalledAt = row.last_called ? fromClickHouseTime(row.last_called) : null;
      s.l30DaysMedianSettleLatencyMs =
        row.median_latency === null || Number.isNaN(Number(row.median_latency)) || Number(row.calls) === 0
          ? null
          : Number(row.median_latency);
    }
    for (const row of revenue) {
      at(row.idx).l30DaysRevenue.push({
        network: row.network,
        asset: row.asset,
        amount: combineHalves(row.amount_lo, row.amount_hi).toString(),
      });
    }
    for (const row of rates) {
      const settled = Number(row.settled);
      if (settled === 0) continue;
      const s = at(row.idx);
      s.l30DaysRefundRate = Number(row.refunded) / settled;
      s.l30DaysDisputeRate = Number(row.disputed) / settled;
    }
    return out;
  }
}
