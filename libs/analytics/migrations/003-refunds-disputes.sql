-- Refunds and disputes: current state per refund / dispute (see 002 for how the state columns merge). Refund and
-- dispute events live on their payment's stream, so `sequence` orders them; the projector copies the payment's
-- dimensions (payTo, resource, network, asset, amount, settledAt) onto each of their rows.
CREATE TABLE IF NOT EXISTS refunds
(
    tenant             LowCardinality(String),
    refund_id          String,
    payment_id         SimpleAggregateFunction(max, String),
    amount             SimpleAggregateFunction(max, UInt256),
    succeeded_amount   SimpleAggregateFunction(max, UInt256),
    reason             SimpleAggregateFunction(max, String),
    requested_by       SimpleAggregateFunction(max, String),
    linked_dispute_id  SimpleAggregateFunction(max, String),
    status             SimpleAggregateFunction(max, Tuple(UInt32, String)),
    requested_at       SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    approved_at        SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    submitted_at       SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    succeeded_at       SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    failed_at          SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
    canceled_at        SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    failure_reason     SimpleAggregateFunction(max, Tuple(UInt32, String)),
    tx_hash            SimpleAggregateFunction(max, Tuple(UInt32, String)),
    method             SimpleAggregateFunction(max, String),
    network            SimpleAggregateFunction(max, LowCardinality(String)),
    asset              SimpleAggregateFunction(max, String),
    decimals           SimpleAggregateFunction(max, Nullable(UInt8)),
    payer              SimpleAggregateFunction(max, String),
    pay_to             SimpleAggregateFunction(max, String),
    resource           SimpleAggregateFunction(max, String),
    payment_amount     SimpleAggregateFunction(max, UInt256),
    payment_settled_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    last_sequence      SimpleAggregateFunction(max, UInt32)
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, refund_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS refunds_mv TO refunds AS
SELECT
    e.tenant AS tenant,
    e.refund_id AS refund_id,
    e.payment_id AS payment_id,
    if(e.type = 'refund.requested', e.amount, toUInt256(0)) AS amount,
    if(e.type = 'refund.succeeded', e.amount, toUInt256(0)) AS succeeded_amount,
    if(e.type = 'refund.requested', e.reason, '') AS reason,
    if(e.type = 'refund.requested', e.actor, '') AS requested_by,
    e.linked_dispute_id AS linked_dispute_id,
    if(e.status != '', (e.sequence, toString(e.status)), (toUInt32(0), '')) AS status,
    if(e.type = 'refund.requested', e.occurred_at, NULL) AS requested_at,
    if(e.type = 'refund.approved', e.occurred_at, NULL) AS approved_at,
    if(e.type = 'refund.submitted', e.occurred_at, NULL) AS submitted_at,
    if(e.type = 'refund.succeeded', e.occurred_at, NULL) AS succeeded_at,
    if(e.type = 'refund.failed', e.occurred_at, NULL) AS failed_at,
    if(e.type = 'refund.canceled', e.occurred_at, NULL) AS canceled_at,
    if(e.type IN ('refund.failed', 'refund.canceled'), (e.sequence, e.reason), (toUInt32(0), '')) AS failure_reason,
    if(e.tx_hash != '', (e.sequence, e.tx_hash), (toUInt32(0), '')) AS tx_hash,
    toString(e.method) AS method,
    e.network AS network,
    e.asset AS asset,
    e.decimals AS decimals,
    e.payer AS payer,
    e.pay_to AS pay_to,
    e.resource AS resource,
    e.payment_amount AS payment_amount,
    e.payment_settled_at AS payment_settled_at,
    e.sequence AS last_sequence
FROM projection_ingest AS e
WHERE startsWith(e.type, 'refund.') AND e.refund_id != '';

CREATE TABLE IF NOT EXISTS disputes
(
    tenant          LowCardinality(String),
    dispute_id      String,
    payment_id      SimpleAggregateFunction(max, String),
    reason          SimpleAggregateFunction(max, String),
    opened_by       SimpleAggregateFunction(max, String),
    status          SimpleAggregateFunction(max, Tuple(UInt32, String)),
    opened_at       SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    respond_by      SimpleAggregateFunction(max, Nullable(DateTime64(3, 'UTC'))),
    under_review_at SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    decided_at      SimpleAggregateFunction(min, Nullable(DateTime64(3, 'UTC'))),
    decided_by      SimpleAggregateFunction(max, String),
    evidence_count  SimpleAggregateFunction(sum, UInt64),
    network         SimpleAggregateFunction(max, LowCardinality(String)),
    asset           SimpleAggregateFunction(max, String),
    decimals        SimpleAggregateFunction(max, Nullable(UInt8)),
    payer           SimpleAggregateFunction(max, String),
    pay_to          SimpleAggregateFunction(max, String),
    resource        SimpleAggregateFunction(max, String),
    payment_amount  SimpleAggregateFunction(max, UInt256),
    last_sequence   SimpleAggregateFunction(max, UInt32)
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, dispute_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS disputes_mv TO disputes AS
SELECT
    e.tenant AS tenant,
    e.dispute_id AS dispute_id,
    e.payment_id AS payment_id,
    if(e.type = 'dispute.opened', e.reason, '') AS reason,
    if(e.type = 'dispute.opened', e.actor, '') AS opened_by,
    if(e.status != '', (e.sequence, toString(e.status)), (toUInt32(0), '')) AS status,
    if(e.type = 'dispute.opened', e.occurred_at, NULL) AS opened_at,
    if(e.type = 'dispute.opened', e.respond_by, NULL) AS respond_by,
    if(e.type = 'dispute.under_review', e.occurred_at, NULL) AS under_review_at,
    if(e.type IN ('dispute.won', 'dispute.lost', 'dispute.withdrawn'), e.occurred_at, NULL) AS decided_at,
    if(e.type IN ('dispute.won', 'dispute.lost'), e.actor, '') AS decided_by,
    toUInt64(e.evidence_count) AS evidence_count,
    e.network AS network,
    e.asset AS asset,
    e.decimals AS decimals,
    e.payer AS payer,
    e.pay_to AS pay_to,
    e.resource AS resource,
    e.payment_amount AS payment_amount,
    e.sequence AS last_sequence
FROM projection_ingest AS e
WHERE startsWith(e.type, 'dispute.') AND e.dispute_id != '';
