import { z } from 'zod';

import type { AnalyticsClient } from '../client/analytics-client';
import {
  addressFilter,
  chTime,
  decodeCursor,
  displayAddress,
  encodeCursor,
  isoOrNull,
  limitSchema,
  parseInput,
  tenantSchema,
} from './query-input.util';

export const PAYMENT_STATUSES = [
  'verified',
  'verification_failed',
  'submitted',
  'settled',
  'settlement_failed',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const time = z.union([z.date(), z.string().datetime({ offset: true })]).transform((v) => new Date(v));
const amount = z.string().regex(/^(0|[1-9][0-9]{0,77})$/);

const searchInput = z.object({
  tenant: tenantSchema,
  status: z.array(z.enum(PAYMENT_STATUSES)).min(1).optional(),
  payer: addressFilter.optional(),
  payTo: addressFilter.optional(),
  resource: z.string().min(1).max(4096).optional(),
  network: z.string().min(1).max(64).optional(),
  asset: addressFilter.optional(),
  txHash: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/)
    .transform((v) => v.toLowerCase())
    .optional(),
  /** First seen in [from, to). */
  from: time.optional(),
  to: time.optional(),
  minAmount: amount.optional(),
  maxAmount: amount.optional(),
  limit: limitSchema(500, 50),
  cursor: z.string().min(1).max(500).optional(),
});
export type PaymentSearchInput = z.input<typeof searchInput>;

export interface PaymentView {
  paymentId: string;
  status: PaymentStatus | string;
  network: string;
  asset: string;
  decimals: number | null;
  amount: string;
  payer: string | null;
  payTo: string;
  resource: string | null;
  txHash: string | null;
  firstSeenAt: string | null;
  updatedAt: string | null;
  verifiedAt: string | null;
  submittedAt: string | null;
  settledAt: string | null;
  failureReason: string | null;
  /** Succeeded refunds, atomic units. */
  refunded: string;
  refundCount: number;
  /** Latest dispute state (open, under_review, won, lost, withdrawn) or null. */
  disputeStatus: string | null;
  blockNumber: string | null;
  gasUsed: string;
  /** gasUsed × effectiveGasPrice, wei of the network's native coin. */
  gasCostWei: string;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

interface PaymentRow {
  payment_id: string;
  st: string;
  network: string;
  asset: string;
  decimals: number | null;
  amt: string;
  payer: string;
  pay_to: string;
  resource: string;
  tx: string;
  first_seen: string | null;
  updated: string | null;
  verified: string | null;
  submitted: string | null;
  settled: string | null;
  failure: string;
  refunded_s: string;
  refunds_n: string | number;
  dispute: string;
  block: string | number;
  gas_used_s: string;
  gas_cost_s: string;
}

const SELECT = `
  SELECT payment_id, tupleElement(status, 2) AS st, network, asset, decimals, toString(amount) AS amt, payer, pay_to,
         resource, tupleElement(tx_hash, 2) AS tx, first_seen_at AS first_seen, updated_at AS updated,
         verified_at AS verified, submitted_at AS submitted, settled_at AS settled,
         tupleElement(failure_reason, 2) AS failure, toString(refunded) AS refunded_s, refund_count AS refunds_n,
         tupleElement(dispute_status, 2) AS dispute, block_number AS block, toString(gas_used) AS gas_used_s,
         toString(gas_cost) AS gas_cost_s
  FROM payments FINAL`;

function view(r: PaymentRow): PaymentView {
  return {
    paymentId: r.payment_id,
    status: r.st,
    network: r.network,
    asset: displayAddress(r.asset),
    decimals: r.decimals === null ? null : Number(r.decimals),
    amount: r.amt,
    payer: r.payer === '' ? null : displayAddress(r.payer),
    payTo: displayAddress(r.pay_to),
    resource: r.resource === '' ? null : r.resource,
    txHash: r.tx === '' ? null : r.tx,
    firstSeenAt: isoOrNull(r.first_seen),
    updatedAt: isoOrNull(r.updated),
    verifiedAt: isoOrNull(r.verified),
    submittedAt: isoOrNull(r.submitted),
    settledAt: isoOrNull(r.settled),
    failureReason: r.failure === '' ? null : r.failure,
    refunded: r.refunded_s,
    refundCount: Number(r.refunds_n),
    disputeStatus: r.dispute === '' ? null : r.dispute,
    blockNumber: Number(r.block) === 0 ? null : String(r.block),
    gasUsed: r.gas_used_s,
    gasCostWei: r.gas_cost_s,
  };
}

/** Payment search over the current-state table, newest first, with keyset (cursor) pagination. */
export class PaymentsQuery {
  constructor(private readonly client: AnalyticsClient) {}

  async search(input: PaymentSearchInput): Promise<Page<PaymentView>> {
    const q = parseInput(searchInput, input);
    const params: Record<string, unknown> = { tenant: q.tenant, limit: q.limit + 1 };
    const where: string[] = [];
    const eq = (column: string, name: string, value: string | undefined) => {
      if (value === undefined) return;
      params[name] = value;
      where.push(`${column} = {${name}:String}`);
    };
    eq('payer', 'payer', q.payer);
    eq('pay_to', 'payTo', q.payTo);
    eq('resource', 'resource', q.resource);
    eq('network', 'network', q.network);
    eq('asset', 'asset', q.asset);
    eq('tx', 'txHash', q.txHash);
    if (q.status) {
      params.statuses = q.status;
      where.push('st IN {statuses:Array(String)}');
    }
    if (q.from) {
      params.from = chTime(q.from);
      where.push("first_seen >= {from:DateTime64(3, 'UTC')}");
    }
    if (q.to) {
      params.to = chTime(q.to);
      where.push("first_seen < {to:DateTime64(3, 'UTC')}");
    }
    if (q.minAmount) {
      params.minAmount = q.minAmount;
      where.push('toUInt256(amt) >= {minAmount:UInt256}');
    }
    if (q.maxAmount) {
      params.maxAmount = q.maxAmount;
      where.push('toUInt256(amt) <= {maxAmount:UInt256}');
    }
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, ['string', 'string']) as [string, string];
      params.cAt = at;
      params.cId = id;
      where.push(
        "(ifNull(first_seen, toDateTime64(0, 3, 'UTC')), payment_id) < ({cAt:DateTime64(3, 'UTC')}, {cId:String})",
      );
    }
    const rows = await this.client.query<PaymentRow>(
      `SELECT * FROM (${SELECT} WHERE tenant = {tenant:String})
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ifNull(first_seen, toDateTime64(0, 3, 'UTC')) DESC, payment_id DESC
       LIMIT {limit:UInt32}`,
      params,
    );
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(view),
      nextCursor: more && last ? encodeCursor([last.first_seen ?? '1970-01-01 00:00:00.000', last.payment_id]) : null,
    };
  }

  /** One payment, or null. */
  async get(tenant: string, paymentId: string): Promise<PaymentView | null> {
    const q = parseInput(z.object({ tenant: tenantSchema, paymentId: z.string().regex(/^[0-9a-f]{64}$/) }), {
      tenant,
      paymentId,
    });
    const rows = await this.client.query<PaymentRow>(
      `${SELECT} WHERE tenant = {tenant:String} AND payment_id = {paymentId:String}`,
      q,
    );
    return rows[0] ? view(rows[0]) : null;
  }
}
