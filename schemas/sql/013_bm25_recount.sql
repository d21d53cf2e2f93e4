-- kb_bm25_recount(): the BM25 statistics and postings of every chunk on the shard counted from
-- scratch, set-wise, with the statements of migration 009's backfill (a second call gives the same
-- numbers). 009 keeps its own copy: applied migrations are immutable (ShardMigrations warns on a
-- changed checksum), and it runs before this function exists.
--
-- One change: OFFSET 0 keeps the postings' chunk subquery from being flattened. Flattened, the
-- planner copies kb_bm25_length(lexemes) into each use of len, so it runs twice per posting (about
-- 180 times per chunk) instead of once per chunk, and that, not the writes, was most of the time.
--
-- For bulk loads that switched the chunks_bm25_insert trigger off around a COPY (kb bench scale's
-- scratch database): one recount instead of the trigger's upserts per statement. The production
-- write path never calls it; on a live shard it would race with the triggers of concurrent writes.
CREATE OR REPLACE FUNCTION kb_bm25_recount() RETURNS void
    LANGUAGE sql AS $$
TRUNCATE bm25_postings, bm25_terms, bm25_tenants;
INSERT INTO bm25_tenants (tenant, chunk_count, total_length)
SELECT tenant, count(*) FILTER (WHERE len > 0), sum(len)
  FROM (SELECT tenant, kb_bm25_length(lexemes) AS len FROM chunks) c
 GROUP BY tenant;
INSERT INTO bm25_terms (tenant, term, df)
SELECT c.tenant, l.term, count(*)
  FROM chunks c, kb_bm25_terms(c.lexemes) l
 GROUP BY 1, 2;
INSERT INTO bm25_postings (chunk_id, term_id, impact, length, tf)
SELECT c.id, t.id, kb_bm25_impact(l.tf, c.len), c.len, l.tf
  FROM (SELECT id, tenant, lexemes, kb_bm25_length(lexemes) AS len FROM chunks OFFSET 0) c
 CROSS JOIN LATERAL kb_bm25_terms(c.lexemes) l
  JOIN bm25_terms t ON t.tenant = c.tenant AND t.term = l.term;
$$;
