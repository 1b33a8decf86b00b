import { z } from 'zod';

import type { AnalyticsClient } from '../client/analytics-client';
import { combineHalves } from '../projection/clickhouse-values.util';
import {
  chTime,
  displayAddress,
  divRound,
  parseInput,
  rangeSchema,
  sumHalvesSql,
  tenantSchema,
} from './query-input.util';
import type { AssetAmount } from './refunds.query';

const statsInput = rangeSchema.and(z.object({ tenant: tenantSchema }));
export type SessionStatsInput = z.input<typeof statsInput>;

export interface SessionStats {
  /** Sessions issued in the range. */
  issued: number;
  /** Distinct sessions with usage in the range. */
  active: number;
  calls: number;
  /** Session spend reported in the range, per asset. */
  spend: AssetAmount[];
  revoked: number;
  expired: number;
  /** calls / active (0 when none). */
  callsPerActiveSession: number;
  /** Amount of the payments that bought the sessions issued in the range, divided by those sessions, per asset. */
  revenuePerSession: AssetAmount[];
}

/** Session statistics: hourly usage rollup + current session state. Buckets whose hour starts in [from, to). */
export class SessionsQuery {
  constructor(private readonly client: AnalyticsClient) {}

  async stats(input: SessionStatsInput): Promise<SessionStats> {
    const q = parseInput(statsInput, input);
    const hourFrom = new Date(Math.floor(q.from.getTime() / 3_600_000) * 3_600_000);
    const params = {
      tenant: q.tenant,
      from: chTime(q.from),
      to: chTime(q.to),
      hFrom: chTime(hourFrom).slice(0, 19),
      hTo: chTime(q.to).slice(0, 19),
    };
    const usage = await this.client.query<{
      network: string;
      asset: string;
      decimals: number | null;
      issued: string;
      calls: string;
      s_lo: string;
      s_hi: string;
    }>(
      `SELECT network, asset, max(decimals) AS decimals, sum(issued) AS issued, sum(calls) AS calls,
              toString(sum(spend_lo)) AS s_lo, toString(sum(spend_hi)) AS s_hi
       FROM session_usage_hourly
       WHERE tenant = {tenant:String} AND bucket >= {hFrom:DateTime('UTC')} AND bucket < {hTo:DateTime('UTC')}
       GROUP BY network, asset`,
      params,
    );
    const [active] = await this.client.query<{ n: string }>(
      `SELECT uniqMerge(active) AS n FROM session_usage_hourly
       WHERE tenant = {tenant:String} AND bucket >= {hFrom:DateTime('UTC')} AND bucket < {hTo:DateTime('UTC')}`,
      params,
    );
    const [ended] = await this.client.query<{ revoked: string; expired: string }>(
      `SELECT countIf(revoked_at >= {from:DateTime64(3, 'UTC')} AND revoked_at < {to:DateTime64(3, 'UTC')}) AS revoked,
              countIf(expired_at >= {from:DateTime64(3, 'UTC')} AND expired_at < {to:DateTime64(3, 'UTC')}) AS expired
       FROM sessions FINAL WHERE tenant = {tenant:String}`,
      params,
    );
    const [issuedInRange] = await this.client.query<{ n: string }>(
      `SELECT count() AS n FROM sessions FINAL
       WHERE tenant = {tenant:String} AND issued_at >= {from:DateTime64(3, 'UTC')} AND issued_at < {to:DateTime64(3, 'UTC')}`,
      params,
    );
    const bought = await this.client.query<{
      network: string;
      asset: string;
      decimals: number | null;
      a_lo: string;
      a_hi: string;
    }>(
      `SELECT network, asset, max(decimals) AS decimals, ${sumHalvesSql('amount', 'a')}
       FROM payments FINAL
       WHERE tenant = {tenant:String} AND payment_id IN (
         SELECT payment_id FROM sessions FINAL
         WHERE tenant = {tenant:String} AND issued_at >= {from:DateTime64(3, 'UTC')} AND issued_at < {to:DateTime64(3, 'UTC')})
       GROUP BY network, asset`,
      params,
    );
    const issued = Number(issuedInRange?.n ?? 0);
    const calls = usage.reduce((s, r) => s + Number(r.calls), 0);
    const activeCount = Number(active?.n ?? 0);
    return {
      issued,
      active: activeCount,
      calls,
      spend: usage
        .filter((r) => BigInt(r.s_lo) + BigInt(r.s_hi) > 0n)
        .map((r) => ({
          network: r.network,
          asset: displayAddress(r.asset),
          decimals: r.decimals === null ? null : Number(r.decimals),
          amount: combineHalves(r.s_lo, r.s_hi).toString(),
        })),
      revoked: Number(ended?.revoked ?? 0),
      expired: Number(ended?.expired ?? 0),
      callsPerActiveSession: activeCount === 0 ? 0 : calls / activeCount,
      revenuePerSession:
        issued === 0
          ? []
          : bought.map((r) => ({
              network: r.network,
              asset: displayAddress(r.asset),
              decimals: r.decimals === null ? null : Number(r.decimals),
              amount: divRound(combineHalves(r.a_lo, r.a_hi), BigInt(issued)).toString(),
            })),
    };
  }
}
