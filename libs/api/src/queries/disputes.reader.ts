import type { AnalyticsReads } from '@x402-ledger/analytics';
import { scopeConditions, type ReadScope } from './read-scope';
import { blankToNull, decodeCursor, encodeCursor, isoOrNull, numOrNull, pageOf, type Page } from './sql.util';

/** The ledger's dispute statuses (analytics stores `needs_response` as `open`). */
export const DISPUTE_STATUSES = ['needs_response', 'under_review', 'won', 'lost', 'withdrawn'] as const;
export type DisputeStatusValue = (typeof DISPUTE_STATUSES)[number];

const toStored = (s: DisputeStatusValue): string => (s === 'needs_response' ? 'open' : s);
const fromStored = (s: string): DisputeStatusValue => (s === 'open' ? 'needs_response' : (s as DisputeStatusValue));

export interface DisputeRecord {
  id: string;
  tenant: string;
  paymentId: string;
  status: DisputeStatusValue;
  reason: string | null;
  openedBy: string | null;
  openedAt: string | null;
  respondBy: string | null;
  underReviewAt: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  evidenceCount: number;
  network: string | null;
  asset: string | null;
  decimals: number | null;
  payer: string | null;
  payTo: string | null;
  paymentAmount: string;
}

export interface DisputeSearch {
  status?: DisputeStatusValue[];
  paymentId?: string;
  tenant?: string;
  payTo?: string;
  orderBy: 'opened' | 'deadline';
}

interface Row {
  tenant: string;
  dispute_id: string;
  pid: string;
  st: string;
  why: string;
  by: string;
  opened: string | null;
  deadline: string | null;
  review: string | null;
  decided: string | null;
  decider: string;
  evidence: string | number;
  network: string;
  asset: string;
  decimals: number | null;
  payer: string;
  pay_to: string;
  p_amt: string;
}

const SELECT = `
  SELECT tenant, dispute_id, payment_id AS pid, tupleElement(status, 2) AS st, reason AS why, opened_by AS by,
         opened_at AS opened, respond_by AS deadline, under_review_at AS review, decided_at AS decided,
         decided_by AS decider, evidence_count AS evidence, network, asset, decimals, payer, pay_to,
         toString(payment_amount) AS p_amt
  FROM disputes FINAL`;

function toRecord(r: Row): DisputeRecord {
  return {
    id: r.dispute_id,
    tenant: r.tenant,
    paymentId: r.pid,
    status: fromStored(r.st),
    reason: blankToNull(r.why),
    openedBy: blankToNull(r.by),
    openedAt: isoOrNull(r.opened),
    respondBy: isoOrNull(r.deadline),
    underReviewAt: isoOrNull(r.review),
    decidedAt: isoOrNull(r.decided),
    decidedBy: blankToNull(r.decider),
    evidenceCount: Number(r.evidence),
    network: blankToNull(r.network),
    asset: blankToNull(r.asset),
    decimals: numOrNull(r.decimals),
    payer: blankToNull(r.payer),
    payTo: blankToNull(r.pay_to),
    paymentAmount: r.p_amt,
  };
}

const SCOPE_COLUMNS = { tenant: 'tenant', payTo: 'pay_to', payer: 'payer' };
const EPOCH = "toDateTime64(0, 3, 'UTC')";

/** Dispute reads from the disputes state table: newest first, or by answer deadline. */
export class DisputesReader {
  constructor(private readonly client: AnalyticsReads) {}

  async list(scope: ReadScope, filter: DisputeSearch, first: number, after?: string): Promise<Page<DisputeRecord>> {
    const params: Record<string, unknown> = { limit: first + 1 };
    const where = scopeConditions(scope, params, SCOPE_COLUMNS);
    if (filter.paymentId) {
      params.f_pid = filter.paymentId;
      where.push('payment_id = {f_pid:String}');
    }
    if (filter.tenant) {
      params.f_tenant = filter.tenant;
      where.push('tenant = {f_tenant:String}');
    }
    if (filter.payTo) {
      params.f_payTo = filter.payTo;
      where.push('pay_to = {f_payTo:String}');
    }
    const outer: string[] = [];
    if (filter.status) {
      params.statuses = filter.status.map(toStored);
      outer.push('st IN {statuses:Array(String)}');
    }
    const byDeadline = filter.orderBy === 'deadline';
    const sortCol = byDeadline ? `ifNull(deadline, ${EPOCH})` : `ifNull(opened, ${EPOCH})`;
    const kind = byDeadline ? 'dd' : 'do';
    if (after) {
      const [at, id] = decodeCursor(after, kind, 2);
      params.cAt = at;
      params.cId = id;
      outer.push(`(${sortCol}, dispute_id) ${byDeadline ? '>' : '<'} ({cAt:DateTime64(3, 'UTC')}, {cId:String})`);
    }
    const dir = byDeadline ? 'ASC' : 'DESC';
    const rows = await this.client.query<Row>(
      `SELECT * FROM (${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''})
       ${outer.length ? `WHERE ${outer.join(' AND ')}` : ''}
       ORDER BY ${sortCol} ${dir}, dispute_id ${dir} LIMIT {limit:UInt32}`,
      params,
    );
    const page = pageOf(rows, first, (r) =>
      encodeCursor(kind, [(byDeadline ? r.deadline : r.opened) ?? '1970-01-01 00:00:00.000', r.dispute_id]),
    );
    return { ...page, items: page.items.map(toRecord) };
  }

  async byIds(scope: ReadScope, ids: readonly string[]): Promise<Map<string, DisputeRecord>> {
    const unique = [...new Set(ids)].filter((id) => /^[0-9a-f]{64}$/.test(id));
    if (unique.length === 0) return new Map();
    const params: Record<string, unknown> = { ids: unique };
    const where = ['dispute_id IN {ids:Array(String)}', ...scopeConditions(scope, params, SCOPE_COLUMNS)];
    const rows = await this.client.query<Row>(`${SELECT} WHERE ${where.join(' AND ')}`, params);
    return new Map(rows.map((r) => [r.dispute_id, toRecord(r)]));
  }

  async byPaymentIds(scope: ReadScope, paymentIds: readonly string[]): Promise<Map<string, DisputeRecord[]>> {
    const unique = [...new Set(paymentIds)].filter((id) => /^[0-9a-f]{64}$/.test(id));
    const out = new Map<string, DisputeRecord[]>(unique.map((id) => [id, []]));
    if (unique.length === 0) return out;
    const params: Record<string, unknown> = { ids: unique };
    const where = ['payment_id IN {ids:Array(String)}', ...scopeConditions(scope, params, SCOPE_COLUMNS)];
    const rows = await this.client.query<Row>(
      `SELECT * FROM (${SELECT} WHERE ${where.join(' AND ')}) ORDER BY opened ASC, dispute_id ASC`,
      params,
    );
    for (const r of rows) out.get(r.pid)?.push(toRecord(r));
    return out;
  }
}
