-- Vectors know their model (issue 20). Each embedding model has its own table of vectors, keyed
-- by chunk and holding a vector(d) of that model's dimension, with its own HNSW index; a chunk may
-- have vectors of several models side by side, so a tenant can move to another model while
-- searches keep using the old one. A vector row goes with its chunk (cascade): replacing or
-- deleting a document's chunks removes every model's vectors of them.

-- The models with vectors on this shard and the table holding each one's vectors.
CREATE TABLE IF NOT EXISTS embedding_models (
    model      text PRIMARY KEY,
    dimension  int  NOT NULL CHECK (dimension BETWEEN 1 AND 2000),
    vectors    text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Each tenant's models: searches embed queries with `active` and read its vectors; `target` is the
-- model a migration is filling (NULL when none); `previous` the model switched away from, whose
-- vectors are still written until they are dropped, so switching back is one command. Every write
-- embeds with all three (those not NULL). The same row is kept on every shard; the API reads the
-- first shard's. A tenant without a row uses the configured kb.embedding.model.
CREATE TABLE IF NOT EXISTS tenant_models (
    tenant     text PRIMARY KEY,
    active     text NOT NULL REFERENCES embedding_models (model),
    target     text REFERENCES embedding_models (model),
    previous   text REFERENCES embedding_models (model),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The vector table of a model, created with its HNSW index on first use (same parameters as the
-- chunks' index had, see 004), and registered; returns its name. A model known with another
-- dimension is refused. Callers hold the schema advisory lock, so two starters cannot race here.
CREATE OR REPLACE FUNCTION kb_model_vectors(m text, dim int) RETURNS text
    LANGUAGE plpgsql AS $fn$
DECLARE
    t text := 'vectors_' || left(regexp_replace(lower(m), '[^a-z0-9]+', '_', 'g'), 50);
    known embedding_models%ROWTYPE;
BEGIN
    SELECT * INTO known FROM embedding_models WHERE model = m;
    IF FOUND THEN
        IF known.dimension <> dim THEN
            RAISE EXCEPTION 'model % has %-d vectors on this shard, not %-d', m, known.dimension, dim;
        END IF;
        RETURN known.vectors;
    END IF;
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I ('
        || ' tenant text NOT NULL, chunk_id bigint NOT NULL, embedding vector(%s) NOT NULL,'
        || ' PRIMARY KEY (tenant, chunk_id),'
        || ' FOREIGN KEY (tenant, chunk_id) REFERENCES chunks (tenant, id) ON DELETE CASCADE)',
        t, dim);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I'
        || ' USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)',
        t || '_hnsw', t);
    INSERT INTO embedding_models (model, dimension, vectors) VALUES (m, dim, t);
    RETURN t;
END
$fn$;

-- Today's vectors move into the table of the model that made them (documents.model, written with
-- every version), each tenant with chunks gets the model most of its chunks have as its active one,
-- and the single column goes. A fresh shard has no chunks: nothing moves. The HNSW index of each
-- table is built before the copy (kb_model_vectors makes both); slower than after, but one path.
DO $mv$
DECLARE
    dim int;
    r   record;
    t   text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                   WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'
                     AND NOT attisdropped) THEN
        RETURN;
    END IF;
    SELECT atttypmod INTO dim FROM pg_attribute
    WHERE attrelid = 'chunks'::regclass AND attname = 'embedding';
    -- a document without a model (none should exist) is attributed to the shard's recorded one
    UPDATE documents SET model = (SELECT value FROM shard_info WHERE key = 'embedding.model')
    WHERE model IS NULL;
    IF EXISTS (SELECT 1 FROM chunks c JOIN documents d ON d.tenant = c.tenant AND d.id = c.doc_id
               WHERE d.model IS NULL) THEN
        RAISE EXCEPTION 'chunks of documents without a model cannot be attributed to one';
    END IF;
    FOR r IN SELECT DISTINCT d.model FROM documents d
             WHERE EXISTS (SELECT 1 FROM chunks c WHERE c.tenant = d.tenant AND c.doc_id = d.id)
    LOOP
        t := kb_model_vectors(r.model, dim);
        EXECUTE format('INSERT INTO %I (tenant, chunk_id, embedding)'
            || ' SELECT c.tenant, c.id, c.embedding FROM chunks c'
            || ' JOIN documents d ON d.tenant = c.tenant AND d.id = c.doc_id'
            || ' WHERE d.model = $1 ON CONFLICT DO NOTHING', t) USING r.model;
    END LOOP;
    INSERT INTO tenant_models (tenant, active)
    SELECT DISTINCT ON (c.tenant) c.tenant, d.model FROM chunks c
    JOIN documents d ON d.tenant = c.tenant AND d.id = c.doc_id
    GROUP BY c.tenant, d.model ORDER BY c.tenant, count(*) DESC, d.model
    ON CONFLICT DO NOTHING;
    DROP INDEX IF EXISTS chunks_embedding_hnsw;
    ALTER TABLE chunks DROP COLUMN IF EXISTS embedding;
END
$mv$;
