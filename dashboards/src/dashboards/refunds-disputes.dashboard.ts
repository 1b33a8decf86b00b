import { display, displayHalves, plain, scope, sql, where } from '../common/sql.fragments';
import type { DashboardSpec, PanelSpec } from '../model/dashboard-spec.model';

const REVENUE = where(scope(), '$__timeFilter(bucket)');

const refundTotals: PanelSpec = {
  title: 'Refunds',
  description:
    'Succeeded refunds in the range: amount (display units), count, share of gross revenue (amount) and of settled payments (count).',
  visualization: 'stat',
  width: 12,
  height: 5,
  decimals: 2,
  columnUnits: { refund_count: 'short', refund_rate: 'percentunit', refund_count_rate: 'percentunit' },
  columns: [
    { name: 'refunded', kind: 'number' },
    { name: 'refund_count', kind: 'number' },
    { name: 'refund_rate', kind: 'number', range: [0, 1] },
    { name: 'refund_count_rate', kind: 'number', range: [0, 1] },
  ],
  sql: sql`
    SELECT sum(${displayHalves('refunds')}) AS refunded,
           sum(refund_count) AS refund_count,
           refunded / nullIf(sum(${displayHalves('gross')}), 0) AS refund_rate,
           refund_count / nullIf(sum(payments), 0) AS refund_count_rate
    FROM revenue_hourly
    ${REVENUE}`,
};

const disputeTotals: PanelSpec = {
  title: 'Disputes',
  description:
    'Open disputes now (open or under review), those past their respond-by deadline, and disputes opened in the range.',
  visualization: 'stat',
  width: 12,
  height: 5,
  unit: 'short',
  columns: [
    { name: 'open', kind: 'number' },
    { name: 'overdue', kind: 'number' },
    { name: 'opened_in_range', kind: 'number' },
  ],
  sql: sql`
    SELECT countIf(status.2 IN ('open', 'under_review')) AS open,
           countIf(status.2 IN ('open', 'under_review') AND respond_by < now64(3)) AS overdue,
           countIf($__timeFilter(opened_at)) AS opened_in_range
    FROM disputes FINAL
    ${where(scope())}`,
};

const refundsOverTime: PanelSpec = {
  title: 'Refund amounts and rate',
  description: 'Per interval: succeeded refunds (display units) and refunds ÷ gross (right axis).',
  visualization: 'timeseries',
  width: 12,
  columnUnits: { refund_rate: 'percentunit' },
  rightAxis: ['refund_rate'],
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'refunded', kind: 'number' },
    { name: 'refund_rate', kind: 'number' },
  ],
  sql: sql`
    SELECT $__timeInterval(bucket) AS time,
           sum(${displayHalves('refunds')}) AS refunded,
           refunded / nullIf(sum(${displayHalves('gross')}), 0) AS refund_rate
    FROM revenue_hourly
    ${REVENUE}
    GROUP BY time
    ORDER BY time`,
};

const refundsByStatus: PanelSpec = {
  title: 'Refund requests by status',
  description: 'Refunds requested in the range by their current status, with the requested amount.',
  visualization: 'table',
  width: 12,
  decimals: 2,
  columnUnits: { refunds: 'short' },
  columns: [
    { name: 'status', kind: 'string' },
    { name: 'refunds', kind: 'number' },
    { name: 'requested', kind: 'number' },
    { name: 'refunded', kind: 'number' },
  ],
  sql: sql`
    SELECT status.2 AS status,
           count() AS refunds,
           sum(${display('amount')}) AS requested,
           sum(${display('succeeded_amount')}) AS refunded
    FROM refunds FINAL
    ${where(scope(), '$__timeFilter(requested_at)')}
    GROUP BY status
    ORDER BY refunds DESC`,
};

const refundsByReason: PanelSpec = {
  title: 'Refunds by reason',
  description: 'Refund requests in the range by reason and requester.',
  visualization: 'barchart',
  width: 12,
  stacked: true,
  unit: 'short',
  columns: [
    { name: 'reason', kind: 'string' },
    { name: 'provider', kind: 'number' },
    { name: 'payer', kind: 'number' },
    { name: 'arbiter', kind: 'number' },
  ],
  sql: sql`
    SELECT ${plain('reason', 'String')} AS reason,
           countIf(requested_by = 'provider') AS provider,
           countIf(requested_by = 'payer') AS payer,
           countIf(requested_by = 'arbiter') AS arbiter
    FROM refunds FINAL
    ${where(scope(), '$__timeFilter(requested_at)')}
    GROUP BY reason
    ORDER BY count() DESC
    LIMIT 20`,
};

const refundTime: PanelSpec = {
  title: 'Time to refund',
  description: 'Requested → succeeded, percentiles per interval of success.',
  visualization: 'timeseries',
  width: 12,
  unit: 's',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'p50', kind: 'number' },
    { name: 'p90', kind: 'number' },
  ],
  sql: sql`
    SELECT $__timeInterval(succeeded_at) AS time,
           quantile(0.5)(seconds) AS p50,
           quantile(0.9)(seconds) AS p90
    FROM (
      SELECT succeeded_at, toFloat64(dateDiff('millisecond', requested_at, succeeded_at)) / 1000 AS seconds
      FROM refunds FINAL
      ${where(scope(), 'succeeded_at IS NOT NULL', 'requested_at IS NOT NULL', '$__timeFilter(succeeded_at)')}
    )
    GROUP BY time
    ORDER BY time`,
};

const openByDeadline: PanelSpec = {
  title: 'Open disputes by deadline',
  description: 'Disputes awaiting a response or a decision (current state), by time left until respond-by.',
  visualization: 'bargauge',
  width: 12,
  unit: 'short',
  columns: [
    { name: 'deadline', kind: 'string' },
    { name: 'disputes', kind: 'number' },
  ],
  note: 'current state',
  sql: sql`
    SELECT deadline, count() AS disputes
    FROM (
      SELECT multiIf(
               respond_by < now64(3), '1 overdue',
               respond_by < now64(3) + INTERVAL 1 DAY, '2 due within 24 h',
               respond_by < now64(3) + INTERVAL 3 DAY, '3 due within 3 days',
               '4 later') AS deadline
      FROM disputes FINAL
      ${where(scope(), "status.2 IN ('open', 'under_review')")}
    )
    GROUP BY deadline
    ORDER BY deadline`,
};

const openList: PanelSpec = {
  title: 'Open disputes',
  description: 'Open disputes, the closest deadline first (current state).',
  visualization: 'table',
  width: 24,
  decimals: 2,
  columnUnits: { hours_left: 'h', evidence: 'short' },
  columns: [
    { name: 'dispute_id', kind: 'string' },
    { name: 'payment_id', kind: 'string' },
    { name: 'reason', kind: 'string' },
    { name: 'state', kind: 'string' },
    { name: 'opened_at', kind: 'time' },
    { name: 'respond_by', kind: 'time' },
    { name: 'hours_left', kind: 'number' },
    { name: 'evidence', kind: 'number' },
    { name: 'amount', kind: 'number' },
  ],
  note: 'current state',
  sql: sql`
    SELECT dispute_id,
           ${plain('payment_id', 'String')} AS payment_id,
           ${plain('reason', 'String')} AS reason,
           status.2 AS state,
           ${plain('opened_at', 'time')} AS opened_at,
           ${plain('respond_by', 'time')} AS respond_by,
           dateDiff('minute', now64(3), respond_by) / 60 AS hours_left,
           ${plain('evidence_count', 'UInt64')} AS evidence,
           ${display('payment_amount')} AS amount
    FROM disputes FINAL
    ${where(scope(), "status.2 IN ('open', 'under_review')")}
    ORDER BY respond_by
    LIMIT 100`,
};

const outcomes: PanelSpec = {
  title: 'Dispute outcomes',
  description: 'Disputes opened in the range by current status (won: the provider keeps the payment; lost: refunded).',
  visualization: 'piechart',
  width: 12,
  unit: 'short',
  columns: [
    { name: 'outcome', kind: 'string' },
    { name: 'disputes', kind: 'number' },
  ],
  sql: sql`
    SELECT status.2 AS outcome, count() AS disputes
    FROM disputes FINAL
    ${where(scope(), '$__timeFilter(opened_at)')}
    GROUP BY outcome
    ORDER BY disputes DESC`,
};

const resolutionTime: PanelSpec = {
  title: 'Time to resolution',
  description: 'Opened → decided (won, lost or withdrawn), percentiles per interval of decision.',
  visualization: 'timeseries',
  width: 24,
  unit: 'h',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'p50', kind: 'number' },
    { name: 'p90', kind: 'number' },
    { name: 'max', kind: 'number' },
  ],
  sql: sql`
    SELECT $__timeInterval(decided_at) AS time,
           quantile(0.5)(hours) AS p50,
           quantile(0.9)(hours) AS p90,
           max(hours) AS max
    FROM (
      SELECT decided_at, toFloat64(dateDiff('second', opened_at, decided_at)) / 3600 AS hours
      FROM disputes FINAL
      ${where(scope(), 'decided_at IS NOT NULL', 'opened_at IS NOT NULL', '$__timeFilter(decided_at)')}
    )
    GROUP BY time
    ORDER BY time`,
};

const flaggedDuplicates: PanelSpec = {
  title: 'Flagged duplicates',
  description:
    'Disputes raised as duplicate charges, and payments that look like duplicates: same payer, payTo, resource and amount settled within the same minute.',
  visualization: 'table',
  width: 24,
  decimals: 2,
  columnUnits: { payments: 'short' },
  columns: [
    { name: 'flag', kind: 'string' },
    { name: 'payer', kind: 'string' },
    { name: 'pay_to', kind: 'string' },
    { name: 'resource', kind: 'string' },
    { name: 'amount', kind: 'number' },
    { name: 'payments', kind: 'number' },
    { name: 'last_seen', kind: 'time' },
    { name: 'status', kind: 'string' },
  ],
  sql: sql`
    SELECT *
    FROM (
      SELECT 'duplicate dispute' AS flag,
             ${plain('payer', 'String')} AS payer,
             ${plain('pay_to', 'String')} AS pay_to,
             ${plain('resource', 'String')} AS resource,
             ${display('payment_amount')} AS amount,
             toUInt64(1) AS payments,
             ${plain('opened_at', 'time')} AS last_seen,
             status.2 AS status
      FROM disputes FINAL
      ${where(scope(), "reason = 'duplicate'", '$__timeFilter(opened_at)')}
      UNION ALL
      SELECT 'same payment within a minute' AS flag, payer, pay_to, resource,
             ${display('atomic', 'any(asset_decimals)')} AS amount,
             count() AS payments,
             max(settled_at) AS last_seen,
             'settled' AS status
      FROM (
        SELECT payer, pay_to, resource, amount AS atomic, decimals AS asset_decimals, settled_at
        FROM settlements
        ${where(scope(), '$__timeFilter(settled_at)')}
      )
      GROUP BY payer, pay_to, resource, atomic, toStartOfMinute(settled_at)
      HAVING payments > 1
    )
    ORDER BY last_seen DESC
    LIMIT 100`,
};

/** Refunds and disputes: refund rate and amounts, open disputes by deadline, outcomes, resolution time, duplicates. */
export const refundsDisputesDashboard: DashboardSpec = {
  uid: 'x402-refunds-disputes',
  title: 'x402 · Refunds and disputes',
  description: 'Refund workflow and dispute workflow of one provider (tenant).',
  tags: ['x402', 'refunds', 'disputes'],
  from: 'now-30d',
  rows: [
    {
      title: 'Refunds',
      panels: [refundTotals, disputeTotals, refundsOverTime, refundsByStatus, refundsByReason, refundTime],
    },
    { title: 'Disputes', panels: [openByDeadline, outcomes, openList, resolutionTime, flaggedDuplicates] },
  ],
};
