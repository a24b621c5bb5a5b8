-- Isolation Forest models, each version with how it was made and how it validated; exactly one is active and every
-- detector scores with it within seconds of its activation. A detector stores its model file here when no version
-- is active yet (a fresh installation, source 'file …'), and again whenever the file changes; the trainer
-- (POST /models/train, or its schedule) stores what it fits from training_samples and activates it only if it
-- passes validation. POST /models/{version}/activate rolls back or forward.
CREATE TABLE IF NOT EXISTS models (
    version        text        PRIMARY KEY,
    created_at     timestamptz NOT NULL DEFAULT now(),
    source         text        NOT NULL,
    parameters     jsonb       NOT NULL DEFAULT '{}',
    window_start   timestamptz,            -- event-time window of the training sample; null when not trained here
    window_end     timestamptz,
    training_rows  integer     NOT NULL,
    validation     jsonb       NOT NULL DEFAULT '{}',
    model          bytea       NOT NULL,   -- the model file's bytes (IsolationForest.Serialize)
    active         boolean     NOT NULL DEFAULT false
);

CREATE UNIQUE INDEX IF NOT EXISTS models_one_active_idx ON models (active) WHERE active;
