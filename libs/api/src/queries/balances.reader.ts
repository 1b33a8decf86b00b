import type { AnalyticsReads } from '@x402-ledger/analytics';
import { combineHalves } from '@x402-ledger/analytics';
import { scopeConditions, type ReadScope } from './read-scope';
import { numOrNull } from './sql.util';

export interface BalanceRecord {
  tenant: string;
  payTo: string;
  network: string;
  asset: string;
  decimals: number | null;
  /** Σ settled amounts received, atomic units. */
  received: string;
  /** Σ succeeded refunds paid back. */
  refunded: string;
  /** received − refunded. */
  net: string;
  payments: number;
  refunds: number;
}

/**
 * Balances per receiving address and asset, all time: what was received (settled) and paid back (refunds), from the
 * daily revenue rollup. Not available to payers (the rollup carries no payer dimension).
 */
export class BalancesReader {
  constructor(private readonly client: AnalyticsReads) {}

  async list(
    scope: ReadScope,
    filter: { payTo?: string; network?: string; asset?: string; tenant?: string },
  ): Promise<BalanceRecord[]> {
    const params: Record<string, unknown> = {};
    const where = scopeConditions(scope, params, { tenant: 'tenant', payTo: 'pay_to' });
    for (const [key, column] of [
      ['payTo', 'pay_to'],
      ['network', 'network'],
      ['asset', 'asset'],
      ['tenant', 'tenant'],
    ] as const) {
      const value = filter[key];
      if (value === undefined) continue;
      params[`f_${key}`] = value;
      where.push(`${column} = {f_${key}:String}`);
    }
    const rows = await this.client.query<{
      tenant: string;
      pay_to: string;
      network: string;
      asset: string;
      decimals: number | null;
      g_lo: string;
      g_hi: string;
      r_lo: string;
      r_hi: string;
      n: string;
      rn: string;
    }>(
      `SELECT tenant, pay_to, network, asset, max(decimals) AS decimals,
              toString(sum(gross_lo)) AS g_lo, toString(sum(gross_hi)) AS g_hi,
              toString(sum(refunds_lo)) AS r_lo, toString(sum(refunds_hi)) AS r_hi,
              sum(payments) AS n, sum(refund_count) AS rn
       FROM revenue_daily ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY tenant, pay_to, network, asset
       ORDER BY tenant, pay_to, network, asset
       LIMIT 1000`,
      params,
    );
    return rows.map((r) => {
      const received = combineHalves(r.g_lo, r.g_hi);
      const refunded = combineHalves(r.r_lo, r.r_hi);
      return {
        tenant: r.tenant,
        payTo: r.pay_to,
        network: r.network,
        asset: r.asset,
        decimals: numOrNull(r.decimals),
        received: received.toString(),
        refunded: refunded.toString(),
        net: (received - refunded).toString(),
        payments: Number(r.n),
        refunds: Number(r.rn),
      };
    });
  }
}
