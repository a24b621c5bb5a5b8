-- Every merchant's transactions per UTC day, summed per partition of the transactions topic (issue 18). A detector
-- builds the next day's merchant risk from the table in hand plus the one day its windows newly reach, and these
-- totals tell it, in a few rows, whether a day it already holds has been counted further since (a partition that was
-- behind): then it builds the whole table again. Per partition, so that two replicas counting the same day never wait
-- for each other's row: the counting statement already holds its partitions' positions.
-- Detectors of an earlier version do not add to these totals: stop them before this runs (as for 011).
CREATE TABLE IF NOT EXISTS merchant_day_totals (
    day           date    NOT NULL,
    partition     integer NOT NULL,
    transactions  bigint  NOT NULL,
    PRIMARY KEY (day, partition)
);

-- The days counted before this migration, under a partition no topic has.
INSERT INTO merchant_day_totals (day, partition, transactions)
SELECT day, -1, sum(transactions) FROM merchant_days GROUP BY day
ON CONFLICT (day, partition) DO NOTHING;
