-- HNSW over all tenants of the shard, cosine distance (the embeddings are normalized).
-- m = 16, ef_construction = 64 are pgvector's defaults, kept on purpose: for 384-d sentence
-- embeddings they give recall above 0.95 at ef_search 40..100 while keeping inserts cheap, and the
-- indexing sink inserts continuously. Raise ef_construction (e.g. 128) for better recall at the cost
-- of slower inserts; m costs memory per row. Queries filter by tenant after the index scan, so the
-- store turns on hnsw.iterative_scan to keep scanning until k rows of the tenant are found.
CREATE INDEX IF NOT EXISTS chunks_embedding_hnsw
    ON chunks USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);

-- full-text search (websearch_to_tsquery + ts_rank_cd)
CREATE INDEX IF NOT EXISTS chunks_tsv_gin ON chunks USING gin (tsv);

-- tenant-scoped counts and scans; (tenant, doc_id) serves the per-document delete of old chunks
-- (the primary key's prefix also does, this one is narrower).
CREATE INDEX IF NOT EXISTS chunks_tenant ON chunks (tenant);
CREATE INDEX IF NOT EXISTS chunks_tenant_doc ON chunks (tenant, doc_id);
