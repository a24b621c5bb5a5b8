-- Merchant risk online (issue 16): every detector replica reads every merchant's risk although the stream is keyed by
-- user, so the counts behind it live here, shared.
--
-- merchant_days: each merchant's transactions per UTC day, counted by the detectors after each durable batch.
-- merchant_day_positions: per partition of transactions.v1, the next offset not counted yet. A batch counts only the
-- messages at or past it and moves it in the same database transaction, so a replayed batch (a crash before the
-- offset commit, a rebalance) never counts a transaction twice, whichever replica replays it.
CREATE TABLE IF NOT EXISTS merchant_days (
    day           date   NOT NULL,
    merchant_id   text   NOT NULL,
    transactions  bigint NOT NULL,
    PRIMARY KEY (day, merchant_id)
);

CREATE TABLE IF NOT EXISTS merchant_day_positions (
    topic        text    NOT NULL,
    partition    integer NOT NULL,
    next_offset  bigint  NOT NULL,
    PRIMARY KEY (topic, partition)
);

-- Where and when a labelled transaction happened: the known frauds per merchant and day are counted from here. The
-- simulator's labels carry both; an analyst's verdict takes them from its alert.
ALTER TABLE labels ADD COLUMN IF NOT EXISTS merchant_id text;
ALTER TABLE labels ADD COLUMN IF NOT EXISTS ts timestamptz;
CREATE INDEX IF NOT EXISTS labels_merchant_frauds_idx ON labels (ts) WHERE is_fraud AND merchant_id IS NOT NULL;

-- The alerted transaction's merchant, so that a verdict on it counts at that merchant. Null for rows written before.
ALTER TABLE fraud_alerts ADD COLUMN IF NOT EXISTS merchant_id text;
