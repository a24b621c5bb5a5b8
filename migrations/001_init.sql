-- One row per alerted transaction. tx_id is unique, so a replayed message can never create a second row:
-- sinks insert with ON CONFLICT (tx_id) DO NOTHING.
CREATE TABLE IF NOT EXISTS fraud_alerts (
    tx_id          text PRIMARY KEY,
    user_id        bigint           NOT NULL,
    amount         numeric(18, 2)   NOT NULL,
    location       char(2)          NOT NULL,
    ts             timestamptz      NOT NULL,
    score          double precision,
    reason         text             NOT NULL,
    created_at     timestamptz      NOT NULL DEFAULT now(),
    risk           double precision NOT NULL,
    rules          text[]           NOT NULL DEFAULT '{}',
    model_version  text             NOT NULL,
    status         text             NOT NULL DEFAULT 'open'
);

-- The API lists newest first, optionally for one user.
CREATE INDEX IF NOT EXISTS fraud_alerts_created_at_idx ON fraud_alerts (created_at DESC, tx_id DESC);
CREATE INDEX IF NOT EXISTS fraud_alerts_user_idx ON fraud_alerts (user_id, created_at DESC);
