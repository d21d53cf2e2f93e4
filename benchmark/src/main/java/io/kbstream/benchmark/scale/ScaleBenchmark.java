package io.kbstream.benchmark.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kbstream.api.search.Fusion;
import io.kbstream.api.search.ResultMerger;
import io.kbstream.benchmark.eval.Latencies;
import io.kbstream.benchmark.report.ProcStats;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.Bm25Query;
import io.kbstream.core.store.Bm25Settings;
import io.kbstream.core.store.Bm25Statistics;
import io.kbstream.core.store.ChunkHit;
import io.kbstream.core.store.KeywordResult;
import io.kbstream.core.store.ShardMigrations;
import io.kbstream.core.store.ShardNode;
import io.kbstream.core.store.ShardedStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The scale probe ({@code kb bench scale}): how keyword, vector and hybrid search on one shard grow
 * with the corpus, and whether a small tenant stays fast among many. Synthetic chunks (see {@link
 * SyntheticCorpus}) are loaded with COPY into a scratch database ({@code kb_scale}) on the local
 * stack's first Postgres server, which is dropped and made anew with the shard migrations:
 *
 * <ol>
 *   <li>a small tenant alone (the reference for the many-tenant layout);
 *   <li>one large tenant grown to each size (10k, 100k, 1M chunks), as a bulk load: indexes
 *       dropped, chunks copied in with the BM25 insert trigger off, the BM25 statistics and
 *       postings of all chunks recounted set-wise ({@code kb_bm25_recount()}, migration 013), then
 *       the postings' indexes and the HNSW index built anew and timed, vacuumed, read into the page
 *       cache ({@link #prewarm}), measured;
 *   <li>the small tenants added beside the large one (triggers on and indexes kept, so they are
 *       inserted into, as by the production write path), and the first small tenant measured again:
 *       with the default exact search below {@code kb.search.exact-below-chunks}, and with HNSW
 *       forced, to show what the threshold buys.
 * </ol>
 *
 * Each point: p50/p95/p99 of keyword (statistics + ranking, as the API asks each shard), vector
 * (k-NN) and hybrid (both at once, fused as the API fuses) over SciFact claims and random unit
 * query vectors, at 1 and 4 clients, k = 30 chunks (what the API asks a shard for 10 results;
 * {@code --k}), after 10 warm-up queries with other claims and vectors.
 */
public final class ScaleBenchmark {

    private static final int DIMENSION = 384;

    /** The synthetic documents' model: its vector table is where the copier writes. */
    private static final String MODEL = "random-unit-vectors";

    private static final String BIG = "scale-big";
    private static final String SMALL = "scale-small-";

    /** What to run. */
    public record Settings(
            Path corpus,
            Path queries,
            Path out,
            String database,
            List<Long> sizes,
            int smallTenants,
            int smallChunks,
            int queriesPerPoint,
            List<Integer> clients,
            String maintenanceWorkMem,
            int parallelMaintenanceWorkers,
            boolean sweepOnly,
            String sweepTenant,
            int k) {}

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final KbConfig config;
    private final Settings settings;
    private final Consumer<String> log;
    private final Bm25Settings bm25;
    private final int efSearch;
    private final int exactBelow;
    private final List<String> claims;
    private final Random random = new Random(42);
    private final ResultMerger merger;
    private String vectorTable; // the synthetic model's, set by run() once the database exists

    private ScaleBenchmark(KbConfig config, Settings settings, Consumer<String> log)
            throws IOException {
        this.config = config;
        this.settings = settings;
        this.log = log;
        this.bm25 = Bm25Settings.fromConfig(config);
        this.efSearch = config.get(PostgresOptions.EF_SEARCH);
        this.exactBelow = config.get(PostgresOptions.EXACT_BELOW_CHUNKS);
        this.merger = new ResultMerger(Fusion.from(config));
        this.claims = new ArrayList<>();
        for (String line : Files.readAllLines(settings.queries())) {
            if (!line.isBlank()) {
                claims.add(new ObjectMapper().readTree(line).path("text").asText());
            }
        }
    }

    /** Runs the probe; writes {@code scale.json} and {@code scale.png} into the out folder. */
    public static Map<String, Object> run(KbConfig config, Settings settings, Consumer<String> log)
            throws Exception {
        return new ScaleBenchmark(config, settings, log).run();
    }

    private Map<String, Object> run() throws Exception {
        if (settings.sweepOnly()) {
            return sweepOnly();
        }
        Map<String, Object> report = newReport();
        String url = scratchUrl();
        String vectorTable =
                recreateDatabase(
                        config, config.get(PostgresOptions.SHARDS).get(0), settings.database());
        Map<String, Object> conf = new LinkedHashMap<>();
        conf.put("database", url);
        conf.put("k", settings.k());
        conf.put("efSearch", Math.max(efSearch, settings.k()));
        conf.put("exactBelowChunks", exactBelow);
        conf.put("bm25", bm25);
        conf.put("queriesPerPoint", settings.queriesPerPoint());
        conf.put("maintenanceWorkMem", settings.maintenanceWorkMem());
        conf.put("parallelMaintenanceWorkers", settings.parallelMaintenanceWorkers());
        conf.put("hnsw", "m = 16, ef_construction = 64 (as migration 011)");
        conf.put("vectorTable", vectorTable);
        report.put("settings", conf);

        SyntheticCorpus corpus = SyntheticCorpus.fromBeir(settings.corpus());
        ChunkCopier copier = new ChunkCopier(corpus, DIMENSION, vectorTable);
        this.vectorTable = vectorTable;
        KbConfig scale = scratchConfig(url);
        List<Map<String, Object>> builds = new ArrayList<>();
        List<Map<String, Object>> points = new ArrayList<>();
        try (ShardedStore store = ShardedStore.open(scale);
                Connection admin = connect(url)) {
            // 1. a small tenant alone
            long docs = copier.load(admin, SMALL + 0, 0, settings.smallChunks(), random);
            vacuum(admin);
            Map<String, Object> alone = measure(store, SMALL + 0, exactBelow, "small tenant alone");
            alone.put("chunks", settings.smallChunks());

            // 2. one large tenant grown to each size
            long loaded = 0;
            long bigDocs = 0;
            for (long size : settings.sizes()) {
                Map<String, Object> build = new LinkedHashMap<>();
                build.put("chunks", size);
                dropIndexes(admin);
                long t0 = System.nanoTime();
                bigDocs += copier.loadWithoutBm25(admin, BIG, bigDocs, size - loaded, random);
                build.put("copySeconds", seconds(t0));
                // all chunks, not only the added ones: one way of counting (009's backfill, which
                // Bm25BulkLoadITCase holds equal to the triggers), and with sizes growing tenfold
                // the earlier steps recount about a tenth more
                build.put("bm25RecountSeconds", timed(() -> recountBm25(admin)));
                build.put(
                        "loadChunksPerSecond",
                        Math.round((size - loaded) / Math.max(0.01, seconds(t0))));
                loaded = size;
                build.put(
                        "bm25IndexSeconds",
                        timed(
                                () ->
                                        buildPostingIndexes(
                                                admin,
                                                settings.maintenanceWorkMem(),
                                                settings.parallelMaintenanceWorkers())));
                List<String> notices = new ArrayList<>();
                build.put("hnswSeconds", timed(() -> notices.addAll(buildHnsw(admin))));
                build.put("hnswNotices", notices);
                build.put("vacuumAnalyzeSeconds", timed(() -> vacuum(admin)));
                long t1 = System.nanoTime();
                build.put("prewarmMB", prewarm(admin));
                build.put("prewarmSeconds", seconds(t1));
                build.put("sizes", sizes(admin));
                log.accept("built " + build);
                builds.add(build);
                Map<String, Object> point = measure(store, BIG, exactBelow, size + " chunks");
                point.put("chunks", size);
                point.put(
                        "keywordSweep",
                        keywordSweep(
                                store, BIG, Math.min(settings.queriesPerPoint(), SWEEP_QUERIES)));
                points.add(point);
                write(report, builds, points, null, alone, false);
            }

            // 3. the small tenants beside the large one
            Map<String, Object> many = new LinkedHashMap<>();
            long t0 = System.nanoTime();
            for (int t = 1; t < settings.smallTenants(); t++) {
                copier.load(admin, SMALL + t, 0, settings.smallChunks(), random);
            }
            many.put("tenants", settings.smallTenants());
            many.put("chunksPerSmallTenant", settings.smallChunks());
            many.put("largeTenantChunks", loaded);
            many.put("insertSeconds", seconds(t0));
            vacuum(admin);
            many.put("sizes", sizes(admin));
            many.put(
                    "smallTenant",
                    measure(store, SMALL + 0, exactBelow, "small tenant among many"));
            many.put(
                    "smallTenantHnsw",
                    measure(store, SMALL + 0, 0, "small tenant among many, HNSW forced"));
            many.put("largeTenant", measure(store, BIG, exactBelow, "large tenant among many"));
            report.put("loadAverageAfter", ProcStats.loadAverage());
            return write(report, builds, points, many, alone, true);
        }
    }

    /**
     * The keyword sweep alone, on the large tenant of the scratch database as an earlier run left
     * it, or on a tenant of the stack's own shards ({@link Settings#sweepTenant}); writes {@code
     * scale-keyword-sweep-kK.json} (or {@code keyword-sweep-TENANT-kK.json}).
     */
    private Map<String, Object> sweepOnly() throws Exception {
        Map<String, Object> report = newReport();
        String tenant = settings.sweepTenant() == null ? BIG : settings.sweepTenant();
        KbConfig target =
                settings.sweepTenant() == null
                        ? scratchConfig(scratchUrl())
                        : withLongSearches(config);
        try (ShardedStore store = ShardedStore.open(target)) {
            long chunks = 0;
            for (int shard = 0; shard < store.shardCount(); shard++) {
                chunks += store.countChunks(shard, tenant);
            }
            report.put("tenant", tenant);
            report.put("chunks", chunks);
            report.put("k", settings.k());
            report.put("keywordSweep", keywordSweep(store, tenant, settings.queriesPerPoint()));
        }
        report.put("loadAverageAfter", ProcStats.loadAverage());
        Files.createDirectories(settings.out());
        String name =
                (settings.sweepTenant() == null ? "scale-keyword-sweep" : "keyword-sweep-" + tenant)
                        + "-k"
                        + settings.k()
                        + ".json";
        JSON.writeValue(settings.out().resolve(name).toFile(), report);
        return report;
    }

    private Map<String, Object> write(
            Map<String, Object> report,
            List<Map<String, Object>> builds,
            List<Map<String, Object>> points,
            Map<String, Object> many,
            Map<String, Object> alone,
            boolean done)
            throws IOException {
        report.put("builds", builds);
        report.put("points", points);
        report.put("smallTenantAlone", alone);
        if (many != null) {
            report.put("manyTenants", many);
            report.put("ratios", ratios(alone, many));
        }
        report.put("complete", done);
        Files.createDirectories(settings.out());
        JSON.writeValue(settings.out().resolve("scale.json").toFile(), report);
        plot(points, settings.k(), settings.out().resolve("scale.png"));
        return report;
    }

    /** Small tenant among many ÷ alone, per mode at 1 client (target: at most 2). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> ratios(Map<String, Object> alone, Map<String, Object> many) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> among = (Map<String, Object>) many.get("smallTenant");
        for (String mode : List.of("keyword", "vector", "hybrid")) {
            double a = p95(alone, mode, 1);
            double m = p95(among, mode, 1);
            out.put(mode + "P95AmongManyOverAlone", Math.round(m / a * 100) / 100.0);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static double p95(Map<String, Object> point, String mode, int clients) {
        Map<String, Object> byMode = (Map<String, Object>) point.get(mode);
        Map<String, Object> latency = (Map<String, Object>) byMode.get("clients" + clients);
        return ((Number) latency.get("p95Ms")).doubleValue();
    }

    // ---- measuring --------------------------------------------------------------------------

    private Map<String, Object> measure(
            ShardedStore store, String tenant, int exactBelowChunks, String label)
            throws Exception {
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("label", label);
        point.put("tenant", tenant);
        point.put("exactBelowChunks", exactBelowChunks);
        ExecutorService side = Executors.newFixedThreadPool(4);
        try {
            for (String mode : List.of("keyword", "vector", "hybrid")) {
                Map<String, Object> byClients = new LinkedHashMap<>();
                AtomicLong inexact = new AtomicLong();
                AtomicLong postings = new AtomicLong();
                AtomicLong keywordAnswers = new AtomicLong();
                for (int clients : settings.clients()) {
                    // warm up, not recorded, with claims and vectors other than those measured:
                    // a query's own pages would otherwise be warm when it is measured
                    int unmeasured = settings.queriesPerPoint();
                    runClients(
                            1,
                            10,
                            q ->
                                    search(
                                            store,
                                            tenant,
                                            mode,
                                            unmeasured + q,
                                            exactBelowChunks,
                                            side));
                    settleHeap();
                    Latencies latencies = new Latencies();
                    long t0 = System.nanoTime();
                    runClients(
                            clients,
                            settings.queriesPerPoint(),
                            q -> {
                                long s = System.nanoTime();
                                KeywordResult kw =
                                        search(store, tenant, mode, q, exactBelowChunks, side);
                                latencies.record(System.nanoTime() - s);
                                if (kw != null) {
                                    keywordAnswers.incrementAndGet();
                                    postings.addAndGet(kw.postingsRead());
                                    if (!kw.exact()) {
                                        inexact.incrementAndGet();
                                    }
                                }
                            });
                    Map<String, Object> summary = latencies.summary();
                    summary.put(
                            "perSecond",
                            Math.round(latencies.count() / ((System.nanoTime() - t0) / 1e9)));
                    byClients.put("clients" + clients, summary);
                }
                if (!mode.equals("vector")) {
                    byClients.put("keywordAnswersNotProvenExact", inexact.get());
                    byClients.put(
                            "postingsReadPerAnswer",
                            keywordAnswers.get() == 0 ? 0 : postings.get() / keywordAnswers.get());
                }
                point.put(mode, byClients);
            }
        } finally {
            side.shutdownNow();
        }
        log.accept(label + ": " + point);
        return point;
    }

    /**
     * The keyword search's cost against its loss, on the first queries of a point, on every shard
     * of the store (as the API asks each, with the statistics of all): each answer's exhaustive
     * BM25 top-k (every posting read) is the reference, and each setting of the depth and candidate
     * budget is timed at 1 client and scored by its recall of that top-k.
     */
    private Map<String, Object> keywordSweep(ShardedStore store, String tenant, int queries) {
        List<Bm25Query> weighted = new ArrayList<>();
        for (int q = 0; q < queries; q++) {
            weighted.add(weigh(store, tenant, claims.get(q)));
        }
        Latencies exhaustiveLatency = new Latencies();
        List<List<ChunkHit>> reference = new ArrayList<>();
        for (Bm25Query q : weighted) {
            for (int shard = 0; shard < store.shardCount(); shard++) {
                long t0 = System.nanoTime();
                KeywordResult full =
                        store.keywordSearch(
                                shard, tenant, q.with(bm25.exhaustive()), settings.k(), Map.of());
                exhaustiveLatency.record(System.nanoTime() - t0);
                reference.add(full.hits());
            }
        }
        Map<String, Object> sweep = new LinkedHashMap<>();
        sweep.put("queries", queries);
        sweep.put("shards", store.shardCount());
        sweep.put("exhaustive", exhaustiveLatency.summary());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Bm25Settings s : sweepSettings()) {
            settleHeap();
            Latencies latency = new Latencies();
            double recallSum = 0;
            double recallMin = 1;
            long postings = 0;
            int exact = 0;
            int answers = 0;
            for (int pass = 0; pass < 2; pass++) { // the first pass warms the caches
                for (int q = 0; q < queries; q++) {
                    for (int shard = 0; shard < store.shardCount(); shard++) {
                        long t0 = System.nanoTime();
                        KeywordResult r =
                                store.keywordSearch(
                                        shard,
                                        tenant,
                                        weighted.get(q).with(s),
                                        settings.k(),
                                        Map.of());
                        if (pass == 0) {
                            continue;
                        }
                        latency.record(System.nanoTime() - t0);
                        double recall = recall(r.hits(), reference.get(answers++));
                        recallSum += recall;
                        recallMin = Math.min(recallMin, recall);
                        postings += r.postingsRead();
                        exact += r.exact() ? 1 : 0;
                    }
                }
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("postingsPerTerm", s.postingsPerTerm());
            row.put("maxPostingsPerTerm", s.maxPostingsPerTerm());
            row.put("maxCandidates", s.maxCandidates());
            row.put("clients1", latency.summary());
            row.put("recallMean", Math.round(recallSum / answers * 10_000) / 10_000.0);
            row.put("recallMin", Math.round(recallMin * 10_000) / 10_000.0);
            row.put("answers", answers);
            row.put("provenExact", exact);
            row.put("postingsReadPerAnswer", postings / Math.max(1, answers));
            rows.add(row);
        }
        sweep.put("settings", rows);
        log.accept("keyword sweep: " + sweep);
        return sweep;
    }

    /**
     * Collects the garbage of what ran before a measured pass: the exhaustive references leave
     * hundreds of MB of postings behind, and collecting them inside the next pass paused it for
     * 50-400 ms (seen with -Xlog:gc), which is the harness's cost, not a search's.
     */
    private static void settleHeap() {
        System.gc();
    }

    /** The queries of a keyword sweep: enough for a mean, few enough for exhaustive references. */
    private static final int SWEEP_QUERIES = 50;

    /** The configured setting first, then the grid around it. */
    private List<Bm25Settings> sweepSettings() {
        List<Bm25Settings> out = new ArrayList<>();
        out.add(bm25);
        int[][] grid = {
            {256, 4096, 0}, // the defaults before the candidate budget: exact far more often
            {1024, 1024, 512},
            {2048, 2048, 1024},
            {4096, 4096, 512},
            {4096, 4096, 1024}
        };
        for (int[] g : grid) {
            Bm25Settings s = new Bm25Settings(bm25.k1(), bm25.b(), g[0], g[1], g[2]);
            if (!s.equals(bm25)) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The share of the reference top-k an answer holds, counting a chunk that ties with the
     * reference's k-th score as held: with resampled sentences many chunks score alike, and which
     * of them fill the last places is a matter of chunk ids.
     */
    private static double recall(List<ChunkHit> got, List<ChunkHit> reference) {
        if (reference.isEmpty()) {
            return 1;
        }
        double kth = reference.get(reference.size() - 1).score();
        long held = got.stream().filter(h -> h.score() >= kth * (1 - 1e-9)).count();
        return Math.min(held, reference.size()) / (double) reference.size();
    }

    private interface Query {
        void run(int index) throws Exception;
    }

    /** {@code total} queries shared by {@code clients} threads, each as fast as it can. */
    private static void runClients(int clients, int total, Query query) throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int c = 0; c < clients; c++) {
                all.add(
                        CompletableFuture.runAsync(
                                () -> {
                                    long i;
                                    while ((i = next.getAndIncrement()) < total) {
                                        try {
                                            query.run((int) i);
                                        } catch (Exception e) {
                                            throw new IllegalStateException(e);
                                        }
                                    }
                                },
                                pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdownNow();
        }
    }

    /** One search as the API asks one shard; the keyword answer, if the mode has one. */
    private KeywordResult search(
            ShardedStore store,
            String tenant,
            String mode,
            int index,
            int exactBelowChunks,
            ExecutorService side)
            throws Exception {
        String claim = claims.get(index % claims.size());
        float[] vector = SyntheticCorpus.unitVector(new Random(index), DIMENSION);
        return switch (mode) {
            case "keyword" -> keyword(store, tenant, claim);
            case "vector" -> {
                vector(store, tenant, vector, exactBelowChunks);
                yield null;
            }
            default -> {
                CompletableFuture<KeywordResult> kw =
                        CompletableFuture.supplyAsync(() -> keyword(store, tenant, claim), side);
                List<ChunkHit> v = vector(store, tenant, vector, exactBelowChunks);
                KeywordResult k = kw.get();
                merger.fuse(
                        ResultMerger.bestChunkPerDocument(List.of(v)),
                        ResultMerger.bestChunkPerDocument(List.of(k.hits())),
                        10,
                        claim);
                yield k;
            }
        };
    }

    private KeywordResult keyword(ShardedStore store, String tenant, String claim) {
        return store.keywordSearch(0, tenant, weigh(store, tenant, claim), settings.k(), Map.of());
    }

    /** The claim's terms weighted by the statistics of all the store's shards, as the API does. */
    private Bm25Query weigh(ShardedStore store, String tenant, String claim) {
        List<Bm25Statistics> parts = new ArrayList<>();
        for (int shard = 0; shard < store.shardCount(); shard++) {
            parts.add(store.keywordStatistics(shard, tenant, claim));
        }
        return Bm25Query.of(Bm25Statistics.sum(parts), bm25);
    }

    private List<ChunkHit> vector(
            ShardedStore store, String tenant, float[] v, int exactBelowChunks) {
        return store.vectorSearch(
                ShardNode.primary(0),
                tenant,
                MODEL,
                v,
                settings.k(),
                Map.of(),
                Math.max(efSearch, settings.k()),
                exactBelowChunks);
    }

    // ---- the database -----------------------------------------------------------------------

    private Connection connect(String url) throws SQLException {
        return connect(config, url);
    }

    private static Connection connect(KbConfig config, String url) throws SQLException {
        return DriverManager.getConnection(
                url, config.get(PostgresOptions.USER), config.get(PostgresOptions.PASSWORD));
    }

    /** A fresh database with the shard schema and the synthetic model's vector table (its name). */
    /** A results file's opening: when, the load average before, the machine. */
    private static Map<String, Object> newReport() {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("startedAt", Instant.now().toString());
        report.put("loadAverageBefore", ProcStats.loadAverage());
        report.put("machine", machine());
        return report;
    }

    /**
     * The store over the scratch database as its only shard. Its searches may take minutes: the
     * keyword sweep's exhaustive references read every posting of every query term.
     */
    private KbConfig scratchConfig(String url) {
        return withLongSearches(
                config.with(PostgresOptions.SHARDS, url)
                        .with(PostgresOptions.MIGRATE_ON_OPEN, "false"));
    }

    /** The keyword sweep's exhaustive references read every posting: minutes at 1M chunks. */
    private static KbConfig withLongSearches(KbConfig config) {
        return config.with(PostgresOptions.SEARCH_TIMEOUT, "PT10M");
    }

    /** The scratch database, on the first shard's server. */
    private String scratchUrl() {
        String shard0 = config.get(PostgresOptions.SHARDS).get(0);
        return shard0.substring(0, shard0.lastIndexOf('/') + 1) + settings.database();
    }

    static String recreateDatabase(KbConfig config, String shard0, String database)
            throws SQLException {
        dropDatabase(config, shard0, database);
        try (Connection c = connect(config, serverUrl(shard0));
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database);
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(shard0.substring(0, shard0.lastIndexOf('/') + 1) + database);
        ds.setUser(config.get(PostgresOptions.USER));
        ds.setPassword(config.get(PostgresOptions.PASSWORD));
        ShardMigrations.apply(ds);
        return ShardMigrations.ensureModel(ds, MODEL, DIMENSION);
    }

    static void dropDatabase(KbConfig config, String shard0, String database) throws SQLException {
        try (Connection c = connect(config, serverUrl(shard0));
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** The shard's server, by its maintenance database: where databases are created and dropped. */
    private static String serverUrl(String shard0) {
        return shard0.substring(0, shard0.lastIndexOf('/') + 1) + "postgres";
    }

    /** Bulk load without index upkeep: the indexes are built once afterwards (and timed). */
    private void dropIndexes(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP INDEX IF EXISTS " + vectorTable + "_hnsw");
        }
        dropPostingIndexes(c);
    }

    static void dropPostingIndexes(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("DROP INDEX IF EXISTS bm25_postings_impact");
            st.execute("ALTER TABLE bm25_postings DROP CONSTRAINT IF EXISTS bm25_postings_pkey");
        }
    }

    /**
     * The BM25 statistics and postings of every chunk, from scratch, after a load with the insert
     * trigger off ({@link ChunkCopier#loadWithoutBm25}); with the postings' indexes dropped the
     * postings are appended, not inserted into two btrees row by row.
     */
    static void recountBm25(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            // its hash aggregate and hash join hold the vocabulary (terms), not the postings:
            // room for them without claiming maintenance_work_mem, which the index builds use
            st.execute("SET work_mem = '256MB'");
            st.execute("SELECT kb_bm25_recount()");
            st.execute("RESET work_mem");
        }
    }

    /** The same two indexes as migration 009. */
    static void buildPostingIndexes(Connection c, String maintenanceWorkMem, int workers)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            maintenance(st, maintenanceWorkMem, workers);
            st.execute(
                    "ALTER TABLE bm25_postings ADD PRIMARY KEY (chunk_id, term_id) INCLUDE (tf,"
                            + " length)");
            st.execute(
                    "CREATE INDEX bm25_postings_impact ON bm25_postings (term_id, impact DESC)"
                            + " INCLUDE (chunk_id, tf, length)");
        }
    }

    /**
     * The same index as migration 011 makes, built with enough memory and a parallel worker; its
     * notices. pgvector builds the graph in maintenance_work_mem (about 2.3 kB per 384-d vector at
     * m = 16, so 1M chunks fit in the default 4GB) and says "hnsw graph no longer fits into
     * maintenance_work_mem" when it falls back to the much slower on-disk build: logged and kept in
     * the build's record.
     */
    private List<String> buildHnsw(Connection c) throws SQLException {
        List<String> notices = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            maintenance(st, settings.maintenanceWorkMem(), settings.parallelMaintenanceWorkers());
            st.execute(
                    "CREATE INDEX "
                            + vectorTable
                            + "_hnsw ON "
                            + vectorTable
                            + " USING hnsw (embedding vector_cosine_ops) WITH (m = 16,"
                            + " ef_construction = 64)");
            for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.add(w.getMessage());
                log.accept("HNSW build: " + w.getMessage());
            }
        }
        return notices;
    }

    private static void maintenance(Statement st, String maintenanceWorkMem, int workers)
            throws SQLException {
        st.execute("SET maintenance_work_mem = '" + maintenanceWorkMem + "'");
        st.execute("SET max_parallel_maintenance_workers = " + workers);
    }

    /** Fresh statistics for the planner and a visibility map for index-only scans. */
    private void vacuum(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(
                    "VACUUM (ANALYZE) chunks, documents, bm25_postings, bm25_terms, bm25_tenants, "
                            + vectorTable);
        }
    }

    /**
     * Reads the relations searches read (the postings' two indexes, the terms, the chunks, the
     * vectors and their HNSW index) into the page cache, as a shard server holds them once it has
     * served for a while, so that a point measures steady-state searches, not the first reads from
     * disk after the builds pushed part of them out (which made the first measurement at 1M chunks
     * 3-5 times slower than the same searches later). pg_prewarm is a contrib module of Postgres;
     * the scratch database only.
     *
     * @return MB read
     */
    private long prewarm(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT coalesce(sum(pg_prewarm(r, 'read')), 0) FROM unnest(ARRAY["
                                    + "'bm25_postings_impact', 'bm25_postings_pkey', 'bm25_terms',"
                                    + " 'bm25_terms_pkey', 'bm25_tenants', 'chunks', 'chunks_pkey',"
                                    + " '"
                                    + vectorTable
                                    + "', '"
                                    + vectorTable
                                    + "_hnsw']::regclass[]) AS r")) {
                rs.next();
                return rs.getLong(1) * 8192 / (1 << 20);
            }
        }
    }

    private Map<String, Object> sizes(Connection c) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT (SELECT count(*) FROM chunks),"
                                        + " (SELECT count(*) FROM bm25_postings),"
                                        + " pg_total_relation_size('chunks')"
                                        + " + pg_relation_size('"
                                        + vectorTable
                                        + "'),"
                                        + " pg_total_relation_size('bm25_postings'),"
                                        + " coalesce(pg_relation_size(to_regclass('"
                                        + vectorTable
                                        + "_hnsw')), 0)")) {
            rs.next();
            out.put("chunks", rs.getLong(1));
            out.put("postings", rs.getLong(2));
            out.put("chunksAndVectorsMB", rs.getLong(3) / (1 << 20));
            out.put("postingsMB", rs.getLong(4) / (1 << 20));
            out.put("hnswMB", rs.getLong(5) / (1 << 20));
        }
        return out;
    }

    private interface SqlStep {
        void run() throws SQLException;
    }

    private static double timed(SqlStep step) throws SQLException {
        long t0 = System.nanoTime();
        step.run();
        return seconds(t0);
    }

    private static double seconds(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e7) / 100.0;
    }

    // ---- the machine and the plot -----------------------------------------------------------

    private static Map<String, Object> machine() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    out.put("cpu", line.substring(line.indexOf(':') + 1).strip());
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal")) {
                    out.put("memory", line.substring(line.indexOf(':') + 1).strip());
                    break;
                }
            }
        } catch (IOException e) {
            out.put("cpu", "unknown");
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void plot(List<Map<String, Object>> points, int k, Path file)
            throws IOException {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(560)
                        .title(
                                "One shard: search latency against corpus size (1 client, k = "
                                        + k
                                        + ")")
                        .xAxisTitle("chunks in the shard")
                        .yAxisTitle("latency (ms)")
                        .build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        boolean any = false;
        for (String mode : List.of("keyword", "vector", "hybrid")) {
            for (String p : List.of("p50Ms", "p95Ms")) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (Map<String, Object> point : points) {
                    Map<String, Object> m = (Map<String, Object>) point.get(mode);
                    Map<String, Object> c1 = (Map<String, Object>) m.get("clients1");
                    if (c1 != null) {
                        x.add(((Number) point.get("chunks")).doubleValue());
                        y.add(Math.max(0.01, ((Number) c1.get(p)).doubleValue()));
                    }
                }
                if (!x.isEmpty()) {
                    XYSeries s = chart.addSeries(mode + " " + p.replace("Ms", ""), x, y);
                    s.setMarker(SeriesMarkers.CIRCLE);
                    any = true;
                }
            }
        }
        if (!any) {
            chart.addSeries("no data", List.of(1.0), List.of(1.0));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
