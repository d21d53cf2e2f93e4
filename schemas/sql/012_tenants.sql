-- The control tables: tenants (with their quota overrides) and their API keys. Like every
-- migration they exist on every shard, but only shard 0's rows are used: shard 0 is the catalog
-- (one place to write, transactional, backed up with the shards; API instances read it every
-- second into an in-memory snapshot, see query-api/README.md).
CREATE TABLE IF NOT EXISTS tenants (
    tenant                  text        PRIMARY KEY,
    created_at              timestamptz NOT NULL DEFAULT now(),
    -- set when its deletion starts: from then on its keys are refused
    deleting_since          timestamptz,
    -- quota overrides; null: the configured default
    max_documents           bigint,
    max_bytes               bigint,
    max_requests_per_second double precision
);

-- Only the SHA-256 of a key is stored; its first characters (the prefix) are shown in listings
-- and find the row, then the hash is compared in constant time.
CREATE TABLE IF NOT EXISTS api_keys (
    prefix     text        PRIMARY KEY,
    tenant     text        NOT NULL REFERENCES tenants (tenant) ON DELETE CASCADE,
    sha256     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys (tenant);
