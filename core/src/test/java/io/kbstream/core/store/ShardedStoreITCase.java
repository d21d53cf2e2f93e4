package io.kbstream.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.internal.PgShardedStore;
import io.kbstream.core.store.internal.SearchSql;
import io.kbstream.core.testing.StoreTenants;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tests for {@link ShardedStore} against the local stack's Postgres/pgvector shards. */
class ShardedStoreITCase {

    static final int DIM = 384;

    @RegisterExtension static final StoreTenants STORE = new StoreTenants();

    private static KbConfig config;
    private static PgShardedStore store;

    private String tenant;

    @BeforeAll
    static void openStore() {
        config = STORE.config();
        store = STORE.store();
    }

    @BeforeEach
    void newTenant() {
        tenant = tenant("store");
    }

    private static String tenant(String prefix) {
        return STORE.tenant(prefix);
    }

    // ---- writes -----------------------------------------------------------------------------

    @Test
    void upserted_document_is_found_with_its_summary() {
        IndexedDocument doc = doc(tenant, "doc-1", 3, "alpha beta", "gamma delta");

        assertThat(store.upsert(List.of(doc))).isEqualTo(1);

        StoredDocument found = store.find(tenant, "doc-1").orElseThrow();
        assertThat(found.version()).isEqualTo(3);
        assertThat(found.contentHash()).isEqualTo("hash-3");
        assertThat(found.title()).isEqualTo("Title of doc-1");
        assertThat(found.metadata()).containsEntry("team", "search");
        assertThat(found.status()).isEqualTo("INDEXED");
        assertThat(found.chunkCount()).isEqualTo(2);
        assertThat(found.model()).isEqualTo("test-model");
        assertThat(found.createdAt()).isNotNull();
        assertThat(found.updatedAt()).isNotNull();
        int shard = store.shardOf(tenant, "doc-1");
        assertThat(store.countChunks(shard, tenant)).isEqualTo(2);
        assertThat(store.countDocuments(shard, tenant)).isEqualTo(1);
        assertThat(store.countChunks(1 - shard, tenant)).isZero();
    }

    @Test
    void documents_are_listed_per_shard_in_byte_order_after_a_cursor_and_only_the_tenants() {
        List<String> ids = List.of("b", "a", "Z", "é", "\uFF21", "\uD834\uDD1E", "a0");
        for (String id : ids) {
            store.upsert(List.of(doc(tenant, id, 1, "text of " + id)));
        }
        store.upsert(List.of(doc(tenant("other"), "a1", 1, "another tenant's")));

        List<String> listed = new ArrayList<>();
        for (int shard = 0; shard < store.shardCount(); shard++) {
            List<String> ofShard = new ArrayList<>();
            String after = null;
            List<StoredDocument> page;
            do {
                page = store.listDocuments(ShardNode.primary(shard), tenant, after, 2);
                page.forEach(d -> ofShard.add(d.id()));
                after = page.isEmpty() ? null : page.get(page.size() - 1).id();
            } while (page.size() == 2);
            // byte order of UTF-8, whatever the database's collation: U+FF21 before U+1D11E
            assertThat(ofShard)
                    .isSortedAccordingTo(
                            (x, y) ->
                                    java.util.Arrays.compareUnsigned(
                                            x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                            y.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            listed.addAll(ofShard);
        }

        assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);
        StoredDocument a =
                store
                        .listDocuments(
                                ShardNode.primary(store.shardOf(tenant, "a")), tenant, null, 100)
                        .stream()
                        .filter(d -> d.id().equals("a"))
                        .findFirst()
                        .orElseThrow();
        assertThat(a.title()).isEqualTo("Title of a");
        assertThat(a.chunkCount()).isEqualTo(1);
        assertThat(a.status()).isEqualTo("INDEXED");
    }

    @Test
    void replaying_the_same_batch_leaves_exactly_one_copy() {
        List<IndexedDocument> batch =
                List.of(doc(tenant, "a", 1, "one", "two", "three"), doc(tenant, "b", 1, "four"));

        assertThat(store.upsert(batch)).isEqualTo(2);
        assertThat(store.upsert(batch)).isEqualTo(2);
        assertThat(store.upsert(batch)).isEqualTo(2);

        assertThat(totalChunks(tenant)).isEqualTo(4);
        assertThat(totalDocuments(tenant)).isEqualTo(2);
    }

    @Test
    void new_version_replaces_old_chunks() {
        store.upsert(List.of(doc(tenant, "d", 1, "old one", "old two", "old three")));

        assertThat(store.upsert(List.of(doc(tenant, "d", 2, "new one")))).isEqualTo(1);

        int shard = store.shardOf(tenant, "d");
        assertThat(store.countChunks(shard, tenant)).isEqualTo(1);
        assertThat(store.find(tenant, "d").orElseThrow().version()).isEqualTo(2);
        assertThat(keyword(tenant, "old", 10, Map.of())).isEmpty();
        assertThat(keyword(tenant, "new", 10, Map.of()))
                .extracting(ChunkHit::text)
                .containsExactly("new one");
    }

    @Test
    void stale_version_is_ignored() {
        store.upsert(List.of(doc(tenant, "d", 5, "five a", "five b")));

        assertThat(store.upsert(List.of(doc(tenant, "d", 4, "four")))).isZero();

        StoredDocument found = store.find(tenant, "d").orElseThrow();
        assertThat(found.version()).isEqualTo(5);
        assertThat(found.chunkCount()).isEqualTo(2);
        assertThat(store.countChunks(store.shardOf(tenant, "d"), tenant)).isEqualTo(2);
    }

    @Test
    void only_the_highest_version_of_a_document_in_one_batch_is_written() {
        assertThat(
                        store.upsert(
                                List.of(
                                        doc(tenant, "d", 2, "two a", "two b"),
                                        doc(tenant, "d", 3, "three"),
                                        doc(tenant, "d", 1, "one a", "one b", "one c"))))
                .isEqualTo(1);

        assertThat(store.find(tenant, "d").orElseThrow().version()).isEqualTo(3);
        assertThat(totalChunks(tenant)).isEqualTo(1);
    }

    @Test
    void delete_removes_document_and_chunks_unless_it_is_older() {
        store.upsert(List.of(doc(tenant, "d", 3, "x", "y")));

        assertThat(store.delete(tenant, "d", 2)).isFalse();
        assertThat(store.find(tenant, "d")).isPresent();

        assertThat(store.delete(tenant, "d", 3)).isTrue();
        assertThat(store.find(tenant, "d")).isEmpty();
        assertThat(totalChunks(tenant)).isZero();
        assertThat(store.delete(tenant, "d", 3)).isFalse();
    }

    @Test
    void nul_characters_in_text_are_stored_without_them() {
        store.upsert(List.of(doc(tenant, "nul", 1, "pdf\u0000text")));

        assertThat(keyword(tenant, "pdftext", 5, null))
                .extracting(ChunkHit::text)
                .containsExactly("pdftext");
    }

    // ---- search -----------------------------------------------------------------------------

    @Test
    void vector_search_returns_the_nearest_of_known_vectors_on_each_shard() {
        for (int shard = 0; shard < store.shardCount(); shard++) {
            List<IndexedDocument> docs = new ArrayList<>();
            for (int axis = 0; axis < 4; axis++) {
                String id = idOnShard(shard, "axis" + axis);
                docs.add(
                        new IndexedDocument(
                                tenant,
                                id,
                                1,
                                "h",
                                "axis " + axis,
                                Map.of(),
                                "test-model",
                                List.of(new ChunkRow(0, "axis " + axis, 0, 6, unit(axis, 0.0f)))));
            }
            store.upsert(docs);

            // near axis 2, a little towards axis 3
            float[] query = unit(2, 0.0f);
            query[3] = 0.3f;
            // exact: other tests leave identical axis vectors in the shared table, among which an
            // approximate walk may rank a neighbour first; the HNSW path has its own tests below
            List<ChunkHit> hits =
                    store.vectorSearch(shard, tenant, query, 2, Map.of(), 40, 1_000_000);

            assertThat(hits).as("shard %d", shard).hasSize(2);
            assertThat(hits.get(0).docId()).isEqualTo(idOnShard(shard, "axis2"));
            assertThat(hits.get(1).docId()).isEqualTo(idOnShard(shard, "axis3"));
            assertThat(hits.get(0).title()).isEqualTo("axis 2");
            assertThat(hits.get(0).score()).isCloseTo(1 / Math.sqrt(1.09), within(1e-4));
            assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
        }
    }

    @Test
    void vector_search_finds_a_tenants_rows_among_many_nearer_rows_of_others() {
        // 300 chunks of a noisy tenant right at the query, 3 of ours further away: with a small
        // ef_search the HNSW candidate list holds only the other tenant; iterative scan must
        // keep going until our rows are found.
        String noisy = tenant("noisy");
        int shard = 0;
        List<IndexedDocument> docs = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 30; i++) {
            List<ChunkRow> chunks = new ArrayList<>();
            for (int c = 0; c < 10; c++) {
                float[] v = unit(0, 0.0f);
                v[1 + random.nextInt(DIM - 1)] = 0.05f * random.nextFloat();
                chunks.add(new ChunkRow(c, "noise", 0, 5, v));
            }
            docs.add(
                    new IndexedDocument(
                            noisy,
                            idOnShard(noisy, shard, "n" + i),
                            1,
                            "h",
                            "n",
                            Map.of(),
                            "m",
                            chunks));
        }
        for (int i = 0; i < 3; i++) {
            float[] v = unit(0, 0.0f);
            v[5 + i] = 1.0f;
            docs.add(
                    new IndexedDocument(
                            tenant,
                            idOnShard(tenant, shard, "mine" + i),
                            1,
                            "h",
                            "mine",
                            Map.of(),
                            "m",
                            List.of(new ChunkRow(0, "mine", 0, 4, v))));
        }
        store.upsert(docs);

        List<ChunkHit> hits = store.vectorSearch(shard, tenant, unit(0, 0.0f), 3, Map.of(), 10, 0);

        assertThat(hits).hasSize(3).allSatisfy(h -> assertThat(h.text()).isEqualTo("mine"));
        assertThat(store.vectorSearch(shard, noisy, unit(0, 0.0f), 5, Map.of(), 10, 0))
                .hasSize(5)
                .allSatisfy(h -> assertThat(h.text()).isEqualTo("noise"));
    }

    @Test
    void vector_query_shape_can_be_served_by_the_hnsw_index() throws Exception {
        // For a small tenant the planner rightly prefers the tenant btree and an exact sort; with
        // sorting priced out, the only sort-free plan left is the HNSW index scan, which proves
        // the query is written so the index can serve it (operator on the bare column, LIMIT k).
        assertThat(pricedOutSortPlan(false)).contains("vectors_test_model_hnsw");
    }

    @Test
    void the_exact_vector_query_never_walks_the_hnsw_index() throws Exception {
        // the same pricing that makes the approximate form take the index: the exact form's
        // fenced row set leaves the planner no way to it
        String plan = pricedOutSortPlan(true);
        assertThat(plan).doesNotContain("hnsw").contains("Sort");
    }

    private String pricedOutSortPlan(boolean exact) throws Exception {
        store.ensureModel("test-model", 384);
        try (Connection c = store.dataSource(0).getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL enable_seqscan = off");
                st.execute("SET LOCAL enable_sort = off");
                st.execute("SET LOCAL hnsw.iterative_scan = relaxed_order");
            }
            StringBuilder plan = new StringBuilder();
            try (PreparedStatement st =
                    c.prepareStatement(
                            "EXPLAIN " + SearchSql.vector("vectors_test_model", false, exact))) {
                st.setObject(1, new com.pgvector.PGvector(unit(1, 0.0f)));
                st.setString(2, tenant);
                st.setInt(3, 5);
                st.setString(4, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
            }
            c.rollback();
            return plan.toString();
        }
    }

    @Test
    void keyword_search_finds_a_word_and_ranks_denser_chunks_first() {
        store.upsert(
                List.of(
                        doc(tenant, "k1", 1, "Flink checkpoints make the pipeline exactly once"),
                        doc(
                                tenant,
                                "k2",
                                1,
                                "checkpoint after checkpoint: checkpoints everywhere",
                                "nothing relevant here")));

        List<ChunkHit> hits = keyword(tenant, "checkpoint", 10, Map.of());

        // k2's first chunk holds the term three times in few words: BM25 ranks it first
        assertThat(hits).extracting(ChunkHit::docId).containsExactly("k2", "k1");
        assertThat(hits).allSatisfy(h -> assertThat(h.score()).isPositive());
        ChunkHit k2 = hits.stream().filter(h -> h.docId().equals("k2")).findFirst().orElseThrow();
        assertThat(k2.chunkNo()).isZero();
        assertThat(k2.title()).isEqualTo("Title of k2");
    }

    @Test
    void keyword_search_finds_chunks_with_any_word_of_a_long_query_and_ranks_more_words_first() {
        store.upsert(
                List.of(
                        doc(tenant, "both", 1, "Vitamin D deficiency raises fracture risk"),
                        doc(tenant, "one", 1, "Fracture healing in older adults")));

        List<ChunkHit> hits =
                keyword(
                        tenant,
                        "Low vitamin D levels are associated with a higher risk of fracture",
                        10,
                        Map.of());

        assertThat(hits).extracting(ChunkHit::docId).containsExactly("both", "one");
    }

    @Test
    void hostile_queries_and_filters_are_just_text() {
        store.upsert(List.of(doc(tenant, "h", 1, "robert tables")));
        int shard = store.shardOf(tenant, "h");

        // SQL in the query is words like any other: "tables" matches the document's word
        assertThat(keyword(tenant, "'); DROP TABLE chunks; --", 5, Map.of()))
                .extracting(ChunkHit::docId)
                .containsExactly("h");
        for (String q : List.of("'); DROP; --", "a & | ! :* <-> (", "\"unterminated", "-", "the")) {
            assertThat(keyword(tenant, q, 5, Map.of())).as(q).isEmpty();
        }
        assertThat(keyword(tenant, "robert", 5, Map.of("x'\"}", "'; DELETE --"))).isEmpty();
        assertThat(keyword(tenant, "robert OR nobody", 5, Map.of())).hasSize(1);
        assertThat(store.countChunks(shard, tenant)).isEqualTo(1);
    }

    @Test
    void metadata_filter_keeps_only_matching_documents() {
        IndexedDocument en =
                withMetadata(doc(tenant, "en", 1, "shared word"), Map.of("lang", "en"));
        IndexedDocument de =
                withMetadata(doc(tenant, "de", 1, "shared word"), Map.of("lang", "de", "x", "y"));
        store.upsert(List.of(en, de));

        List<String> keyword = new ArrayList<>();
        List<String> vector = new ArrayList<>();
        keyword(tenant, "word", 10, Map.of("lang", "de")).stream()
                .map(ChunkHit::docId)
                .forEach(keyword::add);
        for (int shard = 0; shard < store.shardCount(); shard++) {
            store
                    .vectorSearch(
                            shard, tenant, unit(0, 0f), 10, Map.of("lang", "de", "x", "y"), 40, 0)
                    .stream()
                    .map(ChunkHit::docId)
                    .forEach(vector::add);
        }

        assertThat(keyword).containsExactly("de");
        assertThat(vector).containsExactly("de");
    }

    @Test
    void tenants_never_see_each_others_rows() {
        String other = tenant("other");
        store.upsert(List.of(doc(tenant, "same-id", 1, "secret plans of a")));
        store.upsert(List.of(doc(other, "b-only", 1, "public notes of b")));

        assertThat(store.find(other, "same-id")).isEmpty();
        assertThat(store.delete(other, "same-id", Long.MAX_VALUE)).isFalse();
        assertThat(store.find(tenant, "same-id")).isPresent();
        for (int shard = 0; shard < store.shardCount(); shard++) {
            assertThat(keyword(other, "secret plans", 10, Map.of())).isEmpty();
            assertThat(store.vectorSearch(shard, other, unit(0, 0f), 100, Map.of(), 100, 0))
                    .extracting(ChunkHit::docId)
                    .doesNotContain("same-id");
        }
        assertThat(totalDocuments(other)).isEqualTo(1);
    }

    @Test
    void an_unreachable_shard_fails_fast_with_its_number() {
        KbConfig broken =
                config.with(
                                PostgresOptions.SHARDS,
                                String.join(",", config.get(PostgresOptions.SHARDS))
                                        + ",jdbc:postgresql://127.0.0.1:1/kb")
                        .with(PostgresOptions.MIGRATE_ON_OPEN, "false")
                        .with(PostgresOptions.CONNECT_TIMEOUT, "1000");
        try (ShardedStore withDeadShard = ShardedStore.open(broken)) {
            int dead = withDeadShard.shardCount() - 1;
            long start = System.nanoTime();
            assertThatThrownBy(
                            () ->
                                    withDeadShard.vectorSearch(
                                            dead, tenant, unit(0, 0f), 5, Map.of(), 40, 0))
                    .isInstanceOfSatisfying(
                            StoreException.class, e -> assertThat(e.shard()).isEqualTo(dead));
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
            withDeadShard.ping(0);
            assertThatThrownBy(() -> withDeadShard.ping(dead)).isInstanceOf(StoreException.class);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    static final Bm25Settings BM25 =
            new Bm25Settings(Bm25Settings.DEFAULT_K1, Bm25Settings.DEFAULT_B, 64, 1024);

    /** Keyword search over all shards, with global statistics. */
    private static List<ChunkHit> keyword(
            String tenant, String query, int k, Map<String, String> filter) {
        return store.keywordSearch(tenant, query, k, filter, BM25);
    }

    private long totalChunks(String t) {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            n += store.countChunks(s, t);
        }
        return n;
    }

    private long totalDocuments(String t) {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            n += store.countDocuments(s, t);
        }
        return n;
    }

    private String idOnShard(int shard, String base) {
        return idOnShard(tenant, shard, base);
    }

    private static String idOnShard(String tenant, int shard, String base) {
        for (int i = 0; ; i++) {
            String id = base + "-" + i;
            if (store.shardOf(tenant, id) == shard) {
                return id;
            }
        }
    }

    /** A document whose chunks all point along axis 0 plus a little of a chunk-specific axis. */
    static IndexedDocument doc(String tenant, String id, long version, String... texts) {
        List<ChunkRow> chunks = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < texts.length; i++) {
            float[] v = unit(0, 0f);
            v[10 + i] = 0.1f;
            chunks.add(new ChunkRow(i, texts[i], offset, offset + texts[i].length(), v));
            offset += texts[i].length() + 1;
        }
        return new IndexedDocument(
                tenant,
                id,
                version,
                "hash-" + version,
                "Title of " + id,
                Map.of("team", "search"),
                "test-model",
                chunks);
    }

    static IndexedDocument withMetadata(IndexedDocument d, Map<String, String> metadata) {
        return new IndexedDocument(
                d.tenant(),
                d.id(),
                d.version(),
                d.contentHash(),
                d.title(),
                metadata,
                d.model(),
                d.chunks());
    }

    static float[] unit(int axis, float rest) {
        float[] v = new float[DIM];
        java.util.Arrays.fill(v, rest);
        v[axis] = 1.0f;
        return v;
    }
}
