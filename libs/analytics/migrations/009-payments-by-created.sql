-- payments_by_created: one row per payment, in creation order per tenant — the index the payments list reads in its
-- default order (newest first) instead of grouping the whole `payments` state table (seconds at 10M payments). It
-- carries the immutable facts of the payment's first event (what the list filters on besides status and the
-- settlement window, which the reader checks on the page's merged states). Fed by the first event of each payment
-- stream (sequence 1: the ledger starts every payment stream with a payment.* fact).
CREATE TABLE IF NOT EXISTS payments_by_created
(
    tenant     LowCardinality(String),
    created_at DateTime64(3, 'UTC'),
    payment_id String,
    network    LowCardinality(String),
    asset      String,
    amount     UInt256,
    payer      String,
    pay_to     String,
    resource   String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(created_at)
ORDER BY (tenant, created_at, payment_id)
SETTINGS non_replicated_deduplication_window = 10000;

-- Backfill from the payments' merged state, only into an empty table (run with the projectors stopped, like 006).
INSERT INTO payments_by_created
SELECT tenant, assumeNotNull(min(first_seen_at)) AS created_at, payment_id, max(network), max(asset), max(amount),
       max(payer), max(pay_to), max(resource)
FROM payments
WHERE (SELECT count() FROM payments_by_created) = 0
GROUP BY tenant, payment_id
HAVING min(first_seen_at) IS NOT NULL;

CREATE MATERIALIZED VIEW IF NOT EXISTS payments_by_created_mv TO payments_by_created AS
SELECT tenant, occurred_at AS created_at, payment_id, network, asset, amount, payer, pay_to, resource
FROM projection_ingest
WHERE payment_id != '' AND startsWith(type, 'payment.') AND sequence = 1;
