-- Sessions: current state per session and hourly usage. session.used carries only the session id, calls and spend;
-- the projector copies the session's network and asset onto it (from session.issued, earlier on the same stream).
-- Spend sums are split into low/high 128-bit halves (see 005 for why).
CREATE TABLE IF NOT EXISTS sessions
(
    tenant         LowCardinality(String),
    session_id     String,
    payment_id     SimpleAggregateFunction(max, String),
    wallet         SimpleAggregateFunction(max, String),
    network        SimpleAggregateFunction(max, LowCardinality(String)),
    asset          SimpleAggregateFunction(max, String),
    decimals       SimpleAggregateFunction(max, Nullable(UInt8)),
    policy_id      SimpleAggregateFunction(max, String),
    policy_version SimpleAggregateFunction(max, UInt32),
    status         SimpleAggregateFunction(max, Tuple(UInt32, String)),
    issued_at      SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    expires_at     SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
    max_calls      SimpleAggregateFunction(max, Nullable(UInt64)),
    budget         SimpleAggregateFunction(max, Nullable(UInt256)),
    calls          SimpleAggregateFunction(sum, UInt64),
    spend_lo       SimpleAggregateFunction(sum, UInt256),
    spend_hi       SimpleAggregateFunction(sum, UInt256),
    usage_events   SimpleAggregateFunction(sum, UInt64),
    last_used_at   SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
    revoked_at     SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    revoke_reason  SimpleAggregateFunction(max, String),
    expired_at     SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    last_sequence  SimpleAggregateFunction(max, UInt32)
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, session_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS sessions_mv TO sessions AS
SELECT
    e.tenant AS tenant,
    e.session_id AS session_id,
    e.payment_id AS payment_id,
    e.wallet AS wallet,
    e.network AS network,
    e.asset AS asset,
    e.decimals AS decimals,
    e.policy_id AS policy_id,
    e.policy_version AS policy_version,
    if(e.status != '', (e.sequence, toString(e.status)), (toUInt32(0), '')) AS status,
    if(e.type = 'session.issued', e.occurred_at, NULL) AS issued_at,
    e.expires_at AS expires_at,
    e.max_calls AS max_calls,
    e.budget AS budget,
    e.calls AS calls,
    bitAnd(e.spend, toUInt256('340282366920938463463374607431768211455')) AS spend_lo,
    bitShiftRight(e.spend, 128) AS spend_hi,
    toUInt64(e.type = 'session.used') AS usage_events,
    e.window_end AS last_used_at,
    if(e.type = 'session.revoked', e.occurred_at, NULL) AS revoked_at,
    if(e.type = 'session.revoked', e.reason, '') AS revoke_reason,
    if(e.type = 'session.expired', e.occurred_at, NULL) AS expired_at,
    e.sequence AS last_sequence
FROM projection_ingest AS e
WHERE e.type IN ('session.issued', 'session.used', 'session.revoked', 'session.expired') AND e.session_id != '';

CREATE TABLE IF NOT EXISTS session_usage_hourly
(
    tenant   LowCardinality(String),
    bucket   DateTime('UTC'),
    network  LowCardinality(String),
    asset    String,
    decimals SimpleAggregateFunction(max, Nullable(UInt8)),
    issued   SimpleAggregateFunction(sum, UInt64),
    calls    SimpleAggregateFunction(sum, UInt64),
    spend_lo SimpleAggregateFunction(sum, UInt256),
    spend_hi SimpleAggregateFunction(sum, UInt256),
    active   AggregateFunction(uniq, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (tenant, bucket, network, asset)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS session_usage_hourly_mv TO session_usage_hourly AS
SELECT
    tenant,
    toStartOfHour(occurred_at) AS bucket,
    network,
    asset,
    max(decimals) AS decimals,
    countIf(type = 'session.issued') AS issued,
    sum(calls) AS calls,
    sum(bitAnd(spend, toUInt256('340282366920938463463374607431768211455'))) AS spend_lo,
    sum(bitShiftRight(spend, 128)) AS spend_hi,
    uniqStateIf(session_id, type = 'session.used') AS active
FROM projection_ingest
WHERE type IN ('session.issued', 'session.used') AND session_id != ''
GROUP BY tenant, bucket, network, asset;
