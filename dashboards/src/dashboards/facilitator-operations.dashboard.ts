import { display, plain, scope, sql, tenantIs, weiToNative, where } from '../common/sql.fragments';
import type { DashboardSpec, PanelSpec } from '../model/dashboard-spec.model';

/** Verified, failed verification, settled and failed settlement counts per time bucket (long: time, outcome, n). */
const OUTCOMES = sql`
  SELECT $__timeInterval(verified_at) AS time, 'verified' AS outcome, count() AS n
  FROM payments FINAL
  ${where(scope(), 'verified_at IS NOT NULL', '$__timeFilter(verified_at)')}
  GROUP BY time
  UNION ALL
  SELECT $__timeInterval(occurred_at) AS time, if(stage = 'verification', 'verify_failed', 'settle_failed') AS outcome, count() AS n
  FROM payment_failures
  ${where(scope(), '$__timeFilter(occurred_at)')}
  GROUP BY time, outcome
  UNION ALL
  SELECT $__timeInterval(settled_at) AS time, 'settled' AS outcome, count() AS n
  FROM settlements
  ${where(scope(), '$__timeFilter(settled_at)')}
  GROUP BY time`;

const rates: PanelSpec = {
  title: 'Verify and settle success',
  description:
    'Verifications that passed / all verification attempts; settlements that landed / settlements that landed or failed.',
  visualization: 'stat',
  width: 12,
  height: 5,
  unit: 'percentunit',
  decimals: 2,
  columnUnits: { verified: 'short', settled: 'short' },
  columns: [
    { name: 'verified', kind: 'number' },
    { name: 'verify_rate', kind: 'number', range: [0, 1] },
    { name: 'settled', kind: 'number' },
    { name: 'settle_rate', kind: 'number', range: [0, 1] },
  ],
  sql: sql`
    SELECT sumIf(n, outcome = 'verified') AS verified,
           verified / greatest(verified + sumIf(n, outcome = 'verify_failed'), 1) AS verify_rate,
           sumIf(n, outcome = 'settled') AS settled,
           settled / greatest(settled + sumIf(n, outcome = 'settle_failed'), 1) AS settle_rate
    FROM (
      ${OUTCOMES}
    )`,
};

const pendingNow: PanelSpec = {
  title: 'Pending settlements',
  description:
    'Payments submitted on chain and not yet settled or failed (current state, whatever the time range), and the age of the oldest.',
  visualization: 'stat',
  width: 12,
  height: 5,
  columnUnits: { pending: 'short', oldest_age: 's' },
  columns: [
    { name: 'pending', kind: 'number' },
    { name: 'oldest_age', kind: 'number' },
  ],
  note: 'current state',
  sql: sql`
    SELECT count() AS pending,
           if(pending = 0, 0, dateDiff('second', min(submitted_at), now64(3))) AS oldest_age
    FROM payments FINAL
    ${where(scope(), "status.2 = 'submitted'")}`,
};

const outcomesOverTime: PanelSpec = {
  title: 'Verifications and settlements',
  description: 'Per interval: verified, verification failures, settled, settlement failures.',
  visualization: 'timeseries',
  width: 12,
  bars: true,
  unit: 'short',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'outcome', kind: 'string' },
    { name: 'n', kind: 'number' },
  ],
  sql: sql`
    SELECT time, outcome, sum(n) AS n
    FROM (
      ${OUTCOMES}
    )
    GROUP BY time, outcome
    ORDER BY time, outcome`,
};

const ratesOverTime: PanelSpec = {
  title: 'Verify and settle rates',
  description: 'Success rates per interval (null when an interval has no attempt).',
  visualization: 'timeseries',
  width: 12,
  unit: 'percentunit',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'verify_rate', kind: 'number', range: [0, 1] },
    { name: 'settle_rate', kind: 'number', range: [0, 1] },
  ],
  sql: sql`
    SELECT time,
           sumIf(n, outcome = 'verified') / nullIf(sumIf(n, outcome IN ('verified', 'verify_failed')), 0) AS verify_rate,
           sumIf(n, outcome = 'settled') / nullIf(sumIf(n, outcome IN ('settled', 'settle_failed')), 0) AS settle_rate
    FROM (
      ${OUTCOMES}
    )
    GROUP BY time
    ORDER BY time`,
};

const failuresByReason: PanelSpec = {
  title: 'Failures by reason',
  description: 'Verification and settlement failures in the range, by the SDK reason code.',
  visualization: 'barchart',
  width: 12,
  stacked: true,
  unit: 'short',
  columns: [
    { name: 'reason', kind: 'string' },
    { name: 'verification', kind: 'number' },
    { name: 'settlement', kind: 'number' },
  ],
  sql: sql`
    SELECT toString(reason) AS reason,
           countIf(stage = 'verification') AS verification,
           countIf(stage = 'settlement') AS settlement
    FROM payment_failures
    ${where(scope(), '$__timeFilter(occurred_at)')}
    GROUP BY reason
    ORDER BY verification + settlement DESC
    LIMIT 20`,
};

const failuresOverTime: PanelSpec = {
  title: 'Failures over time',
  description: 'Failures per interval and reason.',
  visualization: 'timeseries',
  width: 12,
  bars: true,
  stacked: true,
  unit: 'short',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'reason', kind: 'string' },
    { name: 'failures', kind: 'number' },
  ],
  sql: sql`
    SELECT $__timeInterval(occurred_at) AS time, toString(reason) AS reason, count() AS failures
    FROM payment_failures
    ${where(scope(), '$__timeFilter(occurred_at)')}
    GROUP BY time, reason
    ORDER BY time, reason`,
};

const latency: PanelSpec = {
  title: 'Settlement latency',
  description: 'Submission → settled, percentiles per interval (settlements whose submission time is known).',
  visualization: 'timeseries',
  width: 12,
  unit: 'ms',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'p50', kind: 'number', range: [0, 3_600_000] },
    { name: 'p90', kind: 'number', range: [0, 3_600_000] },
    { name: 'p99', kind: 'number', range: [0, 3_600_000] },
  ],
  sql: sql`
    SELECT $__timeInterval(settled_at) AS time,
           quantile(0.5)(latency_ms) AS p50,
           quantile(0.9)(latency_ms) AS p90,
           quantile(0.99)(latency_ms) AS p99
    FROM settlements
    ${where(scope(), '$__timeFilter(settled_at)', 'latency_ms IS NOT NULL')}
    GROUP BY time
    ORDER BY time`,
};

const pendingList: PanelSpec = {
  title: 'Oldest pending settlements',
  description: 'Submitted and not settled yet (current state): the oldest first.',
  visualization: 'table',
  width: 12,
  columnUnits: { age: 's' },
  decimals: 2,
  columns: [
    { name: 'payment_id', kind: 'string' },
    { name: 'network', kind: 'string' },
    { name: 'tx_hash', kind: 'string' },
    { name: 'submitted_at', kind: 'time' },
    { name: 'age', kind: 'number' },
    { name: 'amount', kind: 'number' },
  ],
  note: 'current state',
  sql: sql`
    SELECT payment_id,
           toString(network) AS network,
           tx_hash.2 AS tx_hash,
           ${plain('submitted_at', 'time')} AS submitted_at,
           dateDiff('second', submitted_at, now64(3)) AS age,
           ${display('amount')} AS amount
    FROM payments FINAL
    ${where(scope(), "status.2 = 'submitted'")}
    ORDER BY submitted_at
    LIMIT 50`,
};

const gas: PanelSpec = {
  title: 'Gas spent and cost per settlement',
  description:
    'Per interval: gas cost of settlements in native coin (gasUsed × effectiveGasPrice ÷ 1e18) and its average.',
  visualization: 'timeseries',
  width: 12,
  decimals: 6,
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'gas_spent', kind: 'number' },
    { name: 'cost_per_settlement', kind: 'number', range: [0, 1] },
  ],
  rightAxis: ['cost_per_settlement'],
  sql: sql`
    SELECT $__timeInterval(settled_at) AS time,
           sum(${weiToNative('gas_cost')}) AS gas_spent,
           gas_spent / count() AS cost_per_settlement
    FROM settlements
    ${where(scope(), '$__timeFilter(settled_at)')}
    GROUP BY time
    ORDER BY time`,
};

const gasByNetwork: PanelSpec = {
  title: 'Gas by network',
  description: 'Settlements, gas used, total and average cost (native coin) per network in the range.',
  visualization: 'table',
  width: 12,
  columnUnits: { settlements: 'short', gas_used: 'short', avg_gas_price_gwei: 'none' },
  decimals: 6,
  columns: [
    { name: 'network', kind: 'string' },
    { name: 'settlements', kind: 'number' },
    { name: 'gas_used', kind: 'number' },
    { name: 'gas_cost', kind: 'number' },
    { name: 'cost_per_settlement', kind: 'number' },
    { name: 'avg_gas_price_gwei', kind: 'number' },
  ],
  sql: sql`
    SELECT toString(network) AS network,
           count() AS settlements,
           sum(toFloat64(gas_used)) AS gas_used,
           sum(${weiToNative('gas_cost')}) AS gas_cost,
           gas_cost / settlements AS cost_per_settlement,
           avg(toFloat64(effective_gas_price)) / 1e9 AS avg_gas_price_gwei
    FROM settlements
    ${where(scope(), '$__timeFilter(settled_at)')}
    GROUP BY network
    ORDER BY settlements DESC`,
};

const projectorLag: PanelSpec = {
  title: 'Projector lag',
  description:
    'Time from an event being recorded on the log to its projection into ClickHouse (projected_at − recorded_at), per interval of projection.',
  visualization: 'timeseries',
  width: 12,
  unit: 'ms',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'p50', kind: 'number' },
    { name: 'p99', kind: 'number' },
    { name: 'max', kind: 'number' },
  ],
  sql: sql`
    SELECT $__timeInterval(projected_at) AS time,
           quantile(0.5)(lag_ms) AS p50,
           quantile(0.99)(lag_ms) AS p99,
           max(lag_ms) AS max
    FROM (
      SELECT projected_at,
             toFloat64(toUnixTimestamp64Milli(projected_at) - toUnixTimestamp64Milli(recorded_at)) AS lag_ms
      FROM events_raw
      ${where(tenantIs(), '$__timeFilter(projected_at)')}
    )
    GROUP BY time
    ORDER BY time`,
};

const projectorFreshness: PanelSpec = {
  title: 'Projection freshness',
  description: 'Events projected in the range, and how long ago the newest one was projected (current state).',
  visualization: 'stat',
  width: 12,
  height: 8,
  columnUnits: { events: 'short', last_projected_ago: 's' },
  columns: [
    { name: 'events', kind: 'number' },
    { name: 'last_projected_ago', kind: 'number' },
  ],
  sql: sql`
    SELECT countIf($__timeFilter(projected_at)) AS events,
           dateDiff('second', max(projected_at), now64(3)) AS last_projected_ago
    FROM events_raw
    ${where(tenantIs())}`,
};

/** Facilitator operations: verify/settle rates, failures, latency, pending settlements, gas, projector lag. */
export const facilitatorOperationsDashboard: DashboardSpec = {
  uid: 'x402-facilitator-operations',
  title: 'x402 · Facilitator operations',
  description: 'Health of verification and settlement, on-chain cost, and analytics freshness.',
  tags: ['x402', 'operations'],
  from: 'now-24h',
  rows: [
    { title: 'Verify and settle', panels: [rates, pendingNow, outcomesOverTime, ratesOverTime] },
    { title: 'Failures', panels: [failuresByReason, failuresOverTime] },
    { title: 'Settlement', panels: [latency, pendingList, gas, gasByNetwork] },
    { title: 'Analytics pipeline', panels: [projectorLag, projectorFreshness] },
  ],
};
