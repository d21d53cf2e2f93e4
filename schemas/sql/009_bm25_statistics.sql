-- Okapi BM25 statistics of every tenant on this shard, and its postings ordered by impact. The
-- triggers below keep them in step with the chunks, in the same transaction: a rolled-back write
-- leaves no trace, a replayed write (a version's chunks deleted and inserted again) subtracts the
-- old contribution before adding the new one, and a delete (also by cascade from documents)
-- subtracts. Only the triggers, the backfill at the end and a tenant's removal write these tables.
--
-- A chunk is BM25's "document". Its length is its number of lexeme occurrences (title and text,
-- stop words excluded); the statistics are Lucene's: chunk_count = chunks with at least one lexeme
-- (docCount), total_length = the sum of their lengths (sumTotalTermFreq), df per term (docFreq).
-- The API adds them over all shards, so IDF and avgdl are global per tenant and a chunk's score
-- does not depend on the shard holding it.

-- One row per tenant, updated by each of its writes (fillfactor leaves room for HOT updates). The
-- triggers lock it before any term row, so a tenant's writers on a shard take turns here and their
-- term updates cannot deadlock.
CREATE TABLE IF NOT EXISTS bm25_tenants (
    tenant       text   PRIMARY KEY,
    chunk_count  bigint NOT NULL,
    total_length bigint NOT NULL
) WITH (fillfactor = 50);

-- Document frequency per (tenant, term), and the term's id in the postings. A term whose chunks
-- are all gone keeps its row at df = 0: deleting it could race with a writer reusing it. A
-- tenant's removal deletes its rows. (int ids: 2^31 distinct terms per shard over its lifetime.)
CREATE TABLE IF NOT EXISTS bm25_terms (
    tenant text NOT NULL,
    term   text NOT NULL,
    id     int  GENERATED ALWAYS AS IDENTITY,
    df     int  NOT NULL,
    PRIMARY KEY (tenant, term)
) WITH (fillfactor = 70);

-- One row per (chunk, term): the term frequency, the chunk's length and the impact (below). No
-- tenant column: a posting is reached only through its tenant's term ids or its chunk's id.
-- (chunk_id, term_id) serves the triggers' deletes and the exact scoring of candidate chunks;
-- (term_id, impact DESC) lets a query read only the first postings of each of its terms. Both
-- carry tf and length, so the search reads indexes only.
CREATE TABLE IF NOT EXISTS bm25_postings (
    chunk_id bigint   NOT NULL,
    term_id  int      NOT NULL,
    impact   real     NOT NULL,
    length   int      NOT NULL,
    tf       smallint NOT NULL,
    PRIMARY KEY (chunk_id, term_id) INCLUDE (tf, length)
);
CREATE INDEX IF NOT EXISTS bm25_postings_impact
    ON bm25_postings (term_id, impact DESC) INCLUDE (chunk_id, tf, length);

-- The order of a term's postings: BM25's term-frequency part tf / (tf + k1 (1 - b + b length /
-- avgdl)) with k1 = 1.2, b = 0.75 and a fixed avgdl of 100 lexemes (about a 200-token chunk with
-- its title). Queries score with the configured k1 and b and the tenant's real avgdl;
-- Bm25Impact (core) bounds any unread posting's part from the impact of the last one read under
-- those. Its constants are these (a test checks).
CREATE OR REPLACE FUNCTION kb_bm25_impact(tf int, length int) RETURNS real
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (tf::float8 / (tf + 0.3 + 0.009 * length))::real;

-- A chunk's length and its (term, tf) pairs, from its lexemes.
CREATE OR REPLACE FUNCTION kb_bm25_length(lexemes tsvector) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT coalesce(sum(coalesce(cardinality(positions), 1)), 0)::int FROM unnest(lexemes));

CREATE OR REPLACE FUNCTION kb_bm25_terms(lexemes tsvector) RETURNS TABLE (term text, tf int)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lexeme, coalesce(cardinality(positions), 1) FROM unnest(lexemes) $$;

-- After each statement on chunks: its removed rows count -1, its added rows +1. Set-based, once
-- per statement, with the tenants and terms upserted in sorted order.
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
              FROM (SELECT id, tenant, lexemes, kb_bm25_length(lexemes) AS len FROM added) a
             CROSS JOIN LATERAL kb_bm25_terms(a.lexemes) l
              JOIN bm25_terms t ON t.tenant = a.tenant AND t.term = l.term;
        END IF;
    END LOOP;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION kb_bm25_chunks_truncated() RETURNS trigger
    LANGUAGE plpgsql AS $fn$
BEGIN
    TRUNCATE bm25_postings, bm25_terms, bm25_tenants;
    RETURN NULL;
END
$fn$;

-- Creating the triggers locks chunks against writes until this migration commits, so none slips
-- between them and the backfill.
CREATE OR REPLACE TRIGGER chunks_bm25_insert AFTER INSERT ON chunks
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION kb_bm25_chunks_changed();
CREATE OR REPLACE TRIGGER chunks_bm25_delete AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION kb_bm25_chunks_changed();
CREATE OR REPLACE TRIGGER chunks_bm25_update AFTER UPDATE ON chunks
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION kb_bm25_chunks_changed();
CREATE OR REPLACE TRIGGER chunks_bm25_truncate AFTER TRUNCATE ON chunks
    FOR EACH STATEMENT EXECUTE FUNCTION kb_bm25_chunks_truncated();

-- The chunks already on the shard, counted from scratch (a second run gives the same numbers).
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
  FROM (SELECT id, tenant, lexemes, kb_bm25_length(lexemes) AS len FROM chunks) c
 CROSS JOIN LATERAL kb_bm25_terms(c.lexemes) l
  JOIN bm25_terms t ON t.tenant = c.tenant AND t.term = l.term;
