-- A compact identity per chunk: the BM25 postings (one row per chunk and term, see 009) refer to a
-- chunk by these 8 bytes instead of (tenant, doc_id, chunk_no). Replacing a document's chunks
-- inserts new rows, so a new version's chunks get new ids. Rows already on the shard are numbered
-- when the column is added (the table is rewritten once).
ALTER TABLE chunks ADD COLUMN IF NOT EXISTS id bigint GENERATED ALWAYS AS IDENTITY;

-- Keyword search reads its top chunks by id; the tenant leads, as in every index of tenant data.
CREATE UNIQUE INDEX IF NOT EXISTS chunks_tenant_id ON chunks (tenant, id);
