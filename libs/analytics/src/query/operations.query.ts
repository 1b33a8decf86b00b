import { z } from 'zod';

import type { AnalyticsClient } from '../client/analytics-client';
import { combineHalves } from '../projection/clickhouse-values.util';
import type { Page } from './payments.query';
import {
  chTime,
  decodeCursor,
  displayAddress,
  divRound,
  encodeCursor,
  isoOrNull,
  limitSchema,
  parseInput,
  rangeSchema,
  sumHalvesSql,
  tenantSchema,
} from './query-input.util';

const failuresInput = rangeSchema.and(
  z.object({ tenant: tenantSchema, stage: z.enum(['verification', 'settlement']).default('verification') }),
);
export type FailuresInput = z.input<typeof failuresInput>;

const latencyInput = rangeSchema.and(z.object({ tenant: tenantSchema, network: z.string().min(1).max(64).optional() }));
export type LatencyInput = z.input<typeof latencyInput>;

const gasInput = rangeSchema.and(z.object({ tenant: tenantSchema }));
export type GasInput = z.input<typeof gasInput>;

const marginsInput = rangeSchema.and(
  z.object({
    tenant: tenantSchema,
    /** Per network: asset atomic units per 1 native coin (1e18 wei), e.g. `{ 'eip155:8453': '2500000000' }` for 2,500 USDC/ETH. */
    nativePrices: z.record(z.string().regex(/^(0|[1-9][0-9]{0,77})$/)).default({}),
    limit: limitSchema(500, 50),
    cursor: z.string().min(1).max(500).optional(),
  }),
);
export type MarginsInput = z.input<typeof marginsInput>;

export interface FailureBreakdown {
  total: number;
  byReason: { reason: string; count: number; share: number }[];
}

export interface LatencyStats {
  settlements: number;
  /** Settlements whose submission time is known. */
  measured: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  avgMs: number | null;
}

export interface GasByNetwork {
  network: string;
  settlements: number;
  gasUsed: string;
  /** Σ gasUsed × effectiveGasPrice, wei. */
  gasCostWei: string;
  avgGasCostWei: string;
}

export interface PaymentMargin {
  paymentId: string;
  settledAt: string;
  network: string;
  asset: string;
  decimals: number | null;
  amount: string;
  gasCostWei: string;
  /** Gas cost converted with nativePrices (null without a price for the network). */
  gasCostInAsset: string | null;
  /** amount − gasCostInAsset (null without a price). */
  margin: string | null;
}

/** Operations: verification failures, settlement latency, facilitator gas cost and per-payment margin. */
export class OperationsQuery {
  constructor(private readonly client: AnalyticsClient) {}

  async failures(input: FailuresInput): Promise<FailureBreakdown> {
    const q = parseInput(failuresInput, input);
    const rows = await this.client.query<{ why: string; n: string }>(
      `SELECT reason AS why, count() AS n FROM payment_failures
       WHERE tenant = {tenant:String} AND stage = {stage:String}
         AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
       GROUP BY why ORDER BY n DESC, why`,
      { tenant: q.tenant, stage: q.stage, from: chTime(q.from), to: chTime(q.to) },
    );
    const total = rows.reduce((s, r) => s + Number(r.n), 0);
    return {
      total,
      byReason: rows.map((r) => ({ reason: r.why, count: Number(r.n), share: total === 0 ? 0 : Number(r.n) / total })),
    };
  }

  async settlementLatency(input: LatencyInput): Promise<LatencyStats> {
    const q = parseInput(latencyInput, input);
    const params: Record<string, unknown> = { tenant: q.tenant, from: chTime(q.from), to: chTime(q.to) };
    let extra = '';
    if (q.network) {
      params.network = q.network;
      extra = 'AND network = {network:String}';
    }
    const [row] = await this.client.query<{
      n: string;
      m: string;
      q: (number | null)[];
      mx: number | null;
      av: number | null;
    }>(
      `SELECT count() AS n, count(latency_ms) AS m,
              quantilesExactIf(0.5, 0.9, 0.99)(assumeNotNull(latency_ms), latency_ms IS NOT NULL) AS q,
              max(latency_ms) AS mx, avg(latency_ms) AS av
       FROM settlements
       WHERE tenant = {tenant:String} AND settled_at >= {from:DateTime64(3, 'UTC')} AND settled_at < {to:DateTime64(3, 'UTC')} ${extra}`,
      params,
    );
    const measured = Number(row?.m ?? 0);
    const pick = (i: number) => (measured === 0 ? null : Number(row.q[i]));
    return {
      settlements: Number(row?.n ?? 0),
      measured,
      p50Ms: pick(0),
      p90Ms: pick(1),
      p99Ms: pick(2),
      maxMs: measured === 0 ? null : Number(row.mx),
      avgMs: measured === 0 ? null : Number(row.av),
    };
  }

  async gasCosts(input: GasInput): Promise<GasByNetwork[]> {
    const q = parseInput(gasInput, input);
    const rows = await this.client.query<{
      network: string;
      n: string;
      u_lo: string;
      u_hi: string;
      c_lo: string;
      c_hi: string;
    }>(
      `SELECT network, count() AS n, ${sumHalvesSql('gas_used', 'u')}, ${sumHalvesSql('gas_cost', 'c')}
       FROM settlements
       WHERE tenant = {tenant:String} AND settled_at >= {from:DateTime64(3, 'UTC')} AND settled_at < {to:DateTime64(3, 'UTC')}
       GROUP BY network ORDER BY network`,
      { tenant: q.tenant, from: chTime(q.from), to: chTime(q.to) },
    );
    return rows.map((r) => {
      const cost = combineHalves(r.c_lo, r.c_hi);
      return {
        network: r.network,
        settlements: Number(r.n),
        gasUsed: combineHalves(r.u_lo, r.u_hi).toString(),
        gasCostWei: cost.toString(),
        avgGasCostWei: divRound(cost, BigInt(r.n)).toString(),
      };
    });
  }

  /** Per settled payment: amount, gas cost, and margin when a native price is given; newest first. */
  async paymentMargins(input: MarginsInput): Promise<Page<PaymentMargin>> {
    const q = parseInput(marginsInput, input);
    const params: Record<string, unknown> = {
      tenant: q.tenant,
      from: chTime(q.from),
      to: chTime(q.to),
      limit: q.limit + 1,
    };
    let cursor = '';
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor, ['string', 'string']);
      params.cAt = at;
      params.cId = id;
      cursor = "AND (settled_at, event_id) < ({cAt:DateTime64(3, 'UTC')}, {cId:String})";
    }
    const rows = await this.client.query<{
      event_id: string;
      payment_id: string;
      settled_at: string;
      network: string;
      asset: string;
      decimals: number | null;
      amt: string;
      cost: string;
    }>(
      `SELECT event_id, payment_id, settled_at, network, asset, decimals, toString(amount) AS amt, toString(gas_cost) AS cost
       FROM settlements
       WHERE tenant = {tenant:String} AND settled_at >= {from:DateTime64(3, 'UTC')} AND settled_at < {to:DateTime64(3, 'UTC')} ${cursor}
       ORDER BY settled_at DESC, event_id DESC LIMIT {limit:UInt32}`,
      params,
    );
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => {
        const price = q.nativePrices[r.network];
        const costInAsset = price === undefined ? null : divRound(BigInt(r.cost) * BigInt(price), 10n ** 18n);
        return {
          paymentId: r.payment_id,
          settledAt: isoOrNull(r.settled_at) as string,
          network: r.network,
          asset: displayAddress(r.asset),
          decimals: r.decimals === null ? null : Number(r.decimals),
          amount: r.amt,
          gasCostWei: r.cost,
          gasCostInAsset: costInAsset === null ? null : costInAsset.toString(),
          margin: costInAsset === null ? null : (BigInt(r.amt) - costInAsset).toString(),
        };
      }),
      nextCursor: more && last ? encodeCursor([last.settled_at, last.event_id]) : null,
    };
  }
}
