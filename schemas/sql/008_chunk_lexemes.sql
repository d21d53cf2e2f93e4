-- Keyword search ranks a chunk by its document's title and its own text, as BEIR's BM25 does.
-- The chunk row carries its document's title (the store writes it with every chunk) so that the
-- lexemes can be generated from both; chunks already on the shard get it from their document.
ALTER TABLE chunks ADD COLUMN IF NOT EXISTS title text;
UPDATE chunks c SET title = d.title
  FROM documents d
 WHERE d.tenant = c.tenant AND d.id = c.doc_id AND c.title IS DISTINCT FROM d.title;

-- Postgres' english configuration (parser, stop words, Snowball stemmer) makes the lexemes of both
-- the chunks and the queries. Positions are kept: a lexeme's number of positions is its term
-- frequency in the chunk (Postgres keeps up to 256 positions per lexeme, and positions up to
-- 16383, far more than a chunk of a few hundred tokens holds).
ALTER TABLE chunks ADD COLUMN IF NOT EXISTS lexemes tsvector
    GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, '') || E'\n' || text)) STORED;

-- The text-only tsvector and its GIN index served ts_rank_cd ranking, which BM25 over the postings
-- of 009 replaces: no query reads them any more, and every chunk write paid for them.
DROP INDEX IF EXISTS chunks_tsv_gin;
ALTER TABLE chunks DROP COLUMN IF EXISTS tsv;
