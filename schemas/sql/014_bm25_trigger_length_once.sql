-- The BM25 statement trigger of migration 009, with one change: OFFSET 0 keeps the postings'
-- chunk subquery from being flattened. Flattened, the planner copies kb_bm25_length(lexemes) into
-- each use of len, so it ran twice per posting (about 180 times per chunk) instead of once per
-- chunk, which was most of a chunk write's cost (found by kb bench scale's bulk load, migration
-- 013). Everything else is 009's function as it was; the triggers keep calling it by name.
CREATE OR REPLACE FUNCTION kb_bm25_chunks_changed() RETURNS trigger
    LANGUAGE plpgsql AS $fn$
DECLARE
    parts text[] := CASE TG_OP WHEN 'INSERT' THEN ARRAY['added']
                               WHEN 'DELETE' THEN ARRAY['removed']
                               ELSE ARRAY['removed', 'added'] END;
    part text;
    sign int;
    present boolean;
BEGIN
    FOREACH part IN ARRAY parts LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', part) INTO present;
        CONTINUE WHEN NOT present;
        sign := CASE part WHEN 'added' THEN 1 ELSE -1 END;
        EXECUTE format(
            'INSERT INTO bm25_tenants AS s (tenant, chunk_count, total_length)'
            ' SELECT tenant, %1$s * count(*) FILTER (WHERE len > 0), %1$s * sum(len)'
            ' FROM (SELECT tenant, kb_bm25_length(lexemes) AS len FROM %2$I) c'
            ' GROUP BY tenant ORDER BY tenant'
            ' ON CONFLICT (tenant) DO UPDATE SET'
            ' chunk_count = s.chunk_count + excluded.chunk_count,'
            ' total_length = s.total_length + excluded.total_length',
            sign, part);
        EXECUTE format(
            'INSERT INTO bm25_terms AS t (tenant, term, df)'
            ' SELECT c.tenant, l.term, %1$s * count(*) FROM %2$I c, kb_bm25_terms(c.lexemes) l'
            ' GROUP BY 1, 2 ORDER BY 1, 2'
            ' ON CONFLICT (tenant, term) DO UPDATE SET df = t.df + excluded.df',
            sign, part);
        IF part = 'removed' THEN
            DELETE FROM bm25_postings p USING removed r WHERE p.chunk_id = r.id;
        ELSE
            INSERT INTO bm25_postings (chunk_id, term_id, impact, length, tf)
            SELECT a.id, t.id, kb_bm25_impact(l.tf, a.len), a.len, l.tf
              FROM (SELECT id, tenant, lexemes, kb_bm25_length(lexemes) AS len FROM added OFFSET 0) a
             CROSS JOIN LATERAL kb_bm25_terms(a.lexemes) l
              JOIN bm25_terms t ON t.tenant = a.tenant AND t.term = l.term;
        END IF;
    END LOOP;
    RETURN NULL;
END
$fn$;
