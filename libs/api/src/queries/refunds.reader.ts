import type { AnalyticsReads } from '@x402-ledger/analytics';
import { scopeConditions, type ReadScope } from './read-scope';
import { blankToNull, chTime, decodeCursor, encodeCursor, isoOrNull, numOrNull, pageOf, type Page } from './sql.util';
import type { TimeWindow } from './payments.reader';

export const REFUND_STATUSES = ['requested', 'approved', 'submitted', 'succeeded', 'failed', 'canceled'] as const;
export type RefundStatusValue = (typeof REFUND_STATUSES)[number];

export interface RefundRecord {
  id: string;
  tenant: string;
  paymentId: string;
  status: RefundStatusValue;
  amount: string;
  refundedAmount: string;
  reason: string | null;
  requestedBy: string | null;
  disputeId: string | null;
  failureReason: string | null;
  transaction: string | null;
  method: string | null;
  network: string | null;
  asset: string | null;
  decimals: number | null;
  payer: string | null;
  payTo: string | null;
  requestedAt: string | null;
  approvedAt: string | null;
  submittedAt: string | null;
  succeededAt: string | null;
  failedAt: string | null;
  canceledAt: string | null;
}

export interface RefundSearch {
  status?: RefundStatusValue[];
  paymentId?: string;
  tenant?: string;
  payTo?: string;
  requestedAt?: TimeWindow;
}

interface Row {
  tenant: string;
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
  requested: string | null;
  approved: string | null;
  submitted: string | null;
  succeeded: string | null;
  failed: string | null;
  canceled: string | null;
}

const SELECT = `
  SELECT tenant, refund_id, payment_id AS pid, tupleElement(status, 2) AS st, toString(amount) AS amt,
         toString(succeeded_amount) AS ok_amt, reason AS why, requested_by AS by, linked_dispute_id AS dispute,
         tupleElement(failure_reason, 2) AS failure, tupleElement(tx_hash, 2) AS tx, method AS how, network, asset,
         decimals, payer, pay_to, requested_at AS requested, approved_at AS approved, submitted_at AS submitted,
         succeeded_at AS succeeded, failed_at AS failed, canceled_at AS canceled
  FROM refunds FINAL`;

function toRecord(r: Row): RefundRecord {
  return {
    id: r.refund_id,
    tenant: r.tenant,
    paymentId: r.pid,
    status: r.st as RefundStatusValue,
    amount: r.amt,
    refundedAmount: r.ok_amt,
    reason: blankToNull(r.why),
    requestedBy: blankToNull(r.by),
    disputeId: blankToNull(r.dispute),
    failureReason: blankToNull(r.failure),
    transaction: blankToNull(r.tx),
    method: blankToNull(r.how),
    network: blankToNull(r.network),
    asset: blankToNull(r.asset),
    decimals: numOrNull(r.decimals),
    payer: blankToNull(r.payer),
    payTo: blankToNull(r.pay_to),
    requestedAt: isoOrNull(r.requested),
    approvedAt: isoOrNull(r.approved),
    submittedAt: isoOrNull(r.submitted),
    succeededAt: isoOrNull(r.succeeded),
    failedAt: isoOrNull(r.failed),
    canceledAt: isoOrNull(r.canceled),
  };
}

const SCOPE_COLUMNS = { tenant: 'tenant', payTo: 'pay_to', payer: 'payer' };

/** Refund reads from the refunds state table (small next to payments: FINAL is affordable). Newest request first. */
export class RefundsReader {
  constructor(private readonly client: AnalyticsReads) {}

  async list(scope: ReadScope, filter: RefundSearch, first: number, after?: string): Promise<Page<RefundRecord>> {
    const params: Record<string, unknown> = { limit: first + 1 };
    const where = this.where(scope, filter, params);
    const outer: string[] = [];
    if (filter.status) {
      params.statuses = filter.status;
      outer.push('st IN {statuses:Array(String)}');
    }
    if (filter.requestedAt?.from) {
      params.rFrom = chTime(filter.requestedAt.from);
      outer.push("requested >= {rFrom:DateTime64(3, 'UTC')}");
    }
    if (filter.requestedAt?.to) {
      params.rTo = chTime(filter.requestedAt.to);
      outer.push("requested < {rTo:DateTime64(3, 'UTC')}");
    }
    if (after) {
      const [at, id] = decodeCursor(after, 'r', 2);
      params.cAt = at;
      params.cId = id;
      outer.push(
        "(ifNull(requested, toDateTime64(0, 3, 'UTC')), refund_id) < ({cAt:DateTime64(3, 'UTC')}, {cId:String})",
      );
    }
    const rows = await this.client.query<Row>(
      `SELECT * FROM (${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''})
       ${outer.length ? `WHERE ${outer.join(' AND ')}` : ''}
       ORDER BY ifNull(requested, toDateTime64(0, 3, 'UTC')) DESC, refund_id DESC LIMIT {limit:UInt32}`,
      params,
    );
    const page = pageOf(rows, first, (r) => encodeCursor('r', [r.requested ?? '1970-01-01 00:00:00.000', r.refund_id]));
    return { ...page, items: page.items.map(toRecord) };
  }

  async byIds(scope: ReadScope, ids: readonly string[]): Promise<Map<string, RefundRecord>> {
    const unique = [...new Set(ids)].filter((id) => /^[0-9a-f]{64}$/.test(id));
    if (unique.length === 0) return new Map();
    const params: Record<string, unknown> = { ids: unique };
    const where = ['refund_id IN {ids:Array(String)}', ...scopeConditions(scope, params, SCOPE_COLUMNS)];
    const rows = await this.client.query<Row>(`${SELECT} WHERE ${where.join(' AND ')}`, params);
    return new Map(rows.map((r) => [r.refund_id, toRecord(r)]));
  }

  /** Refunds of each payment, oldest request first. */
  async byPaymentIds(scope: ReadScope, paymentIds: readonly string[]): Promise<Map<string, RefundRecord[]>> {
    const unique = [...new Set(paymentIds)].filter((id) => /^[0-9a-f]{64}$/.test(id));
    const out = new Map<string, RefundRecord[]>(unique.map((id) => [id, []]));
    if (unique.length === 0) return out;
    const params: Record<string, unknown> = { ids: unique };
    const where = ['payment_id IN {ids:Array(String)}', ...scopeConditions(scope, params, SCOPE_COLUMNS)];
    const rows = await this.client.query<Row>(
      `SELECT * FROM (${SELECT} WHERE ${where.join(' AND ')}) ORDER BY requested ASC, refund_id ASC`,
      params,
    );
    for (const r of rows) out.get(r.pid)?.push(toRecord(r));
    return out;
  }

  private where(scope: ReadScope, filter: RefundSearch, params: Record<string, unknown>): string[] {
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
    return where;
  }
}
