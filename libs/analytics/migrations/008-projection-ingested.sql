-- projection_ingested: the ids of events whose derived rows reached projection_ingest, written by a view of that very
-- insert — so an id is here exactly when its rollup blocks were written by the same insert (docs/adr/0004). The
-- projector checks it before inserting into projection_ingest, and events_raw before inserting raw envelopes: a crash
-- between the two inserts followed by a redelivery with other batch boundaries no longer ingests those events twice.
-- Same key and id prefix as events_raw (the check reads only the minutes its batch spans).
CREATE TABLE IF NOT EXISTS projection_ingested
(
    event_id    String,
    occurred_at DateTime64(3, 'UTC'),
    id_key      UInt64 MATERIALIZED bitShiftRight(reinterpretAsUInt64(reverse(unhex(substring(event_id, 1, 16)))), 12)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (toStartOfMinute(occurred_at), event_id)
SETTINGS non_replicated_deduplication_window = 10000;

-- Every event in events_raw was ingested first (raw is written last). Only into an empty table; duplicates would be
-- harmless anyway (the check is a set membership).
INSERT INTO projection_ingested (event_id, occurred_at)
SELECT event_id, occurred_at FROM events_raw
WHERE (SELECT count() FROM projection_ingested) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS projection_ingested_mv TO projection_ingested AS
SELECT event_id, occurred_at FROM projection_ingest;
