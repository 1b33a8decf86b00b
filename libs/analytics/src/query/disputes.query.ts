import { z } from 'zod';

import type { AnalyticsClient } from '../client/analytics-client';
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
  tenantSchema,
} from './query-input.util';

export const DISPUTE_STATUSES = ['open', 'under_review', 'won', 'lost', 'withdrawn'] as const;

const listInput = z.object({
  tenant: tenantSchema,
  status: z.array(z.enum(DISPUTE_STATUSES)).min(1).optional(),
  paymentId: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** `deadline`: respondBy ascending (what to answer first); `opened`: newest first. */
  orderBy: z.enum(['deadline', 'opened']).default('opened'),
  limit: limitSchema(500, 50),
  cursor: z.string().min(1).max(500).optional(),
});
export type DisputeListInput = z.input<typeof listInput>;

const statsInput = rangeSchema.and(z.object({ tenant: tenantSchema, now: z.date().optional() }));
export type DisputeStatsInput = z.input<typeof statsInput>;

export interface DisputeView {
  disputeId: string;
  paymentId: string;
  status: string;
  reason: string;
  openedBy: string;
  openedAt: string | null;
  respondBy: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  evidenceCount: number;
  network: string;
  asset: string;
  decimals: number | null;
  payer: string | null;
  payTo: string;
  resource: string | null;
  paymentAmount: string;
}

export interface DisputeStats {
  /** Disputes opened in the range. */
  opened: number;
  /** Of those, by current status. */
  byStatus: Record<string, number>;
  byReason: { reason: string; count: number }[];
  /** Settled payments in the range. */
  settledPayments: number;
  /** opened / settledPayments. */
  disputeRate: number;
  /** won / (won + lost) among disputes opened in the range; null when none is decided. */
  winRate: number | null;
  /** Disputes open now (open or under review), by deadline. */
  openByDeadline: { overdue: number; within24h: number; later: number };
}

interface DisputeRow {
  dispute_id: string;
  pid: string;
  st: string;
  why: string;
  by: string;
  opened: string | null;
  deadline: string | null;
  decided: string | null;
  decider: string;
  evidence: string | number;
  network: string;
  asset: string;
  decimals: number | null;
  payer: string;
  pay_to: string;
  resource: string;
  p_amt: string;
}

const SELECT = `
  SELECT dispute_id, payment_id AS pid, tupleElement(status, 2) AS st, reason AS why, opened_by AS by,
         opened_at AS opened, respond_by AS deadline, decided_at AS decided, decided_by AS decider,
         evidence_count AS evidence, network, asset, decimals, payer, pay_to, resource, toString(payment_amount) AS p_amt
  FROM disputes FINAL`;

function view(r: DisputeRow): DisputeView {
  return {
    disputeId: r.dispute_id,
    paymentId: r.pid,
    status: r.st,
    reason: r.why,
    openedBy: r.by,
    openedAt: isoOrNull(r.opened),
    respondBy: isoOrNull(r.deadline),
    decidedAt: isoOrNull(r.decided),
    decidedBy: r.decider === '' ? null : r.decider,
    evidenceCount: Number(r.evidence),
    network: r.network,
    asset: displayAddress(r.asset),
    decimals: r.decimals === null ? null : Number(r.decimals),
    payer: r.payer === '' ? null : displayAddress(r.payer),
    payTo: displayAddress(r.pay_to),
    resource: r.resource === '' ? null : r.resource,
    paymentAmount: r.p_amt,
  };
}

const EPOCH = "toDateTime64(0, 3, 'UTC')";

/** Dispute lists (by deadline or newest) and dispute rates / outcomes. */
export class DisputesQuery {
  constructor(private readonly client: AnalyticsClient) {}

  async list(input: DisputeListInput): Promise<Page<DisputeView>> {
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
    const byDeadline = q.orderBy === 'deadline';
    const sortCol = byDeadline ? `ifNull(deadline, ${EPOCH})` : `ifNull(opened, ${EPOCH})`;
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, ['string', 'string']);
      params.cAt = at;
      params.cId = id;
      where.push(`(${sortCol}, dispute_id) ${byDeadline ? '>' : '<'} ({cAt:DateTime64(3, 'UTC')}, {cId:String})`);
    }
    const dir = byDeadline ? 'ASC' : 'DESC';
    const rows = await this.client.query<DisputeRow>(
      `SELECT * FROM (${SELECT} WHERE tenant = {tenant:String})
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${sortCol} ${dir}, dispute_id ${dir}
       LIMIT {limit:UInt32}`,
      params,
    );
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const lastKey = last ? ((byDeadline ? last.deadline : last.opened) ?? '1970-01-01 00:00:00.000') : '';
    return { items: page.map(view), nextCursor: more && last ? encodeCursor([lastKey, last.dispute_id]) : null };
  }

  async stats(input: DisputeStatsInput): Promise<DisputeStats> {
    const q = parseInput(statsInput, input);
    const now = q.now ?? new Date();
    const params = {
      tenant: q.tenant,
      from: chTime(q.from),
      to: chTime(q.to),
      now: chTime(now),
      soon: chTime(new Date(now.getTime() + 86_400_000)),
    };
    const inRange = "opened_at >= {from:DateTime64(3, 'UTC')} AND opened_at < {to:DateTime64(3, 'UTC')}";
    const byStatus = await this.client.query<{ st: string; n: string }>(
      `SELECT tupleElement(status, 2) AS st, count() AS n FROM disputes FINAL
       WHERE tenant = {tenant:String} AND ${inRange} GROUP BY st`,
      params,
    );
    const byReason = await this.client.query<{ why: string; n: string }>(
      `SELECT reason AS why, count() AS n FROM disputes FINAL
       WHERE tenant = {tenant:String} AND ${inRange} GROUP BY why ORDER BY n DESC, why`,
      params,
    );
    const [open] = await this.client.query<{ overdue: string; soon: string; later: string }>(
      `SELECT countIf(deadline < {now:DateTime64(3, 'UTC')}) AS overdue,
              countIf(deadline >= {now:DateTime64(3, 'UTC')} AND deadline < {soon:DateTime64(3, 'UTC')}) AS soon,
              countIf(deadline >= {soon:DateTime64(3, 'UTC')} OR deadline IS NULL) AS later
       FROM (SELECT tupleElement(status, 2) AS st, respond_by AS deadline FROM disputes FINAL WHERE tenant = {tenant:String})
       WHERE st IN ('open', 'under_review')`,
      params,
    );
    const [settled] = await this.client.query<{ n: string }>(
      `SELECT count() AS n FROM settlements
       WHERE tenant = {tenant:String} AND settled_at >= {from:DateTime64(3, 'UTC')} AND settled_at < {to:DateTime64(3, 'UTC')}`,
      params,
    );
    const statuses = Object.fromEntries(byStatus.map((r) => [r.st, Number(r.n)]));
    const opened = byStatus.reduce((s, r) => s + Number(r.n), 0);
    const settledPayments = Number(settled?.n ?? 0);
    const won = statuses['won'] ?? 0;
    const lost = statuses['lost'] ?? 0;
    return {
      opened,
      byStatus: statuses,
      byReason: byReason.map((r) => ({ reason: r.why, count: Number(r.n) })),
      settledPayments,
      disputeRate: settledPayments === 0 ? 0 : opened / settledPayments,
      winRate: won + lost === 0 ? null : won / (won + lost),
      openByDeadline: {
        overdue: Number(open?.overdue ?? 0),
        within24h: Number(open?.soon ?? 0),
        later: Number(open?.later ?? 0),
      },
    };
  }
}
