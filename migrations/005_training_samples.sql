-- Training data from real traffic: each detector keeps a uniform sample of the feature vectors it computed, at most
-- Detector:TrainingSamplePerHour per event-time hour (a reservoir, Algorithm R), and upserts the slots that changed
-- after each durable batch. Hours older than Detector:TrainingSampleRetention (relative to the newest hour a
-- detector has seen) are deleted, so the table is bounded by K × hours kept × detector instances.
CREATE TABLE IF NOT EXISTS training_samples (
    hour        timestamptz NOT NULL,  -- start of the event-time hour (UTC)
    source      text        NOT NULL,  -- the detector instance that sampled it (a replica's own reservoir)
    slot        integer     NOT NULL,  -- its place in that reservoir
    schema      text        NOT NULL,  -- FeatureSchema.Names joined with ',' (a changed schema makes old rows unusable)
    features    real[]      NOT NULL,  -- every feature, in schema order
    tx_id       text        NOT NULL,
    ts          timestamptz NOT NULL,
    PRIMARY KEY (hour, source, slot)
);
CREATE INDEX IF NOT EXISTS training_samples_hour_idx ON training_samples (hour DESC);
