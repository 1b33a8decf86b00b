import type { PaymentStatus } from '@x402-ledger/ledger';
import { z } from 'zod';

import type { AnalyticsClient } from '../client/analytics-client';
import { fromClickHouseTime } from '../projection/clickhouse-values.util';
import { chTime, parseInput, rangeSchema, tenantSchema } from '../query/query-input.util';
import type { LedgerPayment, LedgerSnapshot } from './ledger-snapshot';

const input = rangeSchema.and(z.object({ tenant: tenantSchema.optional() }));
export type LedgerReconcileInput = z.input<typeof input>;

/** The compared fields of one payment, in the analytics vocabulary (status as the payments table spells it). */
export interface PaymentFigures {
  status: string;
  settled: string;
  refunded: string;
  txHash: string | null;
  settledAt: string | null;
}

export type PaymentField = 'status' | 'settled' | 'refunded' | 'txHash';

export interface LedgerDifference {
  kind: 'missing_in_clickhouse' | 'missing_in_ledger' | 'mismatch';
  tenant: string;
  paymentId: string;
  /** The fields that differ (every compared field for a missing payment). */
  fields: PaymentField[];
  ledger: PaymentFigures | null;
  clickhouse: PaymentFigures | null;
}

export interface LedgerReconcileResult {
  ok: boolean;
  /** Payments settled in the window on either side. */
  paymentsChecked: number;
  differences: LedgerDifference[];
}

interface Row {
  tenant: string;
  payment_id: string;
  st: string;
  amt: string;
  refunded_s: string;
  tx: string;
  settled: string | null;
}

const FIELDS: PaymentField[] = ['status', 'settled', 'refunded', 'txHash'];
const ID_CHUNK = 1000;

/** The ledger's payment status as the projection records it (payments.status only follows payment.* facts). */
export function projectedStatus(status: PaymentStatus): string {
  switch (status) {
    case 'settled':
    case 'partially_refunded':
    case 'refunded':
    case 'disputed':
      return 'settled';
    case 'settlement_submitted':
      return 'submitted';
    default:
      return status;
  }
}

export function ledgerFigures(p: LedgerPayment): PaymentFigures {
  return {
    status: projectedStatus(p.state.status),
    settled: p.state.settledAmount,
    refunded: p.state.refundedAmount,
    txHash: p.state.settlement?.txHash.toLowerCase() ?? null,
    settledAt: p.settledAt === null ? null : new Date(p.settledAt).toISOString(),
  };
}

function clickhouseFigures(r: Row): PaymentFigures {
  return {
    status: r.st,
    settled: r.st === 'settled' ? r.amt : '0',
    refunded: r.refunded_s,
    txHash: r.tx === '' ? null : r.tx,
    settledAt: r.settled === null ? null : fromClickHouseTime(r.settled),
  };
}

const SELECT = `
  SELECT tenant, payment_id, tupleElement(status, 2) AS st, toString(amount) AS amt, toString(refunded) AS refunded_s,
         tupleElement(tx_hash, 2) AS tx, toString(settled_at) AS settled
  FROM payments FINAL`;

/**
 * ClickHouse vs ledger: for every payment settled in [from, to) — by the ledger's payment.settled time or by
 * ClickHouse's settled_at — compares the projected state (payments FINAL) with the state the ledger folds from the
 * log: status, settled amount, refunded amount, settlement transaction.
 */
export class LedgerReconcileService {
  constructor(private readonly client: AnalyticsClient) {}

  async reconcile(ledger: LedgerSnapshot, request: LedgerReconcileInput): Promise<LedgerReconcileResult> {
    const q = parseInput(input, request);
    const from = q.from.getTime();
    const to = q.to.getTime();
    const inWindow = (iso: string | null) => iso !== null && Date.parse(iso) >= from && Date.parse(iso) < to;

    const params: Record<string, unknown> = { from: chTime(q.from), to: chTime(q.to) };
    let tenantFilter = '';
    if (q.tenant) {
      params.tenant = q.tenant;
      tenantFilter = 'AND tenant = {tenant:String}';
    }
    const rows = await this.client.query<Row>(
      `${SELECT}
       WHERE settled_at >= {from:DateTime64(3, 'UTC')} AND settled_at < {to:DateTime64(3, 'UTC')} ${tenantFilter}`,
      params,
    );
    const key = (tenant: string, id: string) => `${tenant}\u0000${id}`;
    const ch = new Map(rows.map((r) => [key(r.tenant, r.payment_id), r]));

    const ledgerInWindow = new Map<string, LedgerPayment>();
    for (const p of ledger.payments()) {
      if (q.tenant && p.tenant !== q.tenant) continue;
      if (inWindow(p.settledAt)) ledgerInWindow.set(key(p.tenant, p.paymentId), p);
    }
    // Ledger payments settled in the window that ClickHouse places elsewhere (or lacks): read them by id.
    const absent = [...ledgerInWindow.entries()].filter(([k]) => !ch.has(k)).map(([, p]) => p);
    for (let i = 0; i < absent.length; i += ID_CHUNK) {
      const chunk = absent.slice(i, i + ID_CHUNK);
      const found = await this.client.query<Row>(`${SELECT} WHERE payment_id IN {ids:Array(String)} ${tenantFilter}`, {
        ...params,
        ids: chunk.map((p) => p.paymentId),
      });
      for (const r of found) ch.set(key(r.tenant, r.payment_id), r);
    }
    // ClickHouse payments settled in the window: look them up in the ledger wherever it places them.
    for (const [k, r] of ch) {
      if (ledgerInWindow.has(k)) continue;
      const p = ledger.payment(r.tenant, r.payment_id);
      if (p) ledgerInWindow.set(k, p);
    }

    const differences: LedgerDifference[] = [];
    const keys = [...new Set([...ledgerInWindow.keys(), ...ch.keys()])].sort();
    for (const k of keys) {
      const p = ledgerInWindow.get(k);
      const r = ch.get(k);
      const [tenant, paymentId] = k.split('\u0000') as [string, string];
      const a = p ? ledgerFigures(p) : null;
      const b = r ? clickhouseFigures(r) : null;
      if (!a || !b) {
        differences.push({
          kind: a ? 'missing_in_clickhouse' : 'missing_in_ledger',
          tenant,
          paymentId,
          fields: [...FIELDS],
          ledger: a,
          clickhouse: b,
        });
        continue;
      }
      const fields = FIELDS.filter((f) => a[f] !== b[f]);
      if (fields.length) differences.push({ kind: 'mismatch', tenant, paymentId, fields, ledger: a, clickhouse: b });
    }
    return { ok: differences.length === 0, paymentsChecked: keys.length, differences };
  }
}
