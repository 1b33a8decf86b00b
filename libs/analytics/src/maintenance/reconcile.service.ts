import { z } from 'zod';

import type { AnalyticsClient } from '../client/analytics-client';
import { combineHalves } from '../projection/clickhouse-values.util';
import { chTime, parseInput, rangeSchema, sumHalvesSql, tenantSchema } from '../query/query-input.util';

const input = rangeSchema.and(z.object({ tenant: tenantSchema.optional() }));
export type ReconcileInput = z.input<typeof input>;

export interface HourFigures {
  settled: number;
  gross: string;
  refunds: number;
  refunded: string;
}

export interface ReconcileMismatch {
  tenant: string;
  /** Start of the hour, ISO-8601. */
  hour: string;
  /** From events_raw (deduplicated, amounts read from the stored envelopes). */
  raw: HourFigures;
  /** From revenue_hourly. */
  rollup: HourFigures;
}

export interface ReconcileResult {
  ok: boolean;
  hoursChecked: number;
  mismatches: ReconcileMismatch[];
}

interface Row {
  t: string;
  h: string;
  n: string | number;
  g_lo: string;
  g_hi: string;
  rn: string | number;
  r_lo: string;
  r_hi: string;
}

const key = (r: Row) => `${r.t}\u0000${r.h}`;
const figures = (r: Row | undefined): HourFigures =>
  r
    ? {
        settled: Number(r.n),
        gross: combineHalves(r.g_lo, r.g_hi).toString(),
        refunds: Number(r.rn),
        refunded: combineHalves(r.r_lo, r.r_hi).toString(),
      }
    : { settled: 0, gross: '0', refunds: 0, refunded: '0' };

/**
 * `reconcile --since --until`: recomputes settled and refunded totals per tenant and hour from the raw envelopes
 * (events_raw FINAL, amounts parsed from the stored data) and compares them with the revenue rollup. A mismatch means
 * the rollup counted an event twice or missed one (see docs/adr/0004 "Known limits"); rebuild fixes it.
 */
export class ReconcileService {
  constructor(private readonly client: AnalyticsClient) {}

  async reconcile(request: ReconcileInput): Promise<ReconcileResult> {
    const q = parseInput(input, request);
    const hourFrom = new Date(Math.floor(q.from.getTime() / 3_600_000) * 3_600_000);
    const params: Record<string, unknown> = {
      from: chTime(hourFrom),
      to: chTime(q.to),
      hFrom: chTime(hourFrom).slice(0, 19),
      hTo: chTime(q.to).slice(0, 19),
    };
    let tenantRaw = '';
    let tenantRollup = '';
    if (q.tenant) {
      params.tenant = q.tenant;
      tenantRaw = 'AND tenant = {tenant:String}';
      tenantRollup = 'AND tenant = {tenant:String}';
    }
    const settled = "type = 'payment.settled'";
    const refunded = "type = 'refund.succeeded'";
    const amount = "toUInt256(JSONExtractString(data, 'amount'))";
    const raw = await this.client.query<Row>(
      `SELECT tenant AS t, toString(toStartOfHour(occurred_at)) AS h, countIf(${settled}) AS n, ${sumHalvesSql(amount, 'g', settled)},
              countIf(${refunded}) AS rn, ${sumHalvesSql(amount, 'r', refunded)}
       FROM events_raw FINAL
       WHERE occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
         AND type IN ('payment.settled', 'refund.succeeded') ${tenantRaw}
       GROUP BY t, h`,
      params,
    );
    const rollup = await this.client.query<Row>(
      `SELECT tenant AS t, toString(bucket) AS h, sum(payments) AS n, toString(sum(gross_lo)) AS g_lo, toString(sum(gross_hi)) AS g_hi,
              sum(refund_count) AS rn, toString(sum(refunds_lo)) AS r_lo, toString(sum(refunds_hi)) AS r_hi
       FROM revenue_hourly
       WHERE bucket >= {hFrom:DateTime('UTC')} AND bucket < {hTo:DateTime('UTC')} ${tenantRollup}
       GROUP BY t, h`,
      params,
    );
    const rawByKey = new Map(raw.map((r) => [key(r), r]));
    const rollupByKey = new Map(rollup.map((r) => [key(r), r]));
    const keys = [...new Set([...rawByKey.keys(), ...rollupByKey.keys()])].sort();
    const mismatches: ReconcileMismatch[] = [];
    for (const k of keys) {
      const a = figures(rawByKey.get(k));
      const b = figures(rollupByKey.get(k));
      if (a.settled !== b.settled || a.gross !== b.gross || a.refunds !== b.refunds || a.refunded !== b.refunded) {
        const [tenant, hour] = k.split('\u0000');
        mismatches.push({ tenant, hour: new Date(`${hour.replace(' ', 'T')}Z`).toISOString(), raw: a, rollup: b });
      }
    }
    return { ok: mismatches.length === 0, hoursChecked: keys.length, mismatches };
  }
}
