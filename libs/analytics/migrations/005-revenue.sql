-- Revenue rollups by tenant, payTo, resource, network, asset and hour / day: gross (settled amounts), refunds
-- (succeeded refunds, counted in the hour the refund succeeded), payment and refund counts, unique payers.
-- Fed only by projection_ingest, i.e. by settled / refunded facts the projector has checked are new.
--
-- UInt256 sum wraps silently at 2^256. Every amount is split into its low and high 128-bit halves and each half is
-- summed on its own: a half is < 2^128, so a sum of fewer than 2^128 rows cannot wrap. Readers combine
-- hi * 2^128 + lo with arbitrary-precision integers (bigint), so totals are exact whatever the amounts.
CREATE TABLE IF NOT EXISTS revenue_hourly
(
    tenant       LowCardinality(String),
    bucket       DateTime('UTC'),
    pay_to       String,
    resource     String,
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
ORDER BY (tenant, bucket, pay_to, resource, network, asset)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_hourly_mv TO revenue_hourly AS
SELECT
    tenant,
    toStartOfHour(occurred_at) AS bucket,
    pay_to,
    resource,
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
GROUP BY tenant, bucket, pay_to, resource, network, asset;

CREATE TABLE IF NOT EXISTS revenue_daily
(
    tenant       LowCardinality(String),
    bucket       Date,
    pay_to       String,
    resource     String,
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
ORDER BY (tenant, bucket, pay_to, resource, network, asset)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_daily_mv TO revenue_daily AS
SELECT
    tenant,
    toDate(occurred_at) AS bucket,
    pay_to,
    resource,
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
GROUP BY tenant, bucket, pay_to, resource, network, asset;
