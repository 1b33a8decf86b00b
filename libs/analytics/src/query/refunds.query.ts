import { z } from 'zod';

import type { AnalyticsClient } from '../client/analytics-client';
import { combineHalves } from '../projection/clickhouse-values.util';
import type { Page } from './payments.query';
import {
  chTime,
  decodeCursor,
  displayAddress,
  encodeCursor,
  isoOrNull,
  limitSchema,
  parseInput,
  rangeSchema,
  sumHalvesSql,
  tenantSchema,
} from './query-input.util';

export const REFUND_STATUSES = ['requested', 'approved', 'submitted', 'succeeded', 'failed', 'canceled'] as const;

const time = z.union([z.date(), z.string().datetime({ offset: true })]).transform((v) => new Date(v));
const listInput = z.object({
  tenant: tenantSchema,
  status: z.array(z.enum(REFUND_STATUSES)).min(1).optional(),
  paymentId: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** Requested in [from, to). */
  from: time.optional(),
  to: time.optional(),
  limit: limitSchema(500, 50),
  cursor: z.string().min(1).max(500).optional(),
});
export type RefundListInput = z.input<typeof listInput>;

const statsInput = rangeSchema.and(z.object({ tenant: tenantSchema }));
export type RefundStatsInput = z.input<typeof statsInput>;

export interface RefundView {
  refundId: string;
  paymentId: string;
  status: string;
  /** Requested amount, atomic units. */
  amount: string;
  /** Confirmed on-chain amount ('0' until succeeded). */
  refundedAmount: string;
  reason: string;
  requestedBy: string;
  /** Set when the refund pays out a lost dispute. */
  disputeId: string | null;
  failureReason: string | null;
  txHash: string | null;
  method: string | null;
  network: string;
  asset: string;
  decimals: number | null;
  payer: string | null;
  payTo: string;
  resource: string | null;
  paymentAmount: string;
  requestedAt: string | null;
  succeededAt: string | null;
  /** Payment settled → refund succeeded, seconds. */
  secondsToRefund: number | null;
}

export interface AssetAmount {
  network: string;
  asset: string;
  decimals: number | null;
  amount: string;
}

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface RefundStats {
  /** Refunds requested in the range, by current status. */
  requestedByStatus: Record<string, number>;
  /** Refunds requested in the range, by reason: count and confirmed amount. */
  byReason: { reason: string; count: number; refunded: AssetAmount[] }[];
  /** Refunds that succeeded in the range. */
  succeeded: number;
  refunded: AssetAmount[];
  /** Settled payments in the range (revenue rollup). */
  settledPayments: number;
  /** succeeded / settledPayments (0 when nothing settled). */
  refundRate: number;
  /** Payment settled → refund succeeded, seconds, for refunds that succeeded in the range. */
  secondsToRefund: Percentiles;
}

interface RefundRow {
  refund_id: string;
  pid: string;
  st: string;
  amt: string;
  ok_amt: string;
  why: string;
  by: string;
  dispute: string;
  failure: string;
  tx: string;
  how: string;
  network: string;
  asset: string;
  decimals: number | null;
  payer: string;
  pay_to: string;
  resource: string;
  p_amt: string;
  requested: string | null;
  succeeded: string | null;
  to_refund_ms: string | number | null;
}

const SELECT = `
  SELECT refund_id, payment_id AS pid, tupleElement(status, 2) AS st, toString(amount) AS amt,
         toString(succeeded_amount) AS ok_amt, reason AS why, requested_by AS by, linked_dispute_id AS dispute,
         tupleElement(failure_reason, 2) AS failure, tupleElement(tx_hash, 2) AS tx, method AS how, network, asset,
         decimals, payer, pay_to, resource, toString(payment_amount) AS p_amt, requested_at AS requested,
         succeeded_at AS succeeded,
         if(succeeded_at IS NULL OR payment_settled_at IS NULL, NULL,
            toUnixTimestamp64Milli(assumeNotNull(succeeded_at)) - toUnixTimestamp64Milli(assumeNotNull(payment_settled_at))) AS to_refund_ms
  FROM refunds FINAL`;

const blankToNull = (v: string) => (v === '' ? null : v);

function view(r: RefundRow): RefundView {
  return {
    refundId: r.refund_id,
    paymentId: r.pid,
    status: r.st,
    amount: r.amt,
    refundedAmount: r.ok_amt,
    reason: r.why,
    requestedBy: r.by,
    disputeId: blankToNull(r.dispute),
    failureReason: blankToNull(r.failure),
    txHash: blankToNull(r.tx),
    method: blankToNull(r.how),
    network: r.network,
    asset: displayAddress(r.asset),
    decimals: r.decimals === null ? null : Number(r.decimals),
    payer: r.payer === '' ? null : displayAddress(r.payer),
    payTo: displayAddress(r.pay_to),
    resource: blankToNull(r.resource),
    paymentAmount: r.p_amt,
    requestedAt: isoOrNull(r.requested),
    succeededAt: isoOrNull(r.succeeded),
    secondsToRefund: r.to_refund_ms === null ? null : Number(r.to_refund_ms) / 1000,
  };
}

export function percentiles(values: readonly (number | string | null)[] | undefined, scale = 1): Percentiles {
  const [p50, p90, p99] = (values ?? []).map((v) => (v === null || Number.isNaN(Number(v)) ? null : Number(v) / scale));
  return { p50: p50 ?? null, p90: p90 ?? null, p99: p99 ?? null };
}

/** Refund lists and refund statistics from the refunds state table. */
export class RefundsQuery {
  constructor(private readonly client: AnalyticsClient) {}

  async list(input: RefundListInput): Promise<Page<RefundView>> {
    const q = parseInput(listInput, input);
    const params: Record<string, unknown> = { tenant: q.tenant, limit: q.limit + 1 };
    const where: string[] = [];
    if (q.status) {
      params.statuses = q.status;
      where.push('st IN {statuses:Array(String)}');
    }
    if (q.paymentId) {
      params.paymentId = q.paymentId;
      where.push('pid = {paymentId:String}');
    }
    if (q.from) {
      params.from = chTime(q.from);
      where.push("requested >= {from:DateTime64(3, 'UTC')}");
    }
    if (q.to) {
      params.to = chTime(q.to);
      where.push("requested < {to:DateTime64(3, 'UTC')}");
    }
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, ['string', 'string']);
      params.cAt = at;
      params.cId = id;
      where.push(
        "(ifNull(requested, toDateTime64(0, 3, 'UTC')), refund_id) < ({cAt:DateTime64(3, 'UTC')}, {cId:String})",
      );
    }
    const rows = await this.client.query<RefundRow>(
      `SELECT * FROM (${SELECT} WHERE tenant = {tenant:String})
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ifNull(requested, toDateTime64(0, 3, 'UTC')) DESC, refund_id DESC
       LIMIT {limit:UInt32}`,
      params,
    );
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(view),
      nextCursor: more && last ? encodeCursor([last.requested ?? '1970-01-01 00:00:00.000', last.refund_id]) : null,
    };
  }

  async stats(input: RefundStatsInput): Promise<RefundStats> {
    const q = parseInput(statsInput, input);
    const params = { tenant: q.tenant, from: chTime(q.from), to: chTime(q.to) };
    const inRange = (col: string) => `${col} >= {from:DateTime64(3, 'UTC')} AND ${col} < {to:DateTime64(3, 'UTC')}`;
    const byStatus = await this.client.query<{ st: string; n: string }>(
      `SELECT tupleElement(status, 2) AS st, count() AS n FROM refunds FINAL
       WHERE tenant = {tenant:String} AND ${inRange('requested_at')} GROUP BY st`,
      params,
    );
    const byReason = await this.client.query<{
      why: string;
      network: string;
      asset: string;
      decimals: number | null;
      n: string;
      r_lo: string;
      r_hi: string;
    }>(
      `SELECT reason AS why, network, asset, max(decimals) AS decimals, count() AS n, ${sumHalvesSql('succeeded_amount', 'r')}
       FROM refunds FINAL WHERE tenant = {tenant:String} AND ${inRange('requested_at')}
       GROUP BY why, network, asset ORDER BY n DESC, why`,
      params,
    );
    const succeeded = await this.client.query<{
      network: string;
      asset: string;
      decimals: number | null;
      n: string;
      r_lo: string;
      r_hi: string;
      q: (number | null)[];
    }>(
      `SELECT network, asset, max(decimals) AS decimals, count() AS n, ${sumHalvesSql('succeeded_amount', 'r')}
       FROM refunds FINAL WHERE tenant = {tenant:String} AND ${inRange('succeeded_at')}
       GROUP BY network, asset`,
      params,
    );
    const [latency] = await this.client.query<{ q: (number | null)[] }>(
      `SELECT quantilesExact(0.5, 0.9, 0.99)(toUnixTimestamp64Milli(assumeNotNull(succeeded_at)) - toUnixTimestamp64Milli(assumeNotNull(payment_settled_at))) AS q
       FROM refunds FINAL WHERE tenant = {tenant:String} AND ${inRange('succeeded_at')} AND payment_settled_at IS NOT NULL`,
      params,
    );
    const settled = await this.settledPayments(q.tenant, q.from, q.to);
    const reasons = new Map<string, { reason: string; count: number; refunded: AssetAmount[] }>();
    for (const r of byReason) {
      let entry = reasons.get(r.why);
      if (!entry) reasons.set(r.why, (entry = { reason: r.why, count: 0, refunded: [] }));
      entry.count += Number(r.n);
      entry.refunded.push(assetAmount(r));
    }
    const succeededCount = succeeded.reduce((s, r) => s + Number(r.n), 0);
    return {
      requestedByStatus: Object.fromEntries(byStatus.map((r) => [r.st, Number(r.n)])),
      byReason: [...reasons.values()],
      succeeded: succeededCount,
      refunded: succeeded.map(assetAmount),
      settledPayments: settled,
      refundRate: settled === 0 ? 0 : succeededCount / settled,
      secondsToRefund: succeededCount === 0 ? percentiles(undefined) : percentiles(latency?.q, 1000),
    };
  }

  private async settledPayments(tenant: string, from: Date, to: Date): Promise<number> {
    const [row] = await this.client.query<{ n: string }>(
      `SELECT count() AS n FROM settlements
       WHERE tenant = {tenant:String} AND settled_at >= {from:DateTime64(3, 'UTC')} AND settled_at < {to:DateTime64(3, 'UTC')}`,
      { tenant, from: chTime(from), to: chTime(to) },
    );
    return Number(row?.n ?? 0);
  }
}

export function assetAmount(r: {
  network: string;
  asset: string;
  decimals: number | null;
  r_lo: string;
  r_hi: string;
}): AssetAmount {
  return {
    network: r.network,
    asset: displayAddress(r.asset),
    decimals: r.decimals === null ? null : Number(r.decimals),
    amount: combineHalves(r.r_lo, r.r_hi).toString(),
  };
}
