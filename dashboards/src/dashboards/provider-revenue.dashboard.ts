import { display, displayHalves, exactHalvesSum, scope, sql, tenantIs, where } from '../common/sql.fragments';
import type { DashboardSpec, PanelSpec } from '../model/dashboard-spec.model';

const REVENUE = where(scope(), '$__timeFilter(bucket)');

const totals: PanelSpec = {
  title: 'Revenue',
  description:
    'Settled amounts (gross), refunds that succeeded in the range, and net, in display units of the assets (atomic amounts ÷ 10^decimals). With several assets selected the figures add different tokens.',
  visualization: 'stat',
  width: 12,
  height: 5,
  decimals: 2,
  columns: [
    { name: 'gross', kind: 'number' },
    { name: 'refunds', kind: 'number' },
    { name: 'net', kind: 'number' },
  ],
  sql: sql`
    SELECT sum(${displayHalves('gross')}) AS gross,
           sum(${displayHalves('refunds')}) AS refunds,
           gross - refunds AS net
    FROM revenue_hourly
    ${REVENUE}`,
};

const payers: PanelSpec = {
  title: 'Payments and payers',
  description: 'Settled payments, distinct payers (uniq), and average gross revenue per payer.',
  visualization: 'stat',
  width: 12,
  height: 5,
  columnUnits: { payments: 'short', unique_payers: 'short' },
  decimals: 2,
  columns: [
    { name: 'payments', kind: 'number' },
    { name: 'unique_payers', kind: 'number' },
    { name: 'revenue_per_payer', kind: 'number' },
  ],
  sql: sql`
    SELECT sum(payments) AS payments,
           uniqMerge(payers) AS unique_payers,
           sum(${displayHalves('gross')}) / greatest(unique_payers, 1) AS revenue_per_payer
    FROM revenue_hourly
    ${REVENUE}`,
};

const overTime: PanelSpec = {
  title: 'Gross, refunds and net over time',
  description: 'Per interval: settled amounts, succeeded refunds (counted when they succeed) and the difference.',
  visualization: 'timeseries',
  width: 24,
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'gross', kind: 'number' },
    { name: 'refunds', kind: 'number' },
    { name: 'net', kind: 'number' },
  ],
  sql: sql`
    SELECT $__timeInterval(bucket) AS time,
           sum(${displayHalves('gross')}) AS gross,
           sum(${displayHalves('refunds')}) AS refunds,
           gross - refunds AS net
    FROM revenue_hourly
    ${REVENUE}
    GROUP BY time
    ORDER BY time`,
};

function netBy(column: 'resource' | 'network' | 'asset', title: string): PanelSpec {
  return {
    title,
    description: `Net revenue (gross − refunds) per ${column} and interval.`,
    visualization: 'timeseries',
    width: 12,
    stacked: true,
    bars: true,
    columns: [
      { name: 'time', kind: 'time' },
      { name: column, kind: 'string' },
      { name: 'net', kind: 'number' },
    ],
    sql: sql`
      SELECT $__timeInterval(bucket) AS time,
             toString(${column === 'resource' ? "if(resource = '', '(no resource)', resource)" : column}) AS ${column},
             sum(${displayHalves('gross')}) - sum(${displayHalves('refunds')}) AS net
      FROM revenue_hourly
      ${REVENUE}
      GROUP BY time, ${column}
      ORDER BY time, ${column}`,
  };
}

const byAsset: PanelSpec = {
  title: 'By network and asset',
  description:
    'Totals per network and asset: display amounts, and the exact atomic gross as an integer string (sum of the 128-bit halves).',
  visualization: 'table',
  width: 24,
  columnUnits: { payments: 'short', token_decimals: 'none' },
  decimals: 2,
  columns: [
    { name: 'network', kind: 'string' },
    { name: 'asset', kind: 'string' },
    { name: 'token_decimals', kind: 'number', range: [0, 36] },
    { name: 'payments', kind: 'number' },
    { name: 'gross', kind: 'number' },
    { name: 'refunds', kind: 'number' },
    { name: 'net', kind: 'number' },
    { name: 'gross_atomic', kind: 'string' },
  ],
  sql: sql`
    SELECT toString(network) AS network,
           asset,
           ifNull(max(decimals), 0) AS token_decimals,
           sum(payments) AS payments,
           sum(${displayHalves('gross')}) AS gross,
           sum(${displayHalves('refunds')}) AS refunds,
           gross - refunds AS net,
           ${exactHalvesSum('gross')} AS gross_atomic
    FROM revenue_hourly
    ${REVENUE}
    GROUP BY network, asset
    ORDER BY gross DESC`,
};

const topPayers: PanelSpec = {
  title: 'Top payers',
  description: 'Payers by settled amount in the range, with their succeeded refunds.',
  visualization: 'table',
  width: 12,
  height: 10,
  columnUnits: { payments: 'short' },
  decimals: 2,
  columns: [
    { name: 'payer', kind: 'string' },
    { name: 'payments', kind: 'number' },
    { name: 'paid', kind: 'number' },
    { name: 'refunded', kind: 'number' },
    { name: 'last_payment', kind: 'time' },
  ],
  sql: sql`
    SELECT s.payer AS payer,
           count() AS payments,
           sum(${display('s.amount', 's.decimals')}) AS paid,
           any(r.refunded) AS refunded,
           max(s.settled_at) AS last_payment
    FROM settlements AS s
    LEFT JOIN (
      SELECT payer, sum(${display('succeeded_amount')}) AS refunded
      FROM refunds FINAL
      ${where(scope(), 'succeeded_at IS NOT NULL', '$__timeFilter(succeeded_at)')}
      GROUP BY payer
    ) AS r ON r.payer = s.payer
    ${where(scope({ payTo: 's.pay_to', network: 's.network', asset: 's.asset' }, 's.tenant'), '$__timeFilter(s.settled_at)')}
    GROUP BY payer
    ORDER BY paid DESC
    LIMIT 20`,
};

const payersOverTime: PanelSpec = {
  title: 'Payments, unique payers and revenue per payer',
  description: 'Per interval: settled payments, distinct payers, and gross revenue per payer (right axis).',
  visualization: 'timeseries',
  width: 12,
  height: 10,
  columnUnits: { payments: 'short', unique_payers: 'short' },
  rightAxis: ['revenue_per_payer'],
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'payments', kind: 'number' },
    { name: 'unique_payers', kind: 'number' },
    { name: 'revenue_per_payer', kind: 'number' },
  ],
  sql: sql`
    SELECT $__timeInterval(bucket) AS time,
           sum(payments) AS payments,
           uniqMerge(payers) AS unique_payers,
           sum(${displayHalves('gross')}) / greatest(unique_payers, 1) AS revenue_per_payer
    FROM revenue_hourly
    ${REVENUE}
    GROUP BY time
    ORDER BY time`,
};

const sessionVsPerCall: PanelSpec = {
  title: 'Session revenue vs per-call revenue',
  description:
    'Settled payments that opened a session ("pay once, then reuse") versus payments for a single call, per interval.',
  visualization: 'timeseries',
  width: 12,
  stacked: true,
  bars: true,
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'session_revenue', kind: 'number' },
    { name: 'per_call_revenue', kind: 'number' },
  ],
  sql: sql`
    SELECT $__timeInterval(settled_at) AS time,
           sumIf(${display('amount')}, is_session) AS session_revenue,
           sumIf(${display('amount')}, NOT is_session) AS per_call_revenue
    FROM (
      SELECT settled_at, amount, decimals,
             payment_id IN (
               SELECT payment_id FROM sessions WHERE ${tenantIs()} AND payment_id != ''
             ) AS is_session
      FROM settlements
      ${where(scope(), '$__timeFilter(settled_at)')}
    )
    GROUP BY time
    ORDER BY time`,
};

/** Provider revenue: gross, refunds, net; by resource, network, asset; payers; sessions vs per call. */
export const providerRevenueDashboard: DashboardSpec = {
  uid: 'x402-provider-revenue',
  title: 'x402 · Provider revenue',
  description: 'Revenue of one provider (tenant) from x402 payments, projected from the ledger into ClickHouse.',
  tags: ['x402', 'revenue'],
  from: 'now-7d',
  rows: [
    { title: 'Totals', panels: [totals, payers, overTime] },
    {
      title: 'Breakdown',
      panels: [
        netBy('resource', 'Net revenue by resource'),
        netBy('network', 'Net revenue by network'),
        netBy('asset', 'Net revenue by asset'),
        sessionVsPerCall,
        byAsset,
      ],
    },
    { title: 'Payers', panels: [topPayers, payersOverTime] },
  ],
};
