package io.kbstream.benchmark.api;

import io.kbstream.api.ApiServer;
import io.kbstream.api.http.ApiKeys;
import io.kbstream.benchmark.eval.SciFact;
import io.kbstream.benchmark.load.LoadGenerator;
import io.kbstream.benchmark.load.LoadGenerator.Call;
import io.kbstream.benchmark.load.Phase;
import io.kbstream.benchmark.load.Target;
import io.kbstream.benchmark.load.Workload;
import io.kbstream.benchmark.report.ProcStats;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.PostgresOptions.ReadFrom;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ShardedStore;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.JedisPooled;

/**
 * Uncached search throughput with searches read from the shards' replicas against the primaries
 * (issue 19), measured in one run while the pipeline indexes a bulk import into the same shards.
 *
 * <p>Two API instances in this process differ only in {@code kb.store.read-from}. A tenant is
 * seeded straight into the shards; then 1,000 SciFact abstracts are uploaded to another tenant, so
 * the running pipeline writes to the primaries throughout. Each instance then serves closed-loop
 * searches that no cache holds (a per-run word in every query) in turns A, B, B, A per search mode,
 * so a drift of the machine or of the import hits both sides alike. Every answer must be complete
 * ({@code partial: false}).
 *
 * <p>Run (stack up with replicas, the default): {@code ./kb bench replicas}; writes {@code
 * benchmark/results/replicas.json}.
 */
public final class ReplicaReadBenchmark {

    static final int IMPORT_DOCS = 1_000;
    static final int CLIENTS = 4;
    static final List<String> MODES = List.of("hybrid", "keyword");

    public static void main(String[] args) throws Exception {
        Duration step = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 15);
        Path out =
                args.length > 1
                        ? Path.of(args[1])
                        : KbConfig.home().resolve("benchmark/results/replicas.json");
        KbConfig base = KbConfig.load();
        if (base.get(PostgresOptions.REPLICAS).isEmpty()) {
            throw new IllegalStateException(
                    "no replicas configured (kb.postgres.replicas); the local stack makes"
                            + " kb.stack.postgres.replicas-per-shard of them: ./kb stack up");
        }
        String run = UUID.randomUUID().toString().substring(0, 8);
        String tenant = "bench-" + run;
        String importTenant = tenant + "-import";
        String key = ApiKeys.mint();
        String importKey = ApiKeys.mint();
        KbConfig config =
                ApiLoadBenchmark.benchConfig(base, Map.of(tenant, key, importTenant, importKey));
        Workload scifact = Workload.load(SciFact.locate(config), 10, IMPORT_DOCS);
        Random random = new Random(19);

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loadAverageBefore", ProcStats.loadAverage());
        try (ShardedStore store = ShardedStore.open(config);
                JedisPooled redis = RedisConnections.pooled(config);
                LoadGenerator load = new LoadGenerator(scifact, 1.0, run)) {
            ApiLoadBenchmark.seed(store, redis, Embedders.shared(config), tenant, random);
            Map<ReadFrom, ApiServer> servers = new LinkedHashMap<>();
            Map<ReadFrom, Target> targets = new LinkedHashMap<>();
            try {
                for (ReadFrom readFrom : ReadFrom.values()) {
                    ApiServer server =
                            ApiServer.create(
                                            config.with(
                                                    PostgresOptions.READ_FROM,
                                                    readFrom.name()
                                                            .toLowerCase()
                                                            .replace('_', '-')))
                                    .start(0);
                    servers.put(readFrom, server);
                    targets.put(
                            readFrom,
                            new Target(
                                    readFrom.name(),
                                    URI.create("http://127.0.0.1:" + server.port()),
                                    key,
                                    importKey));
                }
                // JIT, pools, embedder and replica health checks warm on both sides alike
                for (Target t : targets.values()) {
                    load.closedLoop(queries(random, run + "w", 40, "hybrid", t), 2, step, r -> {});
                }

                Target importVia = targets.get(ReadFrom.PRIMARY_ONLY);
                List<Call> uploads = new ArrayList<>();
                for (Workload.Doc doc : scifact.docs()) {
                    uploads.add(
                            new Call(
                                    "upload",
                                    LoadGenerator.upload(
                                            importVia, importKey, "import-" + doc.id(), doc)));
                }
                AtomicLong acked = new AtomicLong();
                Phase imported =
                        load.closedLoop(
                                uploads, 8, Duration.ofMinutes(2), r -> acked.incrementAndGet());
                // the phases start once the pipeline writes: a search phase during a pipeline that
                // is still starting would measure no ingest at all
                long indexedBefore = awaitDocuments(store, importTenant, 1, Duration.ofMinutes(3));
                if (indexedBefore == 0) {
                    // the pipeline is down, or busy with an older backlog: the phases would
                    // measure some other ingest than this import's (seen on a reused stack)
                    throw new IllegalStateException(
                            "the pipeline indexed none of the import within 3 minutes: start it"
                                    + " (./kb pipeline) on a stack with no backlog in kb.documents");
                }
                System.out.printf(
                        "import: %d of %d abstracts acknowledged, %d indexed so far%n",
                        acked.get(), uploads.size(), indexedBefore);

                List<Map<String, Object>> phases = new ArrayList<>();
                Map<String, Map<ReadFrom, double[]>> perMode = new LinkedHashMap<>();
                for (String mode : MODES) {
                    List<ReadFrom> order =
                            List.of(
                                    ReadFrom.REPLICAS_FIRST,
                                    ReadFrom.PRIMARY_ONLY,
                                    ReadFrom.PRIMARY_ONLY,
                                    ReadFrom.REPLICAS_FIRST);
                    for (ReadFrom readFrom : order) {
                        Target t = targets.get(readFrom);
                        AtomicLong partial = new AtomicLong();
                        long indexed0 = documents(store, importTenant);
                        long[] written0 = primaryWrites(store);
                        Map<String, Long> reads0 = shardReadsByNode(servers.get(readFrom));
                        Phase p =
                                load.closedLoop(
                                        queries(random, run + phases.size(), 20_000, mode, t),
                                        CLIENTS,
                                        step,
                                        r -> {
                                            if (r.body().contains("\"partial\":true")) {
                                                partial.incrementAndGet();
                                            }
                                        });
                        long indexedDuring = documents(store, importTenant) - indexed0;
                        long[] written = primaryWrites(store);
                        Map<String, Long> reads = shardReadsByNode(servers.get(readFrom));
                        reads.replaceAll((node, n) -> n - reads0.getOrDefault(node, 0L));
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("mode", mode);
                        m.put("readFrom", readFrom.name().toLowerCase().replace('_', '-'));
                        m.putAll(p.summary());
                        m.put("partialAnswers", partial.get());
                        m.put("importIndexedDuringPhase", indexedDuring);
                        // every tenant's writes, not only the import's: what the primaries
                        // really absorbed while this side searched
                        m.put("documentsWrittenOnPrimaries", written[0] - written0[0]);
                        m.put("chunksWrittenOnPrimaries", written[1] - written0[1]);
                        // on the replicas-first side, reads a primary served are replica skips
                        // (lag past kb.store.max-replica-lag, or a failing replica)
                        m.put("shardReadsByNode", reads);
                        m.put("loadAverageAtEnd", ProcStats.loadAverage());
                        phases.add(m);
                        double[] sum =
                                perMode.computeIfAbsent(mode, x -> new LinkedHashMap<>())
                                        .computeIfAbsent(readFrom, x -> new double[3]);
                        sum[0] += p.achievedPerSecond();
                        sum[1] += 1;
                        sum[2] += partial.get() + p.all().errors();
                        System.out.printf(
                                "%-7s %-14s %7.1f req/s  p50 %6.1f ms  p95 %6.1f ms  errors %d"
                                        + "  partial %d  import indexed %d  documents written %d"
                                        + "  reads %s%n",
                                mode,
                                readFrom,
                                p.achievedPerSecond(),
                                p.all().millisAt(50),
                                p.all().millisAt(95),
                                p.all().errors(),
                                partial.get(),
                                indexedDuring,
                                written[0] - written0[0],
                                reads);
                    }
                }
                results.put("phases", phases);
                results.put("summary", summary(perMode));
                results.put("import", imported.summary());
                results.put("importIndexedBeforePhases", indexedBefore);
                results.put("importIndexedAtEnd", documents(store, importTenant));
                // the rest of the import is indexed before its tenant is deleted, so nothing of
                // it arrives after the delete
                awaitDocuments(store, importTenant, acked.get(), Duration.ofMinutes(5));
            } finally {
                for (ApiServer s : servers.values()) {
                    s.stop();
                }
                store.deleteTenant(tenant);
                store.deleteTenant(importTenant);
            }
        }
        results.put(
                "method",
                Map.of(
                        "stepSeconds",
                        step.toSeconds(),
                        "clients",
                        CLIENTS,
                        "order",
                        "per mode: replicas-first, primary-only, primary-only, replicas-first",
                        "queries",
                        "unique per request (a per-run word): no cache holds them",
                        "seedDocuments",
                        ApiLoadBenchmark.SEED_DOCS,
                        "import",
                        IMPORT_DOCS
                                + " SciFact abstracts uploaded before the phases, indexed by"
                                + " the stack's pipeline during them",
                        "replicas",
                        base.get(PostgresOptions.REPLICAS).size(),
                        "command",
                        "./kb bench replicas --seconds " + step.toSeconds()));
        results.put("loadAverageAfter", ProcStats.loadAverage());
        results.put("cores", Runtime.getRuntime().availableProcessors());
        results.put("measuredAt", Instant.now().toString());
        ApiLoadBenchmark.writeResults(out, results);
        System.exit(0);
    }

    /** Mean throughput per side and mode, and replicas-first ÷ primary-only. */
    private static Map<String, Object> summary(Map<String, Map<ReadFrom, double[]>> perMode) {
        Map<String, Object> m = new LinkedHashMap<>();
        perMode.forEach(
                (mode, sides) -> {
                    double[] r = sides.get(ReadFrom.REPLICAS_FIRST);
                    double[] p = sides.get(ReadFrom.PRIMARY_ONLY);
                    double replicas = r[0] / r[1];
                    double primary = p[0] / p[1];
                    m.put(
                            mode,
                            Map.of(
                                    "replicasFirstPerSecond", Math.round(replicas * 10) / 10.0,
                                    "primaryOnlyPerSecond", Math.round(primary * 10) / 10.0,
                                    "ratio", Math.round(replicas / primary * 100) / 100.0,
                                    "failedOrPartial", (long) (r[2] + p[2])));
                });
        return m;
    }

    private static List<Call> queries(
            Random random, String word, int count, String mode, Target target) {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String q = ApiLoadBenchmark.sentence(random, 3 + random.nextInt(4)) + " " + word + i;
            calls.add(new Call("search", LoadGenerator.search(target, q, mode)));
        }
        return calls;
    }

    /** Waits until {@code tenant} has at least {@code count} documents or {@code limit}. */
    private static long awaitDocuments(
            ShardedStore store, String tenant, long count, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long n;
        while ((n = documents(store, tenant)) < count && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        return n;
    }

    /**
     * Rows written on the primaries so far, any tenant: documents and chunks inserted, updated or
     * deleted (Postgres' table statistics, flushed within a second of each commit).
     */
    private static long[] primaryWrites(ShardedStore store) {
        long[] n = new long[2];
        for (int s = 0; s < store.shardCount(); s++) {
            try (Connection c = store.dataSource(s).getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del"
                                            + " FROM pg_stat_user_tables"
                                            + " WHERE relname IN ('documents', 'chunks')")) {
                while (rs.next()) {
                    n["documents".equals(rs.getString(1)) ? 0 : 1] += rs.getLong(2);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("shard " + s + ": table statistics: " + e, e);
            }
        }
        return n;
    }

    /** Shard reads this instance made so far, by node ({@code primary}, {@code replica-0}). */
    private static Map<String, Long> shardReadsByNode(ApiServer server) {
        Map<String, Long> reads = new TreeMap<>();
        for (Timer t : server.metrics().find("kb.api.search.shard").timers()) {
            reads.merge(t.getId().getTag("node"), t.count(), Long::sum);
        }
        return reads;
    }

    private static long documents(ShardedStore store, String tenant) {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            n += store.countDocuments(s, tenant);
        }
        return n;
    }
}
