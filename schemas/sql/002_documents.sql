-- One row per (tenant, document): the latest indexed version. A write with a lower version than
-- the stored one is ignored by the store (versions are monotonic per document).
CREATE TABLE IF NOT EXISTS documents (
    tenant       text        NOT NULL,
    id           text        NOT NULL,
    version      bigint      NOT NULL,
    content_hash text,
    title        text,
    metadata     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status       text        NOT NULL DEFAULT 'INDEXED',
    reason       text,
    chunk_count  int         NOT NULL DEFAULT 0,
    model        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, id)
);
