-- Merchant counts by the day beside those by the hour (issue 18): a merchant-risk build sums five weeks of
-- transactions per merchant and day, but reads hours only for its last 8 days. Summing five weeks of hours at every
-- build (each new event-time day, and every refresh for late labels) is what cost Postgres most under load, so the
-- detectors keep each day's total in the same statement that adds to its hours: the two never disagree.
-- Detectors of an earlier version add to the hours only: stop them before this runs, rather than upgrade across it
-- one replica at a time (their days' totals would stay short).
CREATE TABLE IF NOT EXISTS merchant_days (
    day           date    NOT NULL,
    merchant_id   text    NOT NULL,
    transactions  bigint  NOT NULL,
    PRIMARY KEY (day, merchant_id)
);

-- The days counted before this migration, from their hours.
INSERT INTO merchant_days (day, merchant_id, transactions)
SELECT (hour AT TIME ZONE 'UTC')::date, merchant_id, sum(transactions) FROM merchant_hours GROUP BY 1, 2
ON CONFLICT (day, merchant_id) DO NOTHING;
