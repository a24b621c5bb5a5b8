-- Analyst feedback. fraud_alerts.status carries the current verdict ('open', 'confirmed_fraud',
-- 'false_positive'); alert_feedback keeps every distinct change of it, in order, as the audit trail.
-- The API writes both in one transaction and adds no row when the same label and note are posted again.
CREATE TABLE IF NOT EXISTS alert_feedback (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx_id            text        NOT NULL REFERENCES fraud_alerts (tx_id),
    label            text        NOT NULL CHECK (label IN ('fraud', 'legit')),
    note             text        NOT NULL DEFAULT '',
    previous_status  text        NOT NULL,
    status           text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS alert_feedback_tx_idx ON alert_feedback (tx_id, id DESC);

-- Reviewed alerts are few: precision and the status filter read this small index, not the whole table.
CREATE INDEX IF NOT EXISTS fraud_alerts_reviewed_idx ON fraud_alerts (status, created_at DESC) WHERE status <> 'open';

-- GET /alerts?rule=… ("rules @> ARRAY[…]") without scanning every alert for a rare rule.
CREATE INDEX IF NOT EXISTS fraud_alerts_rules_idx ON fraud_alerts USING gin (rules);
