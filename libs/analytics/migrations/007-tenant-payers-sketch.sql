-- Unique payers in the tenant-level revenue rollups as a fixed-size sketch: `uniqCombined(12)` (exact while small —
-- array, then hash set — and a 2^12-register HyperLogLog above ~3k payers per row, ±~1.6 %; at most ~2.5 KB per state).
-- The `uniq` state it replaces grows to ~256 KB per row, and a 30-day hourly revenue query merges 720 of them per
-- tenant (measured: 190–220 ms vs 60 ms per query on the same data). The fine rollups (per payTo and resource, few
-- payers per row) keep `uniq`.
--
-- Run with the projectors stopped, like 006 (migrations run before the projector starts in every app of this
-- repository): the views are replaced, and rows projected while a view is missing would not reach the rollup.
-- Re-running after an interruption is safe: the backfill only adds payer-set states with zero sums, and merging a
-- set with itself changes nothing.
DROP VIEW IF EXISTS revenue_hourly_tenant_mv;
DROP VIEW IF EXISTS revenue_daily_tenant_mv;

ALTER TABLE revenue_hourly_tenant DROP COLUMN IF EXISTS payers;
ALTER TABLE revenue_hourly_tenant ADD COLUMN IF NOT EXISTS payers AggregateFunction(uniqCombined(12), String);
ALTER TABLE revenue_daily_tenant DROP COLUMN IF EXISTS payers;
ALTER TABLE revenue_daily_tenant ADD COLUMN IF NOT EXISTS payers AggregateFunction(uniqCombined(12), String);

-- Backfill the payer sets from the settled facts (one row per payment.settled event, the same rows the views saw).
INSERT INTO revenue_hourly_tenant (tenant, bucket, network, asset, decimals, gross_lo, gross_hi, refunds_lo, refunds_hi,
                                   payments, refund_count, payers)
SELECT tenant, toStartOfHour(settled_at), network, asset, max(decimals), toUInt256(0), toUInt256(0), toUInt256(0),
       toUInt256(0), toUInt64(0), toUInt64(0), uniqCombinedState(12)(payer)
FROM settlements
GROUP BY tenant, toStartOfHour(settled_at), network, asset;

INSERT INTO revenue_daily_tenant (tenant, bucket, network, asset, decimals, gross_lo, gross_hi, refunds_lo, refunds_hi,
                                  payments, refund_count, payers)
SELECT tenant, toDate(settled_at), network, asset, max(decimals), toUInt256(0), toUInt256(0), toUInt256(0),
       toUInt256(0), toUInt64(0), toUInt64(0), uniqCombinedState(12)(payer)
FROM settlements
GROUP BY tenant, toDate(settled_at), network, asset;

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
    uniqCombinedStateIf(12)(payer, type = 'payment.settled') AS payers
FROM projection_ingest
WHERE type IN ('payment.settled', 'refund.succeeded')
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
    uniqCombinedStateIf(12)(payer, type = 'payment.settled') AS payers
FROM projection_ingest
WHERE type IN ('payment.settled', 'refund.succeeded')
GROUP BY tenant, bucket, network, asset;
