-- Tenant-level revenue rollups (no payTo / resource dimensions): what the revenue views read when a query neither
-- filters nor groups by payTo or resource — the common dashboard case — so it merges one row per hour and asset
-- instead of one per (payTo, resource). Same columns, same halves-sums (no UInt256 wrap), same feed: projection_ingest.
--
-- Backfill (only into an empty table, so re-running an interrupted migration cannot count twice): the INSERT … SELECT below copies what revenue_hourly / revenue_daily already hold. Migrations run before
-- the projector starts in every app of this repository; on a shared database run `npm run analytics -- migrate` with
-- the projectors stopped (rows projected between the view's creation and the backfill would be counted twice), or
-- `rebuild` afterwards.
CREATE TABLE IF NOT EXISTS revenue_hourly_tenant
(
    tenant       LowCardinality(String),
    bucket       DateTime('UTC'),
    network      LowCardinality(String),
    asset        String,
    decimals     SimpleAggregateFunction(max, Nullable(UInt8)),
    gross_lo     SimpleAggregateFunction(sum, UInt256),
    gross_hi     SimpleAggregateFunction(sum, UInt256),
    refunds_lo   SimpleAggregateFunction(sum, UInt256),
    refunds_hi   SimpleAggregateFunction(sum, UInt256),
    payments     SimpleAggregateFunction(sum, UInt64),
    refund_count SimpleAggregateFunction(sum, UInt64),
    payers       AggregateFunction(uniq, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (tenant, bucket, network, asset)
SETTINGS non_replicated_deduplication_window = 10000;

INSERT INTO revenue_hourly_tenant
SELECT tenant, bucket, network, asset, max(decimals), sum(gross_lo), sum(gross_hi), sum(refunds_lo), sum(refunds_hi),
       sum(payments), sum(refund_count), uniqMergeState(payers)
FROM revenue_hourly
WHERE (SELECT count() FROM revenue_hourly_tenant) = 0
GROUP BY tenant, bucket, network, asset;

CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_hourly_tenant_mv TO revenue_hourly_tenant AS
SELECT
    tenant,
    toStartOfHour(occurred_at) AS bucket,
    network,
    asset,
    max(decimals) AS decimals,
    sumIf(bitAnd(amount, toUInt256('340282366920938463463374607431768211455')), type = 'payment.settled') AS gross_lo,
    sumIf(bitShiftRight(amount, 128), type = 'payment.settled') AS gross_hi,
    sumIf(bitAnd(amount, toUInt256('340282366920938463463374607431768211455')), type = 'refund.succeeded') AS refunds_lo,
    sumIf(bitShiftRight(amount, 128), type = 'refund.succeeded') AS refunds_hi,
    countIf(type = 'payment.settled') AS payments,
    countIf(type = 'refund.succeeded') AS refund_count,
    uniqStateIf(payer, type = 'payment.settled') AS payers
FROM projection_ingest
WHERE type IN ('payment.settled', 'refund.succeeded')
GROUP BY tenant, bucket, network, asset;

CREATE TABLE IF NOT EXISTS revenue_daily_tenant
(
    tenant       LowCardinality(String),
    bucket       Date,
    network      LowCardinality(String),
    asset        String,
    decimals     SimpleAggregateFunction(max, Nullable(UInt8)),
    gross_lo     SimpleAggregateFunction(sum, UInt256),
    gross_hi     SimpleAggregateFunction(sum, UInt256),
    refunds_lo   SimpleAggregateFunction(sum, UInt256),
    refunds_hi   SimpleAggregateFunction(sum, UInt256),
    payments     SimpleAggregateFunction(sum, UInt64),
    refund_count SimpleAggregateFunction(sum, UInt64),
    payers       AggregateFunction(uniq, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (tenant, bucket, network, asset)
SETTINGS non_replicated_deduplication_window = 10000;

INSERT INTO revenue_daily_tenant
SELECT tenant, bucket, network, asset, max(decimals), sum(gross_lo), sum(gross_hi), sum(refunds_lo), sum(refunds_hi),
       sum(payments), sum(refund_count), uniqMergeState(payers)
FROM revenue_daily
WHERE (SELECT count() FROM revenue_daily_tenant) = 0
GROUP BY tenant, bucket, network, asset;

CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_daily_tenant_mv TO revenue_daily_tenant AS
SELECT
    tenant,
    toDate(occurred_at) AS bucket,
    network,
    asset,
    max(decimals) AS decimals,
    sumIf(bitAnd(amount, toUInt256('340282366920938463463374607431768211455')), type = 'payment.settled') AS gross_lo,
    sumIf(bitShiftRight(amount, 128), type = 'payment.settled') AS gross_hi,
    sumIf(bitAnd(amount, toUInt256('340282366920938463463374607431768211455')), type = 'refund.succeeded') AS refunds_lo,
    sumIf(bitShiftRight(amount, 128), type = 'refund.succeeded') AS refunds_hi,
    countIf(type = 'payment.settled') AS payments,
    countIf(type = 'refund.succeeded') AS refund_count,
    uniqStateIf(payer, type = 'payment.settled') AS payers
FROM projection_ingest
WHERE type IN ('payment.settled', 'refund.succeeded')
GROUP BY tenant, bucket, network, asset;
