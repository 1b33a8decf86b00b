import { display, displayHalves, plain, scope, sessionPayToFilter, sql, where } from '../common/sql.fragments';
import type { DashboardSpec, PanelSpec } from '../model/dashboard-spec.model';

/** Sessions carry network and asset; payTo comes from the payment that opened them. */
const SESSIONS = [...scope({ payTo: null }), sessionPayToFilter()];

/** The spend of a session (sum of its usage), atomic, as UInt256 from the 128-bit halves. */
const SPEND_ATOMIC = 'bitShiftLeft(spend_hi, 128) + spend_lo';

const totals: PanelSpec = {
  title: 'Sessions',
  description:
    'Sessions issued and revoked in the range, and sessions active now (issued, not revoked or expired, expiry in the future).',
  visualization: 'stat',
  width: 12,
  height: 5,
  unit: 'short',
  columns: [
    { name: 'issued', kind: 'number' },
    { name: 'active_now', kind: 'number' },
    { name: 'revoked', kind: 'number' },
    { name: 'expired', kind: 'number' },
  ],
  sql: sql`
    SELECT countIf($__timeFilter(issued_at)) AS issued,
           countIf(status.2 = 'active' AND expires_at > now64(3)) AS active_now,
           countIf($__timeFilter(revoked_at)) AS revoked,
           countIf($__timeFilter(expired_at)) AS expired
    FROM sessions FINAL
    ${where(SESSIONS)}`,
};

const callsStats: PanelSpec = {
  title: 'Calls per session',
  description: 'For sessions issued in the range: calls served without a new payment (average, median, p90, max).',
  visualization: 'stat',
  width: 12,
  height: 5,
  unit: 'short',
  decimals: 1,
  columns: [
    { name: 'avg', kind: 'number' },
    { name: 'p50', kind: 'number' },
    { name: 'p90', kind: 'number' },
    { name: 'max', kind: 'number' },
  ],
  sql: sql`
    SELECT avg(calls) AS avg,
           quantile(0.5)(calls) AS p50,
           quantile(0.9)(calls) AS p90,
           max(${plain('calls', 'UInt64')}) AS max
    FROM sessions FINAL
    ${where(SESSIONS, 'issued_at IS NOT NULL', '$__timeFilter(issued_at)')}`,
};

const lifecycle: PanelSpec = {
  title: 'Issued, revoked and expired',
  description: 'Per interval: sessions issued, revoked and expired.',
  visualization: 'timeseries',
  width: 12,
  bars: true,
  unit: 'short',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'event', kind: 'string' },
    { name: 'sessions', kind: 'number' },
  ],
  sql: sql`
    SELECT time, event, count() AS sessions
    FROM (
      SELECT $__timeInterval(issued_at) AS time, 'issued' AS event
      FROM sessions FINAL
      ${where(SESSIONS, 'issued_at IS NOT NULL', '$__timeFilter(issued_at)')}
      UNION ALL
      SELECT $__timeInterval(revoked_at) AS time, 'revoked' AS event
      FROM sessions FINAL
      ${where(SESSIONS, 'revoked_at IS NOT NULL', '$__timeFilter(revoked_at)')}
      UNION ALL
      SELECT $__timeInterval(expired_at) AS time, 'expired' AS event
      FROM sessions FINAL
      ${where(SESSIONS, 'expired_at IS NOT NULL', '$__timeFilter(expired_at)')}
    )
    GROUP BY time, event
    ORDER BY time, event`,
};

const activity: PanelSpec = {
  title: 'Active sessions and calls',
  description:
    'Per interval: distinct sessions with usage, and calls served through sessions (hourly rollup: the payTo filter does not apply).',
  visualization: 'timeseries',
  width: 12,
  unit: 'short',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'active_sessions', kind: 'number' },
    { name: 'calls', kind: 'number' },
    { name: 'spend', kind: 'number' },
  ],
  columnUnits: { spend: 'none' },
  rightAxis: ['spend'],
  sql: sql`
    SELECT $__timeInterval(bucket) AS time,
           uniqMerge(active) AS active_sessions,
           sum(calls) AS calls,
           sum(${displayHalves('spend')}) AS spend
    FROM session_usage_hourly
    ${where(scope({ payTo: null }), '$__timeFilter(bucket)')}
    GROUP BY time
    ORDER BY time`,
};

const callsHistogram: PanelSpec = {
  title: 'Distribution of calls per session',
  description: 'Sessions issued in the range by the number of calls they served.',
  visualization: 'barchart',
  width: 12,
  unit: 'short',
  columns: [
    { name: 'calls', kind: 'string' },
    { name: 'sessions', kind: 'number' },
  ],
  sql: sql`
    SELECT bucket AS calls, count() AS sessions
    FROM (
      SELECT multiIf(calls = 0, '0', calls <= 10, '1–10', calls <= 100, '11–100', calls <= 1000, '101–1000', '> 1000') AS bucket,
             multiIf(calls = 0, 0, calls <= 10, 1, calls <= 100, 2, calls <= 1000, 3, 4) AS bucket_order
      FROM sessions FINAL
      ${where(SESSIONS, 'issued_at IS NOT NULL', '$__timeFilter(issued_at)')}
    )
    GROUP BY bucket, bucket_order
    ORDER BY bucket_order`,
};

const budgetUse: PanelSpec = {
  title: 'Budget use',
  description:
    'Sessions with a spend budget or a call limit, issued in the range: spend ÷ budget and calls ÷ max calls, the most used first.',
  visualization: 'table',
  width: 12,
  decimals: 2,
  columnUnits: { budget_used: 'percentunit', calls_used: 'percentunit', calls: 'short' },
  columns: [
    { name: 'session_id', kind: 'string' },
    { name: 'wallet', kind: 'string' },
    { name: 'spend', kind: 'number' },
    { name: 'budget', kind: 'number' },
    { name: 'budget_used', kind: 'number', range: [0, 10] },
    { name: 'calls', kind: 'number' },
    { name: 'calls_used', kind: 'number', range: [0, 10] },
    { name: 'status', kind: 'string' },
  ],
  sql: sql`
    SELECT session_id,
           ${plain('wallet', 'String')} AS wallet,
           ${display(SPEND_ATOMIC)} AS spend,
           ${display('budget')} AS budget,
           spend / nullIf(budget, 0) AS budget_used,
           ${plain('calls', 'UInt64')} AS calls,
           calls / nullIf(max_calls, 0) AS calls_used,
           status.2 AS status
    FROM sessions FINAL
    ${where(SESSIONS, '(budget IS NOT NULL OR max_calls IS NOT NULL)', 'issued_at IS NOT NULL', '$__timeFilter(issued_at)')}
    ORDER BY greatest(ifNull(budget_used, 0), ifNull(calls_used, 0)) DESC
    LIMIT 50`,
};

const budgetSummary: PanelSpec = {
  title: 'Budget use summary',
  description:
    'Sessions with a budget issued in the range: average share of the budget spent, and sessions above 90 %.',
  visualization: 'stat',
  width: 12,
  height: 8,
  columnUnits: { avg_budget_used: 'percentunit', with_budget: 'short', above_90_percent: 'short' },
  decimals: 1,
  columns: [
    { name: 'with_budget', kind: 'number' },
    { name: 'avg_budget_used', kind: 'number', range: [0, 10] },
    { name: 'above_90_percent', kind: 'number' },
  ],
  sql: sql`
    SELECT count() AS with_budget,
           avg(used) AS avg_budget_used,
           countIf(used >= 0.9) AS above_90_percent
    FROM (
      SELECT toFloat64(${SPEND_ATOMIC}) / toFloat64(assumeNotNull(budget)) AS used
      FROM sessions FINAL
      ${where(SESSIONS, 'budget IS NOT NULL', 'budget > 0', 'issued_at IS NOT NULL', '$__timeFilter(issued_at)')}
    )`,
};

const revocations: PanelSpec = {
  title: 'Revocations by reason',
  description: 'Sessions revoked per interval and reason.',
  visualization: 'timeseries',
  width: 24,
  bars: true,
  stacked: true,
  unit: 'short',
  columns: [
    { name: 'time', kind: 'time' },
    { name: 'reason', kind: 'string' },
    { name: 'revocations', kind: 'number' },
  ],
  sql: sql`
    SELECT $__timeInterval(revoked_at) AS time, ${plain('revoke_reason', 'String')} AS reason, count() AS revocations
    FROM sessions FINAL
    ${where(SESSIONS, 'revoked_at IS NOT NULL', '$__timeFilter(revoked_at)')}
    GROUP BY time, reason
    ORDER BY time, reason`,
};

const recentRevocations: PanelSpec = {
  title: 'Recent revocations',
  description: 'The latest revoked sessions in the range.',
  visualization: 'table',
  width: 12,
  columnUnits: { calls: 'short' },
  columns: [
    { name: 'session_id', kind: 'string' },
    { name: 'wallet', kind: 'string' },
    { name: 'policy', kind: 'string' },
    { name: 'reason', kind: 'string' },
    { name: 'issued_at', kind: 'time' },
    { name: 'revoked_at', kind: 'time' },
    { name: 'calls', kind: 'number' },
  ],
  sql: sql`
    SELECT session_id,
           ${plain('wallet', 'String')} AS wallet,
           concat(policy_id, ' v', toString(policy_version)) AS policy,
           ${plain('revoke_reason', 'String')} AS reason,
           ${plain('issued_at', 'time')} AS issued_at,
           ${plain('revoked_at', 'time')} AS revoked_at,
           ${plain('calls', 'UInt64')} AS calls
    FROM sessions FINAL
    ${where(SESSIONS, 'revoked_at IS NOT NULL', '$__timeFilter(revoked_at)')}
    ORDER BY revoked_at DESC
    LIMIT 50`,
};

/** Sessions: issued, active, calls per session, budget use, revocations. */
export const sessionsDashboard: DashboardSpec = {
  uid: 'x402-sessions',
  title: 'x402 · Sessions',
  description: 'Pay once, then reuse: sessions issued after a settled payment, their usage, budgets and revocations.',
  tags: ['x402', 'sessions'],
  from: 'now-7d',
  rows: [
    { title: 'Overview', panels: [totals, callsStats, lifecycle, activity] },
    { title: 'Usage', panels: [callsHistogram, budgetSummary, budgetUse, recentRevocations] },
    { title: 'Revocations', panels: [revocations] },
  ],
};
