package io.kbstream.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.store.internal.PgShardedStore;
import io.kbstream.core.testing.StoreTenants;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.lucene.analysis.core.WhitespaceAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tests for keyword ranking ({@link ShardedStore#keywordSearch}): its BM25 scores against an
 * independent implementation, Lucene's {@link BM25Similarity} over a whitespace-analyzed copy of
 * the same lexemes; and its bounded-cost top-k against exhaustive BM25 on a fixed corpus.
 */
class KeywordRankingITCase {

    private static final String[] ENGLISH = {
        "Vitamin",
        "D",
        "deficiency",
        "raises",
        "the",
        "risk",
        "of",
        "fractures",
        "in",
        "older",
        "adults",
        "and",
        "children",
        "Immune",
        "responses",
        "to",
        "tumours",
        "grow",
        "growing",
        "with",
        "age",
        "cells",
        "cell",
        "signalling",
        "pathways",
        "were",
        "studied",
        "mice",
        "mouse",
        "randomised",
        "clinical",
        "trials",
        "trial",
        "showed",
        "reduced",
        "mortality",
        "is",
        "a"
    };

    // exhaustive BM25 references are slow by design: what is checked is the answer, not the time
    @RegisterExtension
    static final StoreTenants STORE = new StoreTenants(java.time.Duration.ofSeconds(30));

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
    void scores_equal_lucenes_bm25_over_the_same_lexemes() throws Exception {
        String tenant = tenant("bm25-lucene");
        Random random = new Random(5);
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            // lengths from 2 to 400 words: exact and rounded Lucene norms both occur
            int words = 2 + (int) Math.pow(random.nextDouble(), 2) * 400;
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < words; w++) {
                text.append(ENGLISH[random.nextInt(ENGLISH.length)]).append(' ');
            }
            docs.add(Bm25StatisticsITCase.document(tenant, "d" + i, 1, text.toString().trim()));
        }
        store.upsert(docs);

        List<String> queries =
                List.of(
                        "Does vitamin D deficiency raise fracture risk?",
                        "immune response immune response of tumour cells", // repeated terms
                        "growing mice",
                        "randomised trials of mortality in children and adults",
                        "the a of", // stop words only: no term
                        "cell signalling pathway");
        for (double[] kb : new double[][] {{1.2, 0.75}, {0.9, 0.4}, {2.0, 1.0}}) {
            Bm25Settings settings = new Bm25Settings(kb[0], kb[1], 4, 64);
            Map<String, Float> lucene;
            try (LuceneReference reference = new LuceneReference(tenant, kb[0], kb[1])) {
                for (String q : queries) {
                    lucene = reference.scores(q);
                    List<ChunkHit> hits =
                            store.keywordSearch(tenant, q, 100, Map.of(), settings.exhaustive());
                    Map<String, Double> ours = new TreeMap<>();
                    hits.forEach(h -> ours.put(h.docId() + "#" + h.chunkNo(), h.score()));

                    assertThat(ours.keySet())
                            .as("%s k1=%s b=%s", q, kb[0], kb[1])
                            .isEqualTo(lucene.keySet());
                    for (Map.Entry<String, Float> e : lucene.entrySet()) {
                        assertThat(ours.get(e.getKey()))
                                .as("%s: %s", q, e.getKey())
                                .isCloseTo(e.getValue(), within(1e-5 * e.getValue()));
                    }
                }
            }
        }
    }

    @Test
    void bounded_cost_top_k_equals_exhaustive_bm25_on_a_fixed_corpus() {
        String tenant = tenant("bm25-bounded");
        Random random = new Random(2026);
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            List<String> texts = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                StringBuilder text = new StringBuilder();
                int words = 10 + random.nextInt(150);
                for (int w = 0; w < words; w++) {
                    // Zipf-like: a few words in most chunks, most words in a few
                    text.append('w').append((int) Math.pow(500, random.nextDouble())).append(' ');
                }
                texts.add(text.toString().trim());
            }
            docs.add(
                    Bm25StatisticsITCase.document(
                            tenant, "f" + i, 1, texts.toArray(String[]::new)));
        }
        store.upsert(docs);

        Bm25Settings bounded = new Bm25Settings(1.2, 0.75, 16, 256);
        int answers = 0;
        int exact = 0;
        for (int q = 0; q < 40; q++) {
            StringBuilder query = new StringBuilder();
            int terms = 1 + random.nextInt(6);
            for (int t = 0; t < terms; t++) {
                query.append('w').append((int) Math.pow(500, random.nextDouble())).append(' ');
            }
            int k = 1 + random.nextInt(30);
            List<Bm25Statistics> statistics = new ArrayList<>();
            for (int s = 0; s < store.shardCount(); s++) {
                statistics.add(store.keywordStatistics(s, tenant, query.toString()));
            }
            Bm25Query weighted = Bm25Query.of(Bm25Statistics.sum(statistics), bounded);
            for (int s = 0; s < store.shardCount(); s++) {
                KeywordResult cheap = store.keywordSearch(s, tenant, weighted, k, Map.of());
                KeywordResult full =
                        store.keywordSearch(
                                s, tenant, weighted.with(bounded.exhaustive()), k, Map.of());
                answers++;
                assertThat(full.exact()).isTrue();
                if (cheap.exact()) {
                    exact++;
                    assertThat(cheap.hits())
                            .as("query %s on shard %d", query, s)
                            .isEqualTo(full.hits());
                }
                // reads per term: at most 16 + 64 + 256 first postings, and one lookup per
                // candidate and other term
                long perTerm = 16 + 64 + 256;
                assertThat(cheap.postingsRead())
                        .isLessThanOrEqualTo(weighted.terms().size() * perTerm * (1 + terms));
            }
        }
        assertThat(exact).as("answers proven exact of %d", answers).isGreaterThan(answers * 3 / 4);

        // a word in nearly every chunk: the exhaustive search reads all of its postings, the
        // bounded one a few rounds' worth and proves its top 5 from them
        String common = "w1";
        List<Bm25Statistics> statistics = new ArrayList<>();
        for (int s = 0; s < store.shardCount(); s++) {
            statistics.add(store.keywordStatistics(s, tenant, common));
        }
        Bm25Query weighted = Bm25Query.of(Bm25Statistics.sum(statistics), bounded);
        KeywordResult cheap = store.keywordSearch(0, tenant, weighted, 5, Map.of());
        KeywordResult full =
                store.keywordSearch(0, tenant, weighted.with(bounded.exhaustive()), 5, Map.of());
        assertThat(full.postingsRead()).isGreaterThan(600);
        assertThat(cheap.postingsRead()).isLessThanOrEqualTo(16 + 64 + 256);
        assertThat(cheap.exact()).isTrue();
        assertThat(cheap.hits()).isEqualTo(full.hits());
    }

    /** Lucene over a whitespace-analyzed copy of the tenant's chunk lexemes, from every shard. */
    private static final class LuceneReference implements AutoCloseable {
        private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
        private final DirectoryReader reader;
        private final IndexSearcher searcher;

        LuceneReference(String tenant, double k1, double b) throws Exception {
            BM25Similarity similarity = new BM25Similarity((float) k1, (float) b);
            IndexWriterConfig iwc = new IndexWriterConfig(new WhitespaceAnalyzer());
            iwc.setSimilarity(similarity);
            try (IndexWriter writer = new IndexWriter(directory, iwc)) {
                for (int s = 0; s < store.shardCount(); s++) {
                    try (Connection c = store.dataSource(s).getConnection();
                            PreparedStatement st =
                                    c.prepareStatement(
                                            "SELECT c.doc_id, c.chunk_no, l.lexeme,"
                                                    + " cardinality(l.positions)"
                                                    + " FROM chunks c, unnest(c.lexemes) l"
                                                    + " WHERE c.tenant = ?")) {
                        st.setString(1, tenant);
                        Map<String, StringBuilder> copies = new HashMap<>();
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                StringBuilder copy =
                                        copies.computeIfAbsent(
                                                rs.getString(1) + "#" + rs.getInt(2),
                                                key -> new StringBuilder());
                                for (int i = 0; i < rs.getInt(4); i++) {
                                    copy.append(rs.getString(3)).append(' ');
                                }
                            }
                        }
                        for (Map.Entry<String, StringBuilder> e : copies.entrySet()) {
                            Document doc = new Document();
                            doc.add(new StringField("key", e.getKey(), Field.Store.YES));
                            doc.add(new TextField("body", e.getValue().toString(), Field.Store.NO));
                            writer.addDocument(doc);
                        }
                    }
                }
            }
            reader = DirectoryReader.open(directory);
            searcher = new IndexSearcher(reader);
            searcher.setSimilarity(similarity);
        }

        /** chunk key → Lucene's score, for every chunk matching any query lexeme. */
        Map<String, Float> scores(String query) throws Exception {
            BooleanQuery.Builder bool = new BooleanQuery.Builder();
            int clauses = 0;
            try (Connection c = store.dataSource(0).getConnection();
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT lexeme, cardinality(positions)"
                                            + " FROM unnest(to_tsvector('english', ?))")) {
                st.setString(1, query);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        bool.add(
                                new BoostQuery(
                                        new TermQuery(new Term("body", rs.getString(1))),
                                        rs.getInt(2)),
                                BooleanClause.Occur.SHOULD);
                        clauses++;
                    }
                }
            }
            Map<String, Float> out = new TreeMap<>();
            if (clauses == 0) {
                return out;
            }
            for (ScoreDoc hit : searcher.search(bool.build(), 10_000).scoreDocs) {
                out.put(searcher.storedFields().document(hit.doc).get("key"), hit.score);
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            reader.close();
            directory.close();
        }
    }
}
