-- The supervised classifier (issue 7, part 4) beside the Isolation Forest.
-- models: each version has a kind; one version per kind is active, so activating a classifier never touches the
-- active forest (and back). Existing rows are forests.
ALTER TABLE models ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'isolation_forest'
    CHECK (kind IN ('isolation_forest', 'classifier'));
DROP INDEX IF EXISTS models_one_active_idx;
CREATE UNIQUE INDEX IF NOT EXISTS models_one_active_per_kind_idx ON models (kind) WHERE active;

-- Alerts record the classifier that took part (null when none did) and the alert's full feature vector, in
-- FeatureSchema.Names order, so a reviewed alert becomes a training row without replaying the stream. Null for rows
-- written before this script.
ALTER TABLE fraud_alerts ADD COLUMN IF NOT EXISTS classifier_version text;
ALTER TABLE fraud_alerts ADD COLUMN IF NOT EXISTS features real[];

-- Ground truth per transaction: the simulator's labels (transactions.labels.v1, consumed by the API) and analysts'
-- verdicts (POST /alerts/{tx_id}/feedback). An analyst's label overrides the simulator's, never the reverse.
-- known_at is when the label became known: the trainer only learns from labels known before the period it scores.
CREATE TABLE IF NOT EXISTS labels (
    tx_id     text        PRIMARY KEY,
    is_fraud  boolean     NOT NULL,
    scenario  text,
    source    text        NOT NULL CHECK (source IN ('simulator', 'analyst')),
    known_at  timestamptz NOT NULL DEFAULT now()
);
