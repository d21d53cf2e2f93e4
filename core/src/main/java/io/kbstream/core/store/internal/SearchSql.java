package io.kbstream.core.store.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL of the store, in one place. Every statement filters on {@code tenant = ?}; values are
 * always bind parameters, and the only variable part of the text is whether a metadata filter
 * clause ({@code metadata @> ?::jsonb}) is present.
 */
public final class SearchSql {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SearchSql() {}

    /**
     * Cosine k-NN over one tenant's vectors of one model ({@code vectors}: its table, from {@code
     * embedding_models}, never user input). Parameters: query vector, tenant, [metadata json], k,
     * tenant. The inner query of the approximate form is the shape the model's HNSW index serves
     * ({@code ORDER BY distance LIMIT k}); with {@code hnsw.iterative_scan = relaxed_order} results
     * may come slightly out of order, so they are materialized and re-sorted, as pgvector
     * recommends. The exact form compares every one of the tenant's rows: {@code OFFSET 0} keeps
     * its row set a subquery the planner cannot order by the index. Titles come from the chunks
     * (written with their document's), so the plain form joins one table, not two: planning the
     * join with documents took 0.41-0.56 ms of a ~1.5 ms query, against 0.12 ms without it
     * (benchmark/results/vector-plan-time.txt).
     */
    public static String vector(String vectors, boolean withMetadataFilter, boolean exact) {
        String rows =
                " FROM "
                        + checkedTable(vectors)
                        + " v"
                        + (withMetadataFilter
                                ? " JOIN chunks x ON x.tenant = v.tenant AND x.id = v.chunk_id"
                                        + " JOIN documents m ON m.tenant = x.tenant"
                                        + " AND m.id = x.doc_id"
                                : "")
                        + " WHERE v.tenant = ?"
                        + (withMetadataFilter ? " AND m.metadata @> ?::jsonb" : "");
        String hits =
                exact
                        ? "SELECT r.chunk_id, r.embedding <=> ? AS distance FROM (SELECT"
                                + " v.chunk_id, v.embedding"
                                + rows
                                + " OFFSET 0) r ORDER BY distance LIMIT ?"
                        : "SELECT v.chunk_id, v.embedding <=> ? AS distance"
                                + rows
                                + " ORDER BY distance LIMIT ?";
        return "WITH hits AS MATERIALIZED ("
                + hits
                + ") SELECT c.doc_id, c.chunk_no, c.title, c.text, c.start_char, c.end_char,"
                + " 1 - h.distance AS score"
                + " FROM hits h JOIN chunks c ON c.tenant = ? AND c.id = h.chunk_id"
                + " ORDER BY h.distance, c.doc_id, c.chunk_no";
    }

    /**
     * One chunk's vector of a model, written beside it. Parameters: vector, tenant, document id,
     * chunk number. A chunk that is gone inserts nothing.
     */
    public static String insertVector(String vectors) {
        return "INSERT INTO "
                + checkedTable(vectors)
                + " (tenant, chunk_id, embedding) SELECT tenant, id, ? FROM chunks"
                + " WHERE tenant = ? AND doc_id = ? AND chunk_no = ?";
    }

    /**
     * A re-embedded chunk's vector, replacing any there (idempotent). Parameters: vector, tenant,
     * chunk id. A chunk deleted meanwhile inserts nothing.
     */
    public static String upsertVector(String vectors) {
        return "INSERT INTO "
                + checkedTable(vectors)
                + " (tenant, chunk_id, embedding) SELECT tenant, id, ? FROM chunks"
                + " WHERE tenant = ? AND id = ?"
                + " ON CONFLICT (tenant, chunk_id) DO UPDATE SET embedding = EXCLUDED.embedding";
    }

    /**
     * The tenant's chunks that have no vector of a model yet, in id order after a position.
     * Parameters: tenant, after chunk id, limit. Rows: chunk id, text.
     */
    public static String chunksWithoutVector(String vectors) {
        return "SELECT c.id, c.text FROM chunks c WHERE c.tenant = ? AND c.id > ?"
                + " AND NOT EXISTS (SELECT 1 FROM "
                + checkedTable(vectors)
                + " v WHERE v.tenant = c.tenant AND v.chunk_id = c.id)"
                + " ORDER BY c.id LIMIT ?";
    }

    /** Parameters: tenant. The tenant's vectors of a model. */
    public static String countVectors(String vectors) {
        return "SELECT count(*) FROM " + checkedTable(vectors) + " WHERE tenant = ?";
    }

    /** Parameters: tenant. Drops the tenant's vectors of a model. */
    public static String deleteVectors(String vectors) {
        return "DELETE FROM " + checkedTable(vectors) + " WHERE tenant = ?";
    }

    /** Creates (once) and names a model's vector table. Parameters: model, dimension. */
    public static final String MODEL_VECTORS = "SELECT kb_model_vectors(?, ?)";

    /** A model's vector table on a shard, if it has one. Parameters: model. */
    public static final String FIND_MODEL_VECTORS =
            "SELECT vectors FROM embedding_models WHERE model = ?";

    /** Parameters: tenant. Rows: active, target, previous. */
    public static final String FIND_TENANT_MODELS =
            "SELECT active, target, previous FROM tenant_models WHERE tenant = ?";

    /** Parameters: tenant, active, target, previous. */
    public static final String SET_TENANT_MODELS =
            "INSERT INTO tenant_models (tenant, active, target, previous) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (tenant) DO UPDATE SET active = EXCLUDED.active,"
                    + " target = EXCLUDED.target, previous = EXCLUDED.previous, updated_at = now()";

    /** A tenant's first write on a shard records the model it was written with. */
    public static final String RECORD_TENANT_MODEL =
            "INSERT INTO tenant_models (tenant, active) VALUES (?, ?) ON CONFLICT DO NOTHING";

    /** Table names come from kb_model_vectors (011); anything else is a bug, refused. */
    static String checkedTable(String vectors) {
        if (vectors == null || !vectors.matches("vectors_[a-z0-9_]{1,50}")) {
            throw new IllegalArgumentException("not a vector table name: " + vectors);
        }
        return vectors;
    }

    /**
     * This shard's BM25 statistics for a query. Parameters: query text, tenant, tenant. One row per
     * distinct lexeme of the query (none when it has no searchable word): lexeme, its count in the
     * query, its document frequency in the tenant here, the tenant's chunk count and total length
     * here. The lexemes come from {@code to_tsvector}, exactly as the chunks' do; the text is never
     * parsed as tsquery syntax.
     */
    public static final String BM25_STATISTICS =
            "SELECT q.lexeme, coalesce(cardinality(q.positions), 1), coalesce(t.df, 0),"
                    + " coalesce(s.chunk_count, 0), coalesce(s.total_length, 0)"
                    + " FROM unnest(to_tsvector('english', ?)) AS q"
                    + " LEFT JOIN bm25_terms t ON t.tenant = ? AND t.term = q.lexeme"
                    + " LEFT JOIN bm25_tenants s ON s.tenant = ?";

    /**
     * The first postings of each query term by impact. Parameters: lexemes (text[]), how many of
     * each (int[], pairwise; NULL: all), tenant. One row per term the tenant has here: term index
     * (from 1), term id, and its postings packed in one bytea, {@link #PACKED_POSTING_BYTES} per
     * posting in no particular order: chunk id (int8), length (int4), tf (int2), impact (float4),
     * big-endian. Reads the (term_id, impact DESC) index only. Packed, a search's thousands of
     * postings cross the wire and the driver as a few values instead of thousands of rows (on the
     * SciFact tenant, the driver's per-row work was most of the API's keyword CPU).
     */
    public static final String BM25_FIRST_POSTINGS =
            "SELECT q.i, t.id, p.packed"
                    + " FROM unnest(?::text[], ?::int[]) WITH ORDINALITY AS q(term, depth, i)"
                    + " JOIN bm25_terms t ON t.tenant = ? AND t.term = q.term"
                    + " CROSS JOIN LATERAL (SELECT string_agg(int8send(f.chunk_id)"
                    + " || int4send(f.length) || int2send(f.tf) || float4send(f.impact), ''::bytea)"
                    + " AS packed FROM (SELECT chunk_id, tf, length, impact FROM bm25_postings"
                    + " WHERE term_id = t.id ORDER BY impact DESC LIMIT q.depth) f) p";

    /** Bytes of one posting in {@link #BM25_FIRST_POSTINGS}' packed column. */
    public static final int PACKED_POSTING_BYTES = 8 + 4 + 2 + 4;

    /**
     * Postings by key, for the terms candidate chunks were not seen under. Parameters: chunk ids
     * (bigint[]), term ids (int[]). Rows: chunk id, term id, tf, length, for every posting of those
     * chunks under those terms; a missing pair means the chunk lacks the term. Only the primary key
     * index is read (it has no impact column, and none is needed here): one descent per chunk,
     * whose postings lie together in (chunk, term) order, with the terms a filter ({@code + 0}
     * keeps term_id out of the index condition: as a second array key it would make a descent per
     * chunk and term, which on the scale probe's million chunks took 2-3 times as long). The ids
     * come from the tenant's own terms, so they reach only its postings.
     */
    public static final String BM25_POSTINGS_BY_KEY =
            "SELECT p.chunk_id, p.term_id, p.tf, p.length"
                    + " FROM unnest(?::bigint[]) AS x(chunk_id)"
                    + " JOIN bm25_postings p ON p.chunk_id = x.chunk_id"
                    + " WHERE p.term_id + 0 = ANY(?::int[])";

    /**
     * The chunks (of the tenant) whose document matches a metadata filter. Parameters: tenant,
     * chunk ids, metadata json.
     */
    public static final String CHUNKS_PASSING_FILTER =
            "SELECT c.id FROM chunks c JOIN documents d ON d.tenant = c.tenant AND d.id = c.doc_id"
                    + " WHERE c.tenant = ? AND c.id = ANY(?) AND d.metadata @> ?::jsonb";

    /** Chunks by id, as hits (score added by the caller). Parameters: tenant, chunk ids. */
    public static final String CHUNKS_BY_ID =
            "SELECT id, doc_id, chunk_no, title, text, start_char, end_char FROM chunks"
                    + " WHERE tenant = ? AND id = ANY(?)";

    /**
     * The tenant's chunk count on this shard (BM25's, i.e. chunks with a lexeme) and the planner's
     * estimate of a vector table's rows (-1 before its first analyze). Parameters: tenant, vector
     * table name.
     */
    public static final String TENANT_VECTOR_SHARE =
            "SELECT coalesce((SELECT chunk_count FROM bm25_tenants WHERE tenant = ?), 0),"
                    + " (SELECT reltuples FROM pg_class WHERE oid = ?::regclass)";

    /**
     * A search's own HNSW ef_search, for the rest of its transaction, when it differs from the read
     * connections' session default. Parameter: ef_search.
     */
    public static final String EF_SEARCH_SETTING = "SELECT set_config('hnsw.ef_search', ?, true)";

    /**
     * A replica's replay lag in seconds: 0 once it has replayed all it received (an idle primary
     * sends nothing, and no new transaction means no staleness) or when it is not in recovery (a
     * promoted replica); else the age of the last replayed transaction.
     */
    public static final String REPLAY_LAG_SECONDS =
            "SELECT CASE WHEN NOT pg_is_in_recovery()"
                    + " OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                    + " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()),"
                    + " 0) END";

    /** Parameters: tenant, id, version, content_hash, title, metadata json, chunk_count, model. */
    public static final String UPSERT_DOCUMENT =
            "INSERT INTO documents (tenant, id, version, content_hash, title, metadata, status,"
                    + " reason, chunk_count, model)"
                    + " VALUES (?, ?, ?, ?, ?, ?::jsonb, 'INDEXED', NULL, ?, ?)"
                    + " ON CONFLICT (tenant, id) DO UPDATE SET version = EXCLUDED.version,"
                    + " content_hash = EXCLUDED.content_hash, title = EXCLUDED.title,"
                    + " metadata = EXCLUDED.metadata, status = EXCLUDED.status, reason = NULL,"
                    + " chunk_count = EXCLUDED.chunk_count, model = EXCLUDED.model,"
                    + " updated_at = now()"
                    + " WHERE documents.version <= EXCLUDED.version";

    /**
     * One statement for all documents of a tenant being replaced, so the BM25 triggers run once.
     * Parameters: tenant, document ids (text[]).
     */
    public static final String DELETE_CHUNKS_OF_DOCUMENTS =
            "DELETE FROM chunks WHERE tenant = ? AND doc_id = ANY(?)";

    /**
     * The title is the document's: the chunk's lexemes are made of title and text. Its vectors go
     * to their models' tables ({@link #insertVector}).
     */
    public static final String INSERT_CHUNK =
            "INSERT INTO chunks (tenant, doc_id, chunk_no, version, title, text, start_char,"
                    + " end_char) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    public static final String DELETE_DOCUMENT =
            "DELETE FROM documents WHERE tenant = ? AND id = ? AND version <= ?";

    public static final String FIND_DOCUMENT =
            "SELECT version, content_hash, title, metadata::text, status, reason, chunk_count,"
                    + " model, created_at, updated_at FROM documents WHERE tenant = ? AND id = ?";

    /**
     * A keyset page of a tenant's documents in byte order of their ids (the index of migration
     * 010). Parameters: tenant, the id to start after ('' for the first page), limit. Columns as
     * {@link #FIND_DOCUMENT}'s, after the id.
     */
    public static final String LIST_DOCUMENTS =
            "SELECT id, version, content_hash, title, metadata::text, status, reason, chunk_count,"
                    + " model, created_at, updated_at FROM documents"
                    + " WHERE tenant = ? AND id COLLATE \"C\" > ? ORDER BY id COLLATE \"C\" LIMIT ?";

    public static final String COUNT_CHUNKS = "SELECT count(*) FROM chunks WHERE tenant = ?";

    public static final String COUNT_DOCUMENTS = "SELECT count(*) FROM documents WHERE tenant = ?";

    /**
     * A tenant's removal, in this order in one transaction: its chunks in one statement (the BM25
     * triggers subtract them set-wise, rather than once per document through the cascade; their
     * vectors go by cascade), its documents, then its BM25 rows, by then all at zero, and its
     * models.
     */
    public static final List<String> DELETE_TENANT =
            List.of(
                    "DELETE FROM chunks WHERE tenant = ?",
                    "DELETE FROM documents WHERE tenant = ?",
                    "DELETE FROM bm25_terms WHERE tenant = ?",
                    "DELETE FROM bm25_tenants WHERE tenant = ?",
                    "DELETE FROM tenant_models WHERE tenant = ?");

    /**
     * {@code {"k":"v",...}} for a jsonb parameter; keys sorted so equal filters give equal text.
     */
    public static String json(Map<String, String> map) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(map == null ? Map.of() : map));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata cannot be written as JSON", e);
        }
    }

    /** Parses a stored metadata object back into a map of strings. */
    public static Map<String, String> parseJson(String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        try {
            Map<String, Object> raw =
                    JSON.readValue(
                            json,
                            new com.fasterxml.jackson.core.type.TypeReference<
                                    Map<String, Object>>() {});
            Map<String, String> out = new TreeMap<>();
            raw.forEach((k, v) -> out.put(k, v == null ? null : String.valueOf(v)));
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored metadata is not a JSON object: " + json, e);
        }
    }

    /** Postgres text cannot hold NUL characters (PDF extraction sometimes yields them). */
    public static String clean(String text) {
        return text == null || text.indexOf('\u0000') < 0 ? text : text.replace("\u0000", "");
    }
}
