package io.kbstream.benchmark.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kbstream.benchmark.pipeline.IndexingBenchmark;
import io.kbstream.benchmark.report.ProcStats;
import io.kbstream.client.ApiClient;
import io.kbstream.client.ApiException;
import io.kbstream.client.SearchMode;
import io.kbstream.client.SearchQuery;
import io.kbstream.core.models.ModelMigrations;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.TenantModels;
import io.kbstream.stack.LocalReembed;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tenant's move to another embedding model, measured (issue 20): its retrieval quality through
 * the search API before and after, the re-embed's wall time (the same {@link LocalReembed} path as
 * {@code kb reembed}), and the disk each model's vectors take on the shards.
 */
public final class ModelSwitch {

    private final ShardedStore store;
    private final LocalReembed reembed;
    private final PrintStream out;

    public ModelSwitch(ShardedStore store, LocalReembed reembed, PrintStream out) {
        this.store = store;
        this.reembed = reembed;
        this.out = out;
    }

    /**
     * Brings {@code tenant} to searching with {@code from} alone, with the same steps an operator
     * takes: an empty tenant gets {@code from} as its first model; one left switched to another
     * model by an earlier run switches back and drops that model's vectors (its chunks stay, so the
     * corpus is not uploaded again); a migration left half-way is cancelled.
     */
    public void prepare(String tenant, String from) {
        ModelMigrations m = reembed.migrations();
        TenantModels now = m.models(tenant);
        if (now.target() != null) {
            out.printf("prepare   %s: cancelling the migration to %s%n", tenant, now.target());
            now = m.cancel(tenant);
        }
        if (!now.active().equals(from) && from.equals(now.previous())) {
            out.printf("prepare   %s: switching back from %s to %s%n", tenant, now.active(), from);
            now = m.switchBack(tenant);
        }
        if (now.active().equals(from) && now.previous() != null) {
            out.printf("prepare   %s: dropping the vectors of %s%n", tenant, now.previous());
            m.dropPrevious(tenant);
        }
        m.assign(tenant, from);
    }

    /**
     * Scores {@code modes} through the API with {@code from}, re-embeds with {@code to} and
     * switches, measures the disk of both models' vectors, and scores again. The tenant must hold
     * the corpus already ({@link #prepare}, then {@link Evaluation#index}).
     *
     * @param command the command line that ran this, for the results file
     */
    public Result measure(
            String command,
            BeirDataset data,
            ApiClient api,
            Evaluation eval,
            String tenant,
            String from,
            String to,
            List<String> modes,
            int k)
            throws Exception {
        Map<String, Object> machine = new LinkedHashMap<>(IndexingBenchmark.machine());
        machine.put("loadAverageBefore", ProcStats.loadAverage());
        Phase before = phase("before", data, api, eval, tenant, from, modes, k);
        out.printf("reembed   %s: %s → %s (kb reembed's path)%n", tenant, from, to);
        Reembedded reembedded = reembed(tenant, to);
        out.printf(
                Locale.ROOT,
                "reembed   %d vectors in %.1f s: %.1f chunks/s%n",
                reembedded.vectorsWritten(),
                reembedded.seconds(),
                reembedded.chunksPerSecond());
        List<ModelDisk> disk = disk(List.of(from, to));
        Phase after = phase("after", data, api, eval, tenant, to, modes, k);
        machine.put("loadAverageAfter", ProcStats.loadAverage());
        return new Result(
                command, data, tenant, from, to, k, before, reembedded, disk, after, machine);
    }

    private Phase phase(
            String name,
            BeirDataset data,
            ApiClient api,
            Evaluation eval,
            String tenant,
            String expected,
            List<String> modes,
            int k)
            throws Exception {
        String active = api.activeModel();
        if (!active.equals(expected)) {
            throw new IllegalStateException(
                    "the API says tenant "
                            + tenant
                            + " searches with "
                            + active
                            + ", not "
                            + expected);
        }
        try {
            // the API loads a model on its first query: not a cost of the queries scored below
            api.search(SearchQuery.of("warm up").mode(SearchMode.VECTOR).k(1));
        } catch (ApiException e) {
            out.println("warm-up   refused (" + e.getMessage() + "); the scored queries retry");
        }
        EvalReport report =
                new EvalReport(data.name(), data.split(), tenant, data.corpus().size(), k);
        for (String mode : modes) {
            out.printf("search    %s, %s: %d queries%n", name, mode, data.queries().size());
            report.add(eval.search(mode, k).row(active));
        }
        out.print(report.table());
        return new Phase(active, report);
    }

    /**
     * @param chunks the tenant's chunks
     * @param vectorsWritten target vectors that appeared during the run (the job's writes)
     * @param seconds wall time of the whole {@code kb reembed} path: the wait for writers to see
     *     the migration, each job run on a local MiniCluster (start included), and the switch
     */
    public record Reembedded(long chunks, long vectorsWritten, double seconds) {
        public double chunksPerSecond() {
            return vectorsWritten / seconds;
        }
    }

    /** Re-embeds {@code tenant} with {@code to} and switches its searches to it. */
    public Reembedded reembed(String tenant, String to) throws Exception {
        long before = reembed.migrations().status(tenant).vectors().getOrDefault(to, 0L);
        long start = System.nanoTime();
        ModelMigrations.Status done = reembed.run(tenant, to, true, this::progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println();
        long after = done.vectors().getOrDefault(to, 0L);
        return new Reembedded(done.chunks(), after - before, seconds);
    }

    private long lastProgress;

    private void progress(ModelMigrations.Status s) {
        long now = System.nanoTime();
        if (s.migrating() && now - lastProgress > 10_000_000_000L) {
            lastProgress = now;
            out.printf(
                    "reembed   %d/%d chunks with %s%n",
                    s.chunks() - s.missing(), s.chunks(), s.models().target());
        }
    }

    /**
     * One model's vector table on all shards together (every tenant's rows).
     *
     * @param totalBytes {@code pg_total_relation_size}: heap, TOAST, primary key and HNSW index
     * @param hnswBytes the HNSW index alone
     */
    public record ModelDisk(
            String model, String table, long rows, long totalBytes, long hnswBytes) {

        public double bytesPerChunk() {
            return rows == 0 ? 0 : (double) totalBytes / rows;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("table", table);
            m.put("rows", rows);
            m.put("totalBytes", totalBytes);
            m.put("hnswBytes", hnswBytes);
            m.put("bytesPerChunk", Math.round(bytesPerChunk()));
            m.put("gbPerMillionChunks", round(bytesPerChunk() * 1e6 / 1e9, 2));
            return m;
        }
    }

    /** The vector table and HNSW index of each model, summed over the shards' primaries. */
    public List<ModelDisk> disk(List<String> models) throws SQLException {
        List<ModelDisk> disks = new ArrayList<>();
        for (String model : models) {
            String table = null;
            long rows = 0;
            long total = 0;
            long hnsw = 0;
            for (int s = 0; s < store.shardCount(); s++) {
                try (Connection c = store.dataSource(s).getConnection();
                        PreparedStatement st =
                                c.prepareStatement(
                                        "SELECT vectors FROM embedding_models WHERE model = ?")) {
                    st.setString(1, model);
                    try (ResultSet rs = st.executeQuery()) {
                        if (!rs.next()) {
                            continue;
                        }
                        table = rs.getString(1);
                    }
                    // the name comes from the shard's own registry (kb_model_vectors), not a user
                    try (PreparedStatement size =
                                    c.prepareStatement(
                                            "SELECT (SELECT count(*) FROM "
                                                    + table
                                                    + "), pg_total_relation_size(?::regclass),"
                                                    + " pg_relation_size(?::regclass)");
                            ResultSet rs = bind(size, table, table + "_hnsw").executeQuery()) {
                        rs.next();
                        rows += rs.getLong(1);
                        total += rs.getLong(2);
                        hnsw += rs.getLong(3);
                    }
                }
            }
            disks.add(new ModelDisk(model, table, rows, total, hnsw));
        }
        return disks;
    }

    private static PreparedStatement bind(PreparedStatement st, String a, String b)
            throws SQLException {
        st.setString(1, a);
        st.setString(2, b);
        return st;
    }

    /** The retrieval scores of one phase (before or after the switch), per mode. */
    public record Phase(String activeModel, EvalReport report) {}

    /** Everything one run measured, written as JSON and Markdown. */
    public record Result(
            String command,
            BeirDataset data,
            String tenant,
            String from,
            String to,
            int k,
            Phase before,
            Reembedded reembedded,
            List<ModelDisk> disk,
            Phase after,
            Map<String, Object> machine) {

        public Map<String, Object> json() {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("command", command);
            root.put("dataset", data.name());
            root.put("split", data.split());
            root.put("tenant", tenant);
            root.put("documents", data.corpus().size());
            root.put("k", k);
            root.put("from", from);
            root.put("to", to);
            Map<String, Object> ndcg = new LinkedHashMap<>();
            ndcg.put("before", ndcg(before));
            ndcg.put("after", ndcg(after));
            root.put("ndcg@10", ndcg);
            root.put("before", phaseJson(before));
            root.put("after", phaseJson(after));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("chunks", reembedded.chunks());
            r.put("vectorsWritten", reembedded.vectorsWritten());
            r.put("seconds", round(reembedded.seconds(), 1));
            r.put("chunksPerSecond", round(reembedded.chunksPerSecond(), 1));
            r.put(
                    "includes",
                    "the whole kb reembed path (LocalReembed.run): the wait for writers to see the"
                            + " migration, each ReembedJob run on a local MiniCluster with its"
                            + " start, and the switch");
            root.put("reembed", r);
            List<Map<String, Object>> d = new ArrayList<>();
            disk.forEach(m -> d.add(m.json()));
            root.put("disk", d);
            root.put("machine", machine);
            root.put("notes", NOTES);
            return root;
        }

        private static Map<String, Object> ndcg(Phase phase) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (EvalReport.Row row : phase.report().rows()) {
                m.put(row.mode(), round(row.metrics().ndcg10(), 4));
            }
            return m;
        }

        private static Map<String, Object> phaseJson(Phase phase) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("activeModelByApi", phase.activeModel());
            m.put("results", phase.report().json().get("results"));
            return m;
        }

        public String markdown() {
            StringBuilder md = new StringBuilder();
            md.append("# Model switch: ")
                    .append(from)
                    .append(" → ")
                    .append(to)
                    .append("\n\nCommand: `")
                    .append(command)
                    .append("`. Tenant `")
                    .append(tenant)
                    .append("`, ")
                    .append(data.name())
                    .append(' ')
                    .append(data.split())
                    .append(", scored through `POST /v1/search`.\n\n");
            md.append("## Before (API: active model ")
                    .append(before.activeModel())
                    .append(")\n\n")
                    .append(before.report().table())
                    .append("\n## After (API: active model ")
                    .append(after.activeModel())
                    .append(")\n\n")
                    .append(after.report().table());
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%n## Re-embed%n%n%d chunks, %d vectors of %s written in %.1f s:"
                                    + " %.1f chunks/s (the whole kb reembed path, MiniCluster start"
                                    + " and switch included).%n",
                            reembedded.chunks(),
                            reembedded.vectorsWritten(),
                            to,
                            reembedded.seconds(),
                            reembedded.chunksPerSecond()));
            md.append(
                    "\n## Disk (vector table + primary key + HNSW index, all shards)\n\n"
                            + "| model | rows | total MB | HNSW MB | bytes/chunk | GB per million"
                            + " chunks |\n|---|---|---|---|---|---|\n");
            for (ModelDisk m : disk) {
                md.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %d | %.1f | %.1f | %.0f | %.2f |%n",
                                m.model(),
                                m.rows(),
                                m.totalBytes() / 1e6,
                                m.hnswBytes() / 1e6,
                                m.bytesPerChunk(),
                                m.bytesPerChunk() * 1e6 / 1e9));
            }
            md.append("\n## Machine\n\n");
            machine.forEach(
                    (key, v) -> md.append("- ").append(key).append(": ").append(v).append('\n'));
            md.append("\n## Notes\n\n");
            NOTES.forEach(n -> md.append("- ").append(n).append('\n'));
            return md.toString();
        }

        /** Writes {@code json} and a Markdown twin beside it ({@code .md}). */
        public Path write(Path json) throws IOException {
            Files.createDirectories(json.toAbsolutePath().getParent());
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(json.toFile(), json());
            Path md =
                    json.resolveSibling(
                            json.getFileName().toString().replaceFirst("\\.json$", "") + ".md");
            Files.writeString(md, markdown());
            return md;
        }
    }

    static final List<String> NOTES =
            List.of(
                    "nDCG@10 and the other scores do not depend on how busy the machine is; the"
                            + " re-embed time and chunks/s do: the load averages above include"
                            + " this run's own stack, pipeline and API on the same 2 cores; run it"
                            + " with nothing else on the machine for a figure to compare.",
                    "Disk is pg_total_relation_size of each model's vector table (heap, TOAST,"
                            + " primary key, HNSW index) summed over the shards' primaries, divided"
                            + " by the table's rows (all tenants) and scaled to a million; the"
                            + " chunks' texts, lexemes and BM25 postings are shared by both models"
                            + " and not counted. The old model's table was filled by the indexing"
                            + " job, the new one's by the re-embed job; until kb reembed drop-old"
                            + " both are kept.",
                    "Keyword search does not use vectors: its scores before and after should be"
                            + " equal, a check that the corpus did not change between the phases.");

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
