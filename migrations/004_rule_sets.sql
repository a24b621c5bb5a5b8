-- Rule sets changed at runtime. Each version is kept with its author and time; exactly one is active, and every
-- detector decides with it within seconds of its activation. The definition is stored as written (comments
-- included), in the format of the detector's rules.json, so GET /rules returns something an operator can edit
-- and PUT back. A detector seeds this table from its rules file when no version is active yet.
CREATE TABLE IF NOT EXISTS rule_sets (
    version     text        PRIMARY KEY,
    definition  text        NOT NULL,
    author      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    active      boolean     NOT NULL DEFAULT false
);

-- At most one active version; activating one deactivates the other in the same transaction.
CREATE UNIQUE INDEX IF NOT EXISTS rule_sets_one_active_idx ON rule_sets (active) WHERE active;
