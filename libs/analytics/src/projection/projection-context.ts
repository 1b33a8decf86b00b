import type { AnalyticsClient } from '../client/analytics-client';
import { BoundedLru } from './bounded-lru';
import { LARGE_QUERY_SETTINGS } from './clickhouse-values.util';

/** What later events of a payment (settled, refund.*, dispute.*) need from its earlier events. */
export interface PaymentContext {
  network: string;
  /** Lowercase. */
  asset: string;
  decimals: number | null;
  amount: string;
  /** Lowercase, '' when unknown. */
  payer: string;
  /** Lowercase. */
  payTo: string;
  resource: string;
  /** ClickHouse DateTime64 text (UTC) or null. */
  submittedAt: string | null;
  settledAt: string | null;
}

/** What session.used / revoked / expired need from session.issued. */
export interface SessionContext {
  network: string;
  asset: string;
  decimals: number | null;
}

export interface ContextNeeds {
  /** tenant → payment ids */
  payments: Map<string, Set<string>>;
  /** tenant → session ids */
  sessions: Map<string, Set<string>>;
}

const key = (tenant: string, id: string) => `${tenant}\u0000${id}`;

/**
 * The enrichment state of the projector: recent payments' and sessions' dimensions, in a bounded LRU, completed from
 * ClickHouse (the `payments` / `sessions` state tables) for aggregates the cache does not hold. Refund, dispute and
 * session-usage events carry only their own fields; their rows get the payment's (session's) dimensions from here.
 * The log keeps one stream's events in order, so a payment's earlier events are projected (or in the same batch)
 * before its refunds, disputes and settlement are.
 */
export class ProjectionContext {
  private readonly payments: BoundedLru<string, PaymentContext>;
  private readonly sessions: BoundedLru<string, SessionContext>;

  constructor(capacity = 100_000) {
    this.payments = new BoundedLru(capacity);
    this.sessions = new BoundedLru(capacity);
  }

  payment(tenant: string, paymentId: string): PaymentContext | undefined {
    return this.payments.get(key(tenant, paymentId));
  }

  session(tenant: string, sessionId: string): SessionContext | undefined {
    return this.sessions.get(key(tenant, sessionId));
  }

  /** Merges what an event tells about a payment into its context (empty values never overwrite known ones). */
  notePayment(tenant: string, paymentId: string, update: Partial<PaymentContext>): void {
    const k = key(tenant, paymentId);
    let current = this.payments.get(k);
    if (!current) {
      current = {
        network: '',
        asset: '',
        decimals: null,
        amount: '0',
        payer: '',
        payTo: '',
        resource: '',
        submittedAt: null,
        settledAt: null,
      };
      this.payments.set(k, current);
    }
    if (update.network) current.network = update.network;
    if (update.asset) current.asset = update.asset;
    if (update.decimals !== undefined && update.decimals !== null) current.decimals = update.decimals;
    if (update.amount) current.amount = update.amount;
    if (update.payer) current.payer = update.payer;
    if (update.payTo) current.payTo = update.payTo;
    if (update.resource) current.resource = update.resource;
    if (update.submittedAt) current.submittedAt = update.submittedAt;
    if (update.settledAt) current.settledAt = update.settledAt;
  }

  noteSession(tenant: string, sessionId: string, context: SessionContext): void {
    this.sessions.set(key(tenant, sessionId), context);
  }

  /** Drops ids the cache already holds from `needs` (in place) and returns whether anything is left to load. */
  prune(needs: ContextNeeds): boolean {
    let left = false;
    for (const [tenant, ids] of needs.payments) {
      for (const id of ids) if (this.payments.has(key(tenant, id))) ids.delete(id);
      left ||= ids.size > 0;
    }
    for (const [tenant, ids] of needs.sessions) {
      for (const id of ids) if (this.sessions.has(key(tenant, id))) ids.delete(id);
      left ||= ids.size > 0;
    }
    return left;
  }

  /** Loads the contexts in `needs` from ClickHouse's state tables into the cache (ids ClickHouse lacks stay unknown). */
  async load(client: AnalyticsClient, needs: ContextNeeds): Promise<void> {
    for (const [tenant, ids] of needs.payments) {
      if (ids.size === 0) continue;
      const rows = await client.query<{
        payment_id: string;
        network: string;
        asset: string;
        decimals: number | null;
        amount: string;
        payer: string;
        pay_to: string;
        resource: string;
        submitted_at: string | null;
        settled_at: string | null;
      }>(
        `SELECT payment_id, network, asset, decimals, toString(amount) AS amount, payer, pay_to, resource,
                submitted_at, settled_at
         FROM payments FINAL
         WHERE tenant = {tenant:String} AND payment_id IN {ids:Array(String)}
         ${LARGE_QUERY_SETTINGS}`,
        { tenant, ids: [...ids] },
      );
      for (const r of rows) {
        this.notePayment(tenant, r.payment_id, {
          network: r.network,
          asset: r.asset,
          decimals: r.decimals,
          amount: r.amount,
          payer: r.payer,
          payTo: r.pay_to,
          resource: r.resource,
          submittedAt: r.submitted_at,
          settledAt: r.settled_at,
        });
      }
    }
    for (const [tenant, ids] of needs.sessions) {
      if (ids.size === 0) continue;
      const rows = await client.query<{ session_id: string; network: string; asset: string; decimals: number | null }>(
        `SELECT session_id, network, asset, decimals FROM sessions FINAL
         WHERE tenant = {tenant:String} AND session_id IN {ids:Array(String)}
         ${LARGE_QUERY_SETTINGS}`,
        { tenant, ids: [...ids] },
      );
      for (const r of rows) {
        this.noteSession(tenant, r.session_id, { network: r.network, asset: r.asset, decimals: r.decimals });
      }
    }
  }

  clear(): void {
    this.payments.clear();
    this.sessions.clear();
  }
}
