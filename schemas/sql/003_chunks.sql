-- The searchable pieces of a document's current version. A new version replaces all of them in
-- one transaction; deleting the document deletes its chunks (cascade).
-- tsv is generated from the chunk text with the english configuration. (Title weighting would
-- need the title on the chunk row; titles are joined from documents at query time instead.)
-- embedding is vector(384): the dimension of the configured model (all-MiniLM-L6-v2 or
-- bge-small-en-v1.5); shard_info records which model filled it.
CREATE TABLE IF NOT EXISTS chunks (
    tenant     text   NOT NULL,
    doc_id     text   NOT NULL,
    chunk_no   int    NOT NULL,
    version    bigint NOT NULL,
    text       text   NOT NULL,
    start_char int    NOT NULL,
    end_char   int    NOT NULL,
    tsv        tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    embedding  vector(384) NOT NULL,
    PRIMARY KEY (tenant, doc_id, chunk_no),
    FOREIGN KEY (tenant, doc_id) REFERENCES documents (tenant, id) ON DELETE CASCADE
);
