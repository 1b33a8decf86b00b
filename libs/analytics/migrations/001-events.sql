-- Raw events and the projection stream.
--
-- events_raw: every envelope the projector has seen, exactly once per event id (see docs/adr/0004). Append-only;
-- ReplacingMergeTree on (minute of occurredAt, event id) only cleans up a duplicate that slipped past the projector's
-- check. An event id always carries the same occurredAt (envelopes are built once and retried byte for byte), so the
-- key is in effect the event id. The projector's check reads only the minutes its batch spans (primary key prefix),
-- whatever the table size, and compares `id_key` (the first 52 bits of the sha256 id, a number) before the exact id.
CREATE TABLE IF NOT EXISTS events_raw
(
    event_id       String,
    type           LowCardinality(String),
    version        UInt16,
    stream_type    LowCardinality(String),
    stream_id      String,
    sequence       UInt32,
    occurred_at    DateTime64(3, 'UTC'),
    recorded_at    DateTime64(3, 'UTC'),
    tenant         LowCardinality(String),
    correlation_id String,
    causation_id   Nullable(String),
    producer       LowCardinality(String),
    data           String CODEC(ZSTD(1)),
    log_partition  UInt32,
    log_offset     UInt64,
    projected_at   DateTime64(3, 'UTC'),
    id_key         UInt64 MATERIALIZED bitShiftRight(reinterpretAsUInt64(reverse(unhex(substring(event_id, 1, 16)))), 12)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (toStartOfMinute(occurred_at), event_id)
SETTINGS non_replicated_deduplication_window = 10000;

-- projection_ingest: the append-only stream of NEW facts (events the projector checked are not in events_raw yet),
-- one row per event with the fields the projector extracted (and enriched from the payment's earlier events).
-- ENGINE = Null stores nothing: the materialized views below fan each inserted block out to the state tables and
-- rollups. A materialized view sees every inserted row, which is why only checked-new rows are ever inserted here.
CREATE TABLE IF NOT EXISTS projection_ingest
(
    event_id            String,
    type                LowCardinality(String),
    stream_id           String,
    sequence            UInt32,
    occurred_at         DateTime64(3, 'UTC'),
    tenant              LowCardinality(String),
    payment_id          String,
    refund_id           String,
    dispute_id          String,
    session_id          String,
    scheme              LowCardinality(String),
    network             LowCardinality(String),
    asset               String,
    decimals            Nullable(UInt8),
    amount              UInt256,
    payment_amount      UInt256,
    payer               String,
    pay_to              String,
    resource            String,
    status              LowCardinality(String),
    reason              String,
    message             String,
    tx_hash             String,
    signer              String,
    block_number        UInt64,
    block_timestamp     Nullable(DateTime64(3, 'UTC')),
    gas_used            UInt256,
    effective_gas_price UInt256,
    gas_cost            UInt256,
    submitted_at        Nullable(DateTime64(3, 'UTC')),
    payment_settled_at  Nullable(DateTime64(3, 'UTC')),
    actor               String,
    method              LowCardinality(String),
    respond_by          Nullable(DateTime64(3, 'UTC')),
    evidence_count      UInt32,
    wallet              String,
    policy_id           String,
    policy_version      UInt32,
    expires_at          Nullable(DateTime64(3, 'UTC')),
    max_calls           Nullable(UInt64),
    budget              Nullable(UInt256),
    calls               UInt64,
    spend               UInt256,
    window_end          Nullable(DateTime64(3, 'UTC')),
    linked_dispute_id   String
)
ENGINE = Null;
