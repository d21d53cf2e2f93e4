-- pgvector: the vector type, distance operators and the HNSW access method.
-- Needs a role allowed to create extensions (the local stack's kb user is the cluster owner);
-- on a managed Postgres create it once as an admin and this becomes a no-op.
CREATE EXTENSION IF NOT EXISTS vector;
