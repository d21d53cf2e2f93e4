package io.kbstream.benchmark.scale;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.benchmark.eval.SciFact;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tests for the scale probe's bulk path ({@link ChunkCopier#loadWithoutBm25}, {@link
 * ScaleBenchmark#recountBm25}): the same synthetic chunks loaded through migration 009's triggers
 * and through the bulk path, in two scratch databases on the local stack, give the same BM25
 * statistics and postings.
 */
class Bm25BulkLoadITCase {

    private static final List<String> TABLES =
            List.of(
                    "SELECT tenant, chunk_count, total_length FROM bm25_tenants ORDER BY 1",
                    "SELECT tenant, term, df FROM bm25_terms ORDER BY 1, 2",
                    // term ids differ between the two loads: postings compared by chunk and term
                    "SELECT c.tenant, c.doc_id, c.chunk_no, t.term, p.tf, p.length, p.impact"
                            + " FROM bm25_postings p JOIN chunks c ON c.id = p.chunk_id"
                            + " JOIN bm25_terms t ON t.id = p.term_id ORDER BY 1, 2, 3, 4");

    @Test
    void bulk_load_gives_the_statistics_and_postings_the_triggers_give() throws Exception {
        KbConfig config = KbConfig.load();
        SyntheticCorpus corpus =
                SyntheticCorpus.fromBeir(SciFact.locate(config).resolve("corpus.jsonl"));
        String shard0 = config.get(PostgresOptions.SHARDS).get(0);

        List<List<String>> triggered =
                load(config, shard0, corpus, "kb_scale_test_triggers", false);
        List<List<String>> bulk = load(config, shard0, corpus, "kb_scale_test_bulk", true);

        assertThat(triggered.get(0)).as("two tenants counted").hasSize(2);
        assertThat(triggered.get(2).size()).as("postings").isGreaterThan(3_000 * 20);
        for (int table = 0; table < TABLES.size(); table++) {
            List<String> a = triggered.get(table);
            List<String> b = bulk.get(table);
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                // the first difference, not 200,000 rows in a message
                assertThat(b.get(i)).as(TABLES.get(table) + ", row " + i).isEqualTo(a.get(i));
            }
            assertThat(b).as(TABLES.get(table)).hasSameSizeAs(a);
        }
    }

    /**
     * A small tenant through the triggers, then a large one in two steps, as the benchmark grows it
     * (bulk: postings' indexes dropped, the insert trigger off, recounted, indexes rebuilt).
     */
    private static List<List<String>> load(
            KbConfig config, String shard0, SyntheticCorpus corpus, String database, boolean bulk)
            throws Exception {
        String vectorTable = ScaleBenchmark.recreateDatabase(config, shard0, database);
        ChunkCopier copier = new ChunkCopier(corpus, 384, vectorTable);
        Random random = new Random(7);
        String url = shard0.substring(0, shard0.lastIndexOf('/') + 1) + database;
        try (Connection c =
                DriverManager.getConnection(
                        url,
                        config.get(PostgresOptions.USER),
                        config.get(PostgresOptions.PASSWORD))) {
            copier.load(c, "small", 0, 500, random);
            long docs = 0;
            for (long step : List.of(1_000L, 1_500L)) {
                if (bulk) {
                    ScaleBenchmark.dropPostingIndexes(c);
                    docs += copier.loadWithoutBm25(c, "large", docs, step, random);
                    ScaleBenchmark.recountBm25(c);
                    ScaleBenchmark.buildPostingIndexes(c, "256MB", 1);
                } else {
                    docs += copier.load(c, "large", docs, step, random);
                }
            }
            List<List<String>> out = new ArrayList<>();
            for (String query : TABLES) {
                out.add(rows(c, query));
            }
            return out;
        } finally {
            ScaleBenchmark.dropDatabase(config, shard0, database);
        }
    }

    private static List<String> rows(Connection c, String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(rs.getString(i)).append('|');
                }
                out.add(row.toString());
            }
        }
        return out;
    }
}
