-- Facts about the shard itself, e.g. embedding.model and embedding.dimension: a process using a
-- different model refuses to start instead of mixing incomparable vectors.
CREATE TABLE IF NOT EXISTS shard_info (
    key   text PRIMARY KEY,
    value text NOT NULL
);
