import type { AnalyticsReads } from '@x402-ledger/analytics';
import { combineHalves } from '@x402-ledger/analytics';
import type { ReadScope } from './read-scope';
import { blankToNull, decodeCursor, encodeCursor, isoOrNull, numOrNull, pageOf, type Page } from './sql.util';

export const SESSION_STATUSES = ['active', 'revoked', 'expired'] as const;
export type SessionStatusValue = (typeof SESSION_STATUSES)[number];

export interface SessionRecord {
  id: string;
  tenant: string;
  paymentId: string | null;
  wallet: string | null;
  network: string | null;
  asset: string | null;
  decimals: number | null;
  policyId: string | null;
  policyVersion: number;
  status: SessionStatusValue;
  issuedAt: string | null;
  expiresAt: string | null;
  maxCalls: string | null;
  budget: string | null;
  calls: string;
  spend: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
}

export interface SessionSearch {
  status?: SessionStatusValue[];
  wallet?: string;
  paymentId?: string;
  tenant?: string;
}

interface Row {
  tenant: string;
  session_id: string;
  pid: string;
  wallet: string;
  network: string;
  asset: string;
  decimals: number | null;
  policy_id: string;
  policy_version: number | string;
  st: string;
  issued: string | null;
  expires: string | null;
  max_calls: string | number | null;
  budget_s: string | null;
  calls_s: string | number;
  s_lo: string;
  s_hi: string;
  last_used: string | null;
  revoked: string | null;
  revoke_reason: string;
  derived: string;
}

function toRecord(r: Row): SessionRecord {
  return {
    id: r.session_id,
    tenant: r.tenant,
    paymentId: blankToNull(r.pid),
    wallet: blankToNull(r.wallet),
    network: blankToNull(r.network),
    asset: blankToNull(r.asset),
    decimals: numOrNull(r.decimals),
    policyId: blankToNull(r.policy_id),
    policyVersion: Number(r.policy_version),
    status: r.derived as SessionStatusValue,
    issuedAt: isoOrNull(r.issued),
    expiresAt: isoOrNull(r.expires),
    maxCalls: r.max_calls === null ? null : String(r.max_calls),
    budget: r.budget_s,
    calls: String(r.calls_s),
    spend: combineHalves(r.s_lo, r.s_hi).toString(),
    lastUsedAt: isoOrNull(r.last_used),
    revokedAt: isoOrNull(r.revoked),
    revokeReason: blankToNull(r.revoke_reason),
  };
}

/**
 * Session reads from the sessions state table. Sessions carry no payTo: a payTo-scoped provider sees the sessions
 * bought by payments to its addresses (a semi-join on the payments table); a payer sees the sessions of its wallet.
 * An `active` session past its expiry reads as `expired`.
 */
export class SessionsReader {
  constructor(
    private readonly client: AnalyticsReads,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(scope: ReadScope, filter: SessionSearch, first: number, after?: string): Promise<Page<SessionRecord>> {
    const params: Record<string, unknown> = { limit: first + 1 };
    const outer: string[] = [];
    if (filter.status) {
      params.statuses = filter.status;
      outer.push('derived IN {statuses:Array(String)}');
    }
    if (after) {
      const [at, id] = decodeCursor(after, 'ss', 2);
      params.cAt = at;
      params.cId = id;
      outer.push(
        "(ifNull(issued, toDateTime64(0, 3, 'UTC')), session_id) < ({cAt:DateTime64(3, 'UTC')}, {cId:String})",
      );
    }
    const rows = await this.client.query<Row>(
      `SELECT * FROM (${this.select(scope, filter, params)})
       ${outer.length ? `WHERE ${outer.join(' AND ')}` : ''}
       ORDER BY ifNull(issued, toDateTime64(0, 3, 'UTC')) DESC, session_id DESC LIMIT {limit:UInt32}`,
      params,
    );
    const page = pageOf(rows, first, (r) => encodeCursor('ss', [r.issued ?? '1970-01-01 00:00:00.000', r.session_id]));
    return { ...page, items: page.items.map(toRecord) };
  }

  async byPaymentIds(scope: ReadScope, paymentIds: readonly string[]): Promise<Map<string, SessionRecord[]>> {
    const unique = [...new Set(paymentIds)].filter((id) => /^[0-9a-f]{64}$/.test(id));
    const out = new Map<string, SessionRecord[]>(unique.map((id) => [id, []]));
    if (unique.length === 0) return out;
    const params: Record<string, unknown> = {};
    const rows = await this.client.query<Row>(
      `SELECT * FROM (${this.select(scope, { paymentIds: unique }, params)}) ORDER BY issued ASC, session_id ASC`,
      params,
    );
    for (const r of rows) out.get(r.pid)?.push(toRecord(r));
    return out;
  }

  private select(
    scope: ReadScope,
    filter: SessionSearch & { paymentIds?: string[] },
    params: Record<string, unknown>,
  ): string {
    params.now = this.now().toISOString().slice(0, 23).replace('T', ' ');
    const where: string[] = [];
    if (scope.tenant !== null) {
      params.s_tenant = scope.tenant;
      where.push('tenant = {s_tenant:String}');
    }
    if (scope.payer !== null) {
      params.s_payer = scope.payer;
      where.push('wallet = {s_payer:String}');
    }
    if (scope.payTo !== null) {
      params.s_payTo = scope.payTo;
      where.push(
        `payment_id IN (SELECT payment_id FROM payments WHERE pay_to IN {s_payTo:Array(String)}${scope.tenant !== null ? ' AND tenant = {s_tenant:String}' : ''})`,
      );
    }
    if (filter.wallet) {
      params.f_wallet = filter.wallet;
      where.push('wallet = {f_wallet:String}');
    }
    if (filter.paymentId) {
      params.f_pid = filter.paymentId;
      where.push('payment_id = {f_pid:String}');
    }
    if (filter.paymentIds) {
      params.f_pids = filter.paymentIds;
      where.push('payment_id IN {f_pids:Array(String)}');
    }
    if (filter.tenant) {
      params.f_tenant = filter.tenant;
      where.push('tenant = {f_tenant:String}');
    }
    return `
      SELECT tenant, session_id, payment_id AS pid, wallet, network, asset, decimals, policy_id, policy_version,
             tupleElement(status, 2) AS st, issued_at AS issued, expires_at AS expires, max_calls,
             if(budget IS NULL, NULL, toString(budget)) AS budget_s, calls AS calls_s, toString(spend_lo) AS s_lo,
             toString(spend_hi) AS s_hi, last_used_at AS last_used, revoked_at AS revoked, revoke_reason,
             if(st = 'active' AND expires IS NOT NULL AND expires <= toDateTime64({now:String}, 3, 'UTC'), 'expired', st) AS derived
      FROM sessions FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
  }
}
