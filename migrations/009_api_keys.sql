-- Named API keys (docs/security.md): one per analyst or service, with a role. Only the SHA-256 digest of a key is
-- kept: keys are 256 random bits made by the API, so a fast digest is as safe as a slow one and costs nothing per request.
CREATE TABLE IF NOT EXISTS api_keys (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('read', 'analyst', 'admin')),
    key_sha256  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text        NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text
);

-- A name is unique among the keys in use; a revoked key keeps its row (the audit trail), and its name can be reused.
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_active_name_idx ON api_keys (name) WHERE revoked_at IS NULL;

-- Who made each change: the name of the key that made it (null for rows written before keys had names).
ALTER TABLE alert_feedback ADD COLUMN IF NOT EXISTS author text;
ALTER TABLE models ADD COLUMN IF NOT EXISTS activated_by text;
