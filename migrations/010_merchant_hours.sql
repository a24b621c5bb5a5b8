-- Merchant counts by the hour (issue 16): a transaction's merchant windows end the label delay before its hour, not
-- only before its day, so the detectors count each merchant's transactions per UTC hour. The detectors read hours
-- only for the last days the windows reach (the delay's last day, and up to 7 days late) and sum whole days before.
CREATE TABLE IF NOT EXISTS merchant_hours (
    hour          timestamptz NOT NULL,
    merchant_id   text        NOT NULL,
    transactions  bigint      NOT NULL,
    PRIMARY KEY (hour, merchant_id)
);

-- Day counts made before this migration carry no hour: they move to their day's first hour, so the windows read the
-- same whole days as before, and the last day's hours only for what is counted from now on.
INSERT INTO merchant_hours (hour, merchant_id, transactions)
SELECT day::timestamp AT TIME ZONE 'UTC', merchant_id, transactions FROM merchant_days
ON CONFLICT (hour, merchant_id) DO NOTHING;

DROP TABLE IF EXISTS merchant_days;
