package io.kbstream.core.store.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
     * Cosine k-NN over one tenant's chunks. Parameters: query vector, tenant, [metadata json], k,
     * tenant. The inner query is the shape the HNSW index serves ({@code ORDER BY distance LIMIT
     * k}); with {@code hnsw.iterative_scan = relaxed_order} results may come slightly out of order,
     * so they are materialized and re-sorted, as pgvector recommends.
     */
    public static String vector(boolean withMetadataFilter) {
        return "WITH hits AS MATERIALIZED ("
                + " SELECT c.doc_id, c.chunk_no, c.text, c.start_char, c.end_char,"
                + " c.embedding <=> ? AS distance"
                + " FROM chunks c"
                + (withMetadataFilter
                        ? " JOIN documents m ON m.tenant = c.tenant AND m.id = c.doc_id"
                        : "")
                + " WHERE c.tenant = ?"
                + (withMetadataFilter ? " AND m.metadata @> ?::jsonb" : "")
                + " ORDER BY distance LIMIT ?)"
                + " SELECT h.doc_id, h.chunk_no, d.title, h.text, h.start_char, h.end_char,"
                + " 1 - h.distance AS score"
                + " FROM hits h JOIN documents d ON d.id = h.doc_id"
                + " WHERE d.tenant = ?"
                + " ORDER BY h.distance, h.doc_id, h.chunk_no";
    }

    /**
     * The query text as an OR of its distinct stemmed terms ({@code 'a' | 'b' | ...}), stop words
     * dropped; NULL (matches nothing) when no term is left. The lexemes come from {@code
     * to_tsvector} and are quoted for tsquery input (quotes and backslashes doubled), so query text
     * is never parsed as tsquery syntax: {@code & | ! :* <-> (} are just punctuation. An OR ranked
     * by {@code ts_rank_cd} behaves like BM25's "any term, more and denser is better"; {@code
     * websearch_to_tsquery} ANDs every term, which finds nothing for most long natural-language
     * queries (SciFact train: see the README's retrieval quality section).
     */
    static final String ANY_TERM_QUERY =
            "(SELECT string_agg('''' || replace(replace(l, '\\', '\\\\'), '''', '''''')"
                    + " || '''', ' | ')"
                    + " FROM unnest(tsvector_to_array(to_tsvector('english', ?))) AS l)::tsquery";

    /** Full-text search. Parameters: query text, tenant, [metadata json], k. */
    public static String keyword(boolean withMetadataFilter) {
        return "SELECT c.doc_id, c.chunk_no, d.title, c.text, c.start_char, c.end_char,"
                + " ts_rank_cd(c.tsv, q.query) AS score"
                + " FROM chunks c"
                + " JOIN documents d ON d.tenant = c.tenant AND d.id = c.doc_id"
                + " CROSS JOIN (SELECT "
                + ANY_TERM_QUERY
                + ") AS q(query)"
                + " WHERE c.tenant = ? AND c.tsv @@ q.query"
                + (withMetadataFilter ? " AND d.metadata @> ?::jsonb" : "")
                + " ORDER BY score DESC, c.doc_id, c.chunk_no LIMIT ?";
    }

    /**
     * Session settings of one search transaction: timeout (ms), ef_search; iterative scan, no JIT.
     */
    public static final String SEARCH_SETTINGS =
            "SELECT set_config('statement_timeout', ?, true),"
                    + " set_config('hnsw.ef_search', ?, true),"
                    + " set_config('hnsw.iterative_scan', 'relaxed_order', true),"
                    // HNSW cost estimates can cross jit_above_cost; compiling costs more than the
                    // millisecond query
                    + " set_config('jit', 'off', true)";

    /**
     * Turns plain index scans off for the rest of the transaction, so the next vector query is
     * exact: the tenant's rows come from the btree (bitmap scan) and are sorted by distance.
     */
    public static final String EXACT_SETTING = "SELECT set_config('enable_indexscan', 'off', true)";

    public static final String TIMEOUT_SETTING = "SELECT set_config('statement_timeout', ?, true)";

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

    public static final String DELETE_CHUNKS_OF_DOCUMENT =
            "DELETE FROM chunks WHERE tenant = ? AND doc_id = ?";

    public static final String INSERT_CHUNK =
            "INSERT INTO chunks (tenant, doc_id, chunk_no, version, text, start_char, end_char,"
                    + " embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

    public static final String DELETE_DOCUMENT =
            "DELETE FROM documents WHERE tenant = ? AND id = ? AND version <= ?";

    public static final String FIND_DOCUMENT =
            "SELECT version, content_hash, title, metadata::text, status, reason, chunk_count,"
                    + " model, created_at, updated_at FROM documents WHERE tenant = ? AND id = ?";

    public static final String COUNT_CHUNKS = "SELECT count(*) FROM chunks WHERE tenant = ?";

    public static final String COUNT_DOCUMENTS = "SELECT count(*) FROM documents WHERE tenant = ?";

    public static final String DELETE_TENANT = "DELETE FROM documents WHERE tenant = ?";

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
