package io.kbstream.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.internal.PgShardedStore;
import io.kbstream.core.testing.Bm25Audit;
import io.kbstream.core.testing.StoreTenants;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tests for the BM25 statistics the shards keep beside the chunks (migration 009): exactly right
 * after failures, replays, new versions, unchanged re-uploads and deletes (checked by {@link
 * Bm25Audit} against a recount); global over the shards; separate per tenant.
 */
class Bm25StatisticsITCase {

    private static final String[] WORDS = {
        "protein", "cell", "immune", "response", "gene", "expression", "tumor", "growth",
        "patients", "treatment", "increased", "reduced", "mice", "study", "clinical", "trial",
        "receptor", "binding", "signal", "pathway", "vitamin", "deficiency", "risk", "disease"
    };

    private static final List<String> QUERIES =
            List.of(
                    "vitamin deficiency increases disease risk",
                    "immune response of mice to tumor growth",
                    "gene expression gene expression in patients",
                    "the receptor binding signal pathway");

    @RegisterExtension static final StoreTenants STORE = new StoreTenants();

    private static KbConfig config;
    private static PgShardedStore store;

    @BeforeAll
    static void openStore() {
        config = STORE.config();
        store = STORE.store();
    }

    private static String tenant(String prefix) {
        return STORE.tenant(prefix);
    }

    @Test
    void statistics_are_exact_after_a_failed_batch_and_its_replays() throws Exception {
        String tenant = tenant("bm25-replay");
        List<IndexedDocument> batch = documents(tenant, 30, 1, 0);
        List<IndexedDocument> broken = new ArrayList<>(batch);
        // one document's chunk has a vector Postgres refuses: its shard's transaction fails after
        // that shard's other chunks were deleted and inserted; the other shard commits
        IndexedDocument victim = batch.get(7);
        broken.set(
                7,
                new IndexedDocument(
                        tenant,
                        victim.id(),
                        victim.version(),
                        victim.contentHash(),
                        victim.title(),
                        victim.metadata(),
                        victim.model(),
                        List.of(new ChunkRow(0, "broken", 0, 6, new float[3]))));

        assertThatThrownBy(() -> store.upsert(broken)).isInstanceOf(StoreException.class);
        assertExact(tenant);

        store.upsert(batch); // the replay after the failure
        store.upsert(batch); // and again, as a restarted job replays from its checkpoint
        assertExact(tenant);

        String once = tenant("bm25-once");
        store.upsert(documents(once, 30, 1, 0));
        assertSameStatistics(tenant, once);
    }

    @Test
    void statistics_are_exact_after_new_versions_unchanged_reuploads_and_deletes()
            throws Exception {
        String tenant = tenant("bm25-versions");
        store.upsert(documents(tenant, 20, 1, 0));
        store.upsert(documents(tenant, 6, 2, 100)); // new texts for docs 0..5
        store.upsert(documents(tenant, 6, 2, 100).subList(0, 3)); // the same again: a replay
        store.upsert(documents(tenant, 12, 3, 0).subList(6, 12)); // unchanged texts, new version
        store.upsert(documents(tenant, 2, 1, 500)); // stale versions: ignored
        assertThat(store.delete(tenant, "doc-15", 1)).isTrue();
        assertThat(store.delete(tenant, "doc-16", 1)).isTrue();
        assertExact(tenant);

        // the same final documents, each written once
        String once = tenant("bm25-final");
        List<IndexedDocument> finals = new ArrayList<>(documents(once, 6, 2, 100));
        finals.addAll(documents(once, 20, 1, 0).subList(6, 20));
        finals.removeIf(d -> d.id().equals("doc-15") || d.id().equals("doc-16"));
        store.upsert(finals);
        assertSameStatistics(tenant, once);
    }

    @Test
    void the_same_corpus_on_one_shard_and_on_two_shards_gives_the_same_scores() {
        String spread = tenant("bm25-two");
        store.upsert(documents(spread, 40, 1, 0));
        assertThat(store.countDocuments(0, spread)).isPositive();
        assertThat(store.countDocuments(1, spread)).isPositive();

        String single = tenant("bm25-one");
        KbConfig oneShard =
                config.with(PostgresOptions.SHARDS, config.get(PostgresOptions.SHARDS).get(0))
                        .with(PostgresOptions.MIGRATE_ON_OPEN, "false");
        try (ShardedStore one = ShardedStore.open(oneShard)) {
            one.upsert(documents(single, 40, 1, 0));
            assertThat(one.countDocuments(0, single)).isEqualTo(40);
            for (String q : QUERIES) {
                List<ChunkHit> onOne =
                        one.keywordSearch(single, q, 50, Map.of(), Bm25Settings.fromConfig(config));
                List<ChunkHit> onTwo =
                        store.keywordSearch(
                                spread, q, 50, Map.of(), Bm25Settings.fromConfig(config));
                assertThat(onTwo).as(q).isNotEmpty().isEqualTo(onOne);
            }
        }
    }

    @Test
    void one_tenants_documents_never_change_another_tenants_idf() {
        String mine = tenant("bm25-mine");
        store.upsert(documents(mine, 20, 1, 0));
        Map<String, List<ChunkHit>> before = new java.util.HashMap<>();
        for (String q : QUERIES) {
            before.put(
                    q, store.keywordSearch(mine, q, 20, Map.of(), Bm25Settings.fromConfig(config)));
        }

        // another tenant fills the same shards with the query words, which would lower their IDF
        String noisy = tenant("bm25-noisy");
        List<IndexedDocument> noise = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            noise.add(document(noisy, "n" + i, 1, String.join(" ", QUERIES) + " noise " + i));
        }
        store.upsert(noise);

        for (String q : QUERIES) {
            assertThat(store.keywordSearch(mine, q, 20, Map.of(), Bm25Settings.fromConfig(config)))
                    .as(q)
                    .isEqualTo(before.get(q));
        }
    }

    @Test
    void removing_a_tenant_removes_its_statistics() throws Exception {
        String gone = tenant("bm25-gone");
        store.upsert(documents(gone, 10, 1, 0));
        store.deleteTenant(gone);
        for (int s = 0; s < store.shardCount(); s++) {
            try (Connection c = store.dataSource(s).getConnection();
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT (SELECT count(*) FROM bm25_terms WHERE tenant = ?)"
                                            + " + (SELECT count(*) FROM bm25_tenants WHERE tenant = ?)")) {
                st.setString(1, gone);
                st.setString(2, gone);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("shard %d", s).isZero();
                }
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static void assertExact(String tenant) throws Exception {
        for (int s = 0; s < store.shardCount(); s++) {
            try (Connection c = store.dataSource(s).getConnection()) {
                assertThat(Bm25Audit.differences(c, tenant)).as("shard %d", s).isEmpty();
            }
        }
    }

    /** Same global statistics for every query: chunk count, length and document frequencies. */
    private static void assertSameStatistics(String a, String b) {
        for (String q : QUERIES) {
            assertThat(global(a, q)).as(q).isEqualTo(global(b, q));
        }
    }

    private static Bm25Statistics global(String tenant, String query) {
        List<Bm25Statistics> shards = new ArrayList<>();
        for (int s = 0; s < store.shardCount(); s++) {
            shards.add(store.keywordStatistics(s, tenant, query));
        }
        return Bm25Statistics.sum(shards);
    }

    /** Documents doc-0 .. doc-(n-1), texts from {@code seed}, one to three chunks each. */
    static List<IndexedDocument> documents(String tenant, int n, long version, int seed) {
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Random random = new Random(seed * 1000L + i);
            int chunks = 1 + random.nextInt(3);
            List<String> texts = new ArrayList<>();
            for (int c = 0; c < chunks; c++) {
                StringBuilder text = new StringBuilder();
                int words = 5 + random.nextInt(60);
                for (int w = 0; w < words; w++) {
                    text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
                }
                texts.add(text.toString().trim());
            }
            docs.add(document(tenant, "doc-" + i, version, texts.toArray(String[]::new)));
        }
        return docs;
    }

    static IndexedDocument document(String tenant, String id, long version, String... texts) {
        List<ChunkRow> chunks = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            float[] v = new float[ShardedStoreITCase.DIM];
            v[i] = 1;
            chunks.add(new ChunkRow(i, texts[i], 0, texts[i].length(), v));
        }
        return new IndexedDocument(
                tenant, id, version, "hash", "Study " + id, Map.of(), "test-model", chunks);
    }
}
