-- Payments: current state per payment, settlement facts, and failures.
--
-- Current-state tables (payments, refunds, disputes, sessions) are AggregatingMergeTree tables whose columns merge
-- with order-independent, idempotent functions: `max((sequence, value))` keeps the value of the latest version per
-- column (ReplacingMergeTree semantics with version = aggregate sequence, but per column, so an event that carries
-- only some fields never blanks the others), `min`/`max` keep first/last timestamps. Read them with FINAL (or GROUP BY
-- the key). Only `sum` columns are not idempotent; they are protected by the projector's dedupe (docs/adr/0004).
CREATE TABLE IF NOT EXISTS payments
(
    tenant         LowCardinality(String),
    payment_id     String,
    scheme         SimpleAggregateFunction(max, LowCardinality(String)),
    network        SimpleAggregateFunction(max, LowCardinality(String)),
    asset          SimpleAggregateFunction(max, String),
    decimals       SimpleAggregateFunction(max, Nullable(UInt8)),
    amount         SimpleAggregateFunction(max, UInt256),
    payer          SimpleAggregateFunction(max, String),
    pay_to         SimpleAggregateFunction(max, String),
    resource       SimpleAggregateFunction(max, String),
    status         SimpleAggregateFunction(max, Tuple(UInt32, String)),
    last_sequence  SimpleAggregateFunction(max, UInt32),
    first_seen_at  SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    updated_at     SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
    verified_at    SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    submitted_at   SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    settled_at     SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    failed_at      SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
    tx_hash        SimpleAggregateFunction(max, Tuple(UInt32, String)),
    block_number   SimpleAggregateFunction(max, UInt64),
    gas_used       SimpleAggregateFunction(max, UInt256),
    gas_cost       SimpleAggregateFunction(max, UInt256),
    failure_reason SimpleAggregateFunction(max, Tuple(UInt32, String)),
    refunded       SimpleAggregateFunction(sum, UInt256),
    refund_count   SimpleAggregateFunction(sum, UInt64),
    dispute_status SimpleAggregateFunction(max, Tuple(UInt32, String))
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, payment_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS payments_mv TO payments AS
SELECT
    e.tenant AS tenant,
    e.payment_id AS payment_id,
    if(e.is_payment, e.scheme, '') AS scheme,
    if(e.is_payment, e.network, '') AS network,
    if(e.is_payment, e.asset, '') AS asset,
    if(e.is_payment, e.decimals, NULL) AS decimals,
    if(e.is_payment, e.amount, toUInt256(0)) AS amount,
    if(e.is_payment, e.payer, '') AS payer,
    if(e.is_payment, e.pay_to, '') AS pay_to,
    if(e.is_payment, e.resource, '') AS resource,
    if(e.is_payment AND e.status != '', (e.sequence, toString(e.status)), (toUInt32(0), '')) AS status,
    e.sequence AS last_sequence,
    if(e.is_payment, e.occurred_at, NULL) AS first_seen_at,
    e.occurred_at AS updated_at,
    if(e.type = 'payment.verified', e.occurred_at, NULL) AS verified_at,
    if(e.type = 'payment.settlement_submitted', e.submitted_at, NULL) AS submitted_at,
    if(e.type = 'payment.settled', e.occurred_at, NULL) AS settled_at,
    if(e.type IN ('payment.settlement_failed', 'payment.verification_failed'), e.occurred_at, NULL) AS failed_at,
    if(e.is_payment AND e.tx_hash != '', (e.sequence, e.tx_hash), (toUInt32(0), '')) AS tx_hash,
    if(e.type = 'payment.settled', e.block_number, toUInt64(0)) AS block_number,
    if(e.type = 'payment.settled', e.gas_used, toUInt256(0)) AS gas_used,
    if(e.type = 'payment.settled', e.gas_cost, toUInt256(0)) AS gas_cost,
    if(e.type IN ('payment.settlement_failed', 'payment.verification_failed'), (e.sequence, e.reason), (toUInt32(0), '')) AS failure_reason,
    if(e.type = 'refund.succeeded', e.amount, toUInt256(0)) AS refunded,
    toUInt64(e.type = 'refund.succeeded') AS refund_count,
    if(startsWith(e.type, 'dispute.') AND e.status != '', (e.sequence, toString(e.status)), (toUInt32(0), '')) AS dispute_status
FROM
(
    SELECT *, startsWith(type, 'payment.') AS is_payment
    FROM projection_ingest
    WHERE payment_id != '' AND (startsWith(type, 'payment.') OR type = 'refund.succeeded' OR startsWith(type, 'dispute.'))
) AS e;

-- One row per payment.settled event: the append-only stream of settled facts (amount, gas, settlement latency).
CREATE TABLE IF NOT EXISTS settlements
(
    event_id            String,
    tenant              LowCardinality(String),
    payment_id          String,
    settled_at          DateTime64(3, 'UTC'),
    block_timestamp     Nullable(DateTime64(3, 'UTC')),
    network             LowCardinality(String),
    asset               String,
    decimals            Nullable(UInt8),
    amount              UInt256,
    payer               String,
    pay_to              String,
    resource            String,
    tx_hash             String,
    signer              String,
    block_number        UInt64,
    gas_used            UInt256,
    effective_gas_price UInt256,
    gas_cost            UInt256,
    submitted_at        Nullable(DateTime64(3, 'UTC')),
    latency_ms          Nullable(Int64)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(settled_at)
ORDER BY (tenant, settled_at, event_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS settlements_mv TO settlements AS
SELECT
    event_id, tenant, payment_id, occurred_at AS settled_at, block_timestamp, network, asset, decimals, amount, payer,
    pay_to, resource, tx_hash, signer, block_number, gas_used, effective_gas_price, gas_cost, submitted_at,
    if(submitted_at IS NULL, NULL, toInt64(toUnixTimestamp64Milli(occurred_at)) - toInt64(toUnixTimestamp64Milli(assumeNotNull(submitted_at)))) AS latency_ms
FROM projection_ingest
WHERE type = 'payment.settled';

-- Verification and settlement failures, one row per failure event.
CREATE TABLE IF NOT EXISTS payment_failures
(
    event_id    String,
    tenant      LowCardinality(String),
    stage       LowCardinality(String),
    occurred_at DateTime64(3, 'UTC'),
    payment_id  String,
    reason      LowCardinality(String),
    message     String,
    network     LowCardinality(String),
    asset       String,
    amount      UInt256,
    payer       String,
    pay_to      String,
    resource    String,
    tx_hash     String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, stage, occurred_at, event_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS payment_failures_mv TO payment_failures AS
SELECT
    event_id, tenant,
    if(type = 'payment.verification_failed', 'verification', 'settlement') AS stage,
    occurred_at, payment_id, reason, message, network, asset, amount, payer, pay_to, resource, tx_hash
FROM projection_ingest
WHERE type IN ('payment.verification_failed', 'payment.settlement_failed');
