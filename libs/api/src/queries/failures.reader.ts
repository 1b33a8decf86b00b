import type { AnalyticsReads } from '@x402-ledger/analytics';
import type { TimeWindow } from './payments.reader';
import { scopeConditions, type ReadScope } from './read-scope';
import { blankToNull, chTime, decodeCursor, encodeCursor, isoOrNull, pageOf, type Page } from './sql.util';

export interface FailureRecord {
  id: string;
  tenant: string;
  stage: 'verification' | 'settlement';
  occurredAt: string;
  paymentId: string | null;
  reason: string;
  message: string | null;
  network: string;
  asset: string;
  amount: string;
  payer: string | null;
  payTo: string;
  resource: string | null;
  transaction: string | null;
}

export interface FailureSearch {
  stage: 'verification' | 'settlement';
  reason?: string;
  tenant?: string;
  payTo?: string;
  occurredAt?: TimeWindow;
}

interface Row {
  event_id: string;
  tenant: string;
  stage: string;
  occurred_at: string;
  payment_id: string;
  reason: string;
  message: string;
  network: string;
  asset: string;
  amt: string;
  payer: string;
  pay_to: string;
  resource: string;
  tx_hash: string;
}

const SCOPE_COLUMNS = { tenant: 'tenant', payTo: 'pay_to', payer: 'payer' };

/** Verification and settlement failures (one row per failure event), newest first, with a reason breakdown. */
export class FailuresReader {
  constructor(private readonly client: AnalyticsReads) {}

  async list(scope: ReadScope, filter: FailureSearch, first: number, after?: string): Promise<Page<FailureRecord>> {
    const params: Record<string, unknown> = { limit: first + 1 };
    const where = this.where(scope, filter, params);
    if (after) {
      const [at, id] = decodeCursor(after, 'f', 2);
      params.cAt = at;
      params.cId = id;
      where.push("(occurred_at, event_id) < ({cAt:DateTime64(3, 'UTC')}, {cId:String})");
    }
    const rows = await this.client.query<Row>(
      `SELECT event_id, tenant, stage, toString(occurred_at) AS occurred_at, payment_id, reason, message, network, asset,
              toString(amount) AS amt, payer, pay_to, resource, tx_hash
       FROM payment_failures WHERE ${where.join(' AND ')}
       ORDER BY occurred_at DESC, event_id DESC LIMIT 1 BY event_id LIMIT {limit:UInt32}`,
      params,
    );
    const page = pageOf(rows, first, (r) => encodeCursor('f', [r.occurred_at, r.event_id]));
    return {
      ...page,
      items: page.items.map((r) => ({
        id: r.event_id,
        tenant: r.tenant,
        stage: r.stage as FailureRecord['stage'],
        occurredAt: isoOrNull(r.occurred_at) as string,
        paymentId: blankToNull(r.payment_id),
        reason: r.reason,
        message: blankToNull(r.message),
        network: r.network,
        asset: r.asset,
        amount: r.amt,
        payer: blankToNull(r.payer),
        payTo: r.pay_to,
        resource: blankToNull(r.resource),
        transaction: blankToNull(r.tx_hash),
      })),
    };
  }

  async byReason(scope: ReadScope, filter: FailureSearch): Promise<{ reason: string; count: number }[]> {
    const params: Record<string, unknown> = {};
    const where = this.where(scope, filter, params);
    const rows = await this.client.query<{ reason: string; n: string }>(
      `SELECT reason, uniqExact(event_id) AS n FROM payment_failures WHERE ${where.join(' AND ')}
       GROUP BY reason ORDER BY n DESC, reason`,
      params,
    );
    return rows.map((r) => ({ reason: r.reason, count: Number(r.n) }));
  }

  private where(scope: ReadScope, filter: FailureSearch, params: Record<string, unknown>): string[] {
    params.stage = filter.stage;
    const where = ['stage = {stage:String}', ...scopeConditions(scope, params, SCOPE_COLUMNS)];
    if (filter.reason) {
      params.f_reason = filter.reason;
      where.push('reason = {f_reason:String}');
    }
    if (filter.tenant) {
      params.f_tenant = filter.tenant;
      where.push('tenant = {f_tenant:String}');
    }
    if (filter.payTo) {
      params.f_payTo = filter.payTo;
      where.push('pay_to = {f_payTo:String}');
    }
    if (filter.occurredAt?.from) {
      params.oFrom = chTime(filter.occurredAt.from);
      where.push("occurred_at >= {oFrom:DateTime64(3, 'UTC')}");
    }
    if (filter.occurredAt?.to) {
      params.oTo = chTime(filter.occurredAt.to);
      where.push("occurred_at < {oTo:DateTime64(3, 'UTC')}");
    }
    return where;
  }
}
