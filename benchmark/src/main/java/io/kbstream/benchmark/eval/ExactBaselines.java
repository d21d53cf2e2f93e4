package io.kbstream.benchmark.eval;

import com.pgvector.PGvector;
import io.kbstream.core.chunk.Chunk;
import io.kbstream.core.chunk.Chunker;
import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.EmbedderSpec;
import io.kbstream.core.embed.Embedders;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exact (brute-force) vector baselines, computed beside the system to measure what approximate
 * search loses. Not a search path of the product.
 */
public final class ExactBaselines {

    private ExactBaselines() {}

    /**
     * Exact cosine k-NN over the very chunks the pipeline stored for {@code tenant}: every shard
     * with the HNSW index disabled ({@code enable_indexscan = off}, so the tenant's rows are
     * scanned and sorted by distance), the best chunk per document, top {@code k} documents.
     * Compared with vector mode through the API, the difference is what HNSW and the per-shard
     * candidate cut lose.
     */
    public static Ranking shardsExact(KbConfig config, String tenant, BeirDataset data, int k)
            throws SQLException {
        Embedder embedder = Embedders.shared(config);
        List<String> ids = new ArrayList<>(data.queries().keySet());
        List<String> texts =
                ids.stream().map(q -> embedder.queryText(data.queries().get(q))).toList();
        float[][] vectors = embedder.embed(texts);
        List<Connection> shards = new ArrayList<>();
        try {
            for (String url : config.get(PostgresOptions.SHARDS)) {
                Connection c =
                        DriverManager.getConnection(
                                url,
                                config.get(PostgresOptions.USER),
                                config.get(PostgresOptions.PASSWORD));
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute("SET enable_indexscan = off"); // session-wide: no HNSW
                    s.execute("SET jit = off");
                }
                shards.add(c);
            }
            Ranking run = new Ranking();
            // the vectors of the model the queries are embedded with (one table per model)
            List<String> sqls = new ArrayList<>();
            for (Connection c : shards) {
                sqls.add(
                        "SELECT c.doc_id, 1 - (v.embedding <=> ?) AS score FROM "
                                + vectorTable(c, embedder.modelInfo().name())
                                + " v JOIN chunks c ON c.tenant = v.tenant AND c.id = v.chunk_id"
                                + " WHERE v.tenant = ? ORDER BY v.embedding <=> ? LIMIT ?");
            }
            for (int i = 0; i < ids.size(); i++) {
                Map<String, Double> best = new HashMap<>();
                for (int s = 0; s < shards.size(); s++) {
                    Connection c = shards.get(s);
                    try (PreparedStatement st = c.prepareStatement(sqls.get(s))) {
                        PGvector v = new PGvector(vectors[i]);
                        st.setObject(1, v);
                        st.setString(2, tenant);
                        st.setObject(3, v);
                        st.setInt(4, k * 3);
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                best.merge(rs.getString(1), rs.getDouble(2), Math::max);
                            }
                        }
                    }
                    c.commit();
                }
                run.put(ids.get(i), top(best, k));
            }
            return run;
        } finally {
            for (Connection c : shards) {
                c.close();
            }
        }
    }

    /** The model's vector table on a shard (migration 011); refuses a model with none there. */
    private static String vectorTable(Connection c, String model) throws SQLException {
        try (PreparedStatement st =
                c.prepareStatement("SELECT vectors FROM embedding_models WHERE model = ?")) {
            st.setString(1, model);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next() || !rs.getString(1).matches("vectors_[a-z0-9_]+")) {
                    throw new SQLException("the shard has no vectors of model " + model);
                }
                return rs.getString(1);
            }
        }
    }

    /**
     * Exact cosine k-NN with another embedding model, embedder only (no pipeline, no shards): the
     * corpus is chunked as the pipeline would (the model's tokenizer, {@code kb.chunk.*}), every
     * chunk embedded in memory, each query compared with every chunk; best chunk per document. Used
     * where the shards cannot hold a second model (they record one model each).
     */
    public static Ranking embedderOnly(
            KbConfig config, String model, BeirDataset data, int k, PrintStream out) {
        KbConfig withModel = config.with(EmbeddingOptions.MODEL, model);
        Embedder embedder = Embedders.shared(EmbedderSpec.from(withModel));
        Chunker chunker = Chunker.forConfig(withModel);
        List<String> chunkDoc = new ArrayList<>();
        List<String> chunkText = new ArrayList<>();
        for (BeirDataset.Doc doc : data.corpus().values()) {
            for (Chunk chunk : chunker.chunk(doc.indexedText())) {
                chunkDoc.add(doc.id());
                chunkText.add(chunk.text());
            }
        }
        float[][] chunks = new float[chunkText.size()][];
        long start = System.nanoTime();
        int batch = 256;
        for (int from = 0; from < chunkText.size(); from += batch) {
            int to = Math.min(chunkText.size(), from + batch);
            float[][] part = embedder.embed(chunkText.subList(from, to));
            System.arraycopy(part, 0, chunks, from, part.length);
            double s = (System.nanoTime() - start) / 1e9;
            out.printf(
                    Locale.ROOT,
                    "\rembed     %s: %d/%d chunks, %.1f chunks/s",
                    model,
                    to,
                    chunkText.size(),
                    to / s);
            out.flush();
        }
        out.println();
        List<String> ids = new ArrayList<>(data.queries().keySet());
        float[][] queries =
                embedder.embed(
                        ids.stream().map(q -> embedder.queryText(data.queries().get(q))).toList());
        Ranking run = new Ranking();
        for (int q = 0; q < ids.size(); q++) {
            Map<String, Double> best = new HashMap<>();
            for (int c = 0; c < chunks.length; c++) {
                double dot = 0;
                for (int d = 0; d < chunks[c].length; d++) {
                    dot += queries[q][d] * chunks[c][d]; // unit vectors: dot = cosine
                }
                best.merge(chunkDoc.get(c), dot, Math::max);
            }
            run.put(ids.get(q), top(best, k));
        }
        return run;
    }

    private static List<Ranking.Hit> top(Map<String, Double> best, int k) {
        return best.entrySet().stream()
                .sorted(
                        Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
                                .thenComparing(Map.Entry.comparingByKey()))
                .limit(k)
                .map(e -> new Ranking.Hit(e.getKey(), e.getValue()))
                .toList();
    }
}
