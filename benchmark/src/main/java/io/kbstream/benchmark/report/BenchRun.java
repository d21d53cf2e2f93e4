package io.kbstream.benchmark.report;

import io.kbstream.api.ApiMain;
import io.kbstream.api.http.ApiKeys;
import io.kbstream.benchmark.baseline.SyncBaselineServer;
import io.kbstream.benchmark.load.LoadGenerator;
import io.kbstream.benchmark.load.Phase;
import io.kbstream.benchmark.load.Target;
import io.kbstream.benchmark.load.Workload;
import io.kbstream.client.ApiClient;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.StackOptions;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.redis.RedisKeys;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.stack.LocalStack;
import io.kbstream.stack.Processes;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * One {@code kb bench report} run: each design in its own processes on free loopback ports,
 * measured one after the other with the same workload against the shared local stack, each on its
 * own tenants, which are deleted at the end.
 *
 * <p>Event-driven: the query API and the indexing pipeline (fp32 model) — the generator's own
 * capacity, a bulk ingest (documents per hour), cold and warm search; then, while the pipeline
 * indexes a bulk import, the API at normal and lowered pipeline priority, and the seed's targets
 * (uploads at 1,000/s, cached search on a Zipf mix, simulated users); then the pipeline again with
 * the int8 model on scratch databases (a shard holds one model's vectors). Synchronous: the
 * baseline's bulk ingest, cold and warm search and users.
 */
public final class BenchRun {

    /** The quantized twin of the default model, for the int8 indexing rate. */
    static final String INT8_MODEL = "all-minilm-l6-v2-q";

    static final String INT8_DATABASE = "kb_bench_int8";

    private BenchRun() {}

    /** Runs both designs and writes the report under {@code outDir}; returns the tables. */
    public static String run(
            BenchSettings settings, Path dataDir, Path outDir, Consumer<String> log)
            throws Exception {
        KbConfig base = KbConfig.load();
        String runId = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> keys = new LinkedHashMap<>();
        // ed: searched; edu: users' uploads; edi: the bulk import; edq: int8; sy/syu: baseline
        for (String suffix : List.of("ed", "edu", "edi", "edq", "sy", "syu")) {
            keys.put(runId + "-" + suffix, ApiKeys.mint());
        }
        List<String> props = childProps(keys);
        // logs and pid files beside the stack's own: kb stack status shows, kb stack down stops
        Path logs = LocalStack.runDir(base);
        Files.createDirectories(logs);
        Workload workload =
                Workload.load(
                        dataDir,
                        settings.claims(),
                        Math.max(settings.bulkDocs() + settings.importDocs(), 1000));
        Map<String, Object> header = header(settings, runId, dataDir);
        log.accept("run " + runId + "; load average " + header.get("loadAverageAtStart"));
        int firstPort = base.get(StackOptions.PORT_BASE) + 90;
        Map<String, Object> ed = new LinkedHashMap<>();
        Map<String, Object> sync = new LinkedHashMap<>();
        try (ShardedStore store = ShardedStore.open(base);
                JedisPooled redis = RedisConnections.pooled(base);
                LoadGenerator load = new LoadGenerator(workload, settings.zipfExponent(), runId)) {
            header.put("queryEmbeddingsClearedAtStart", clearQueryEmbeddings(redis));
            BenchReport report =
                    new BenchReport(
                            settings, new IndexGenerations(redis), workload, runId, log, load);
            try {
                int apiPort = freePort(firstPort + 1);
                List<String> apiProps = new ArrayList<>(props);
                apiProps.add("-D" + ApiOptions.PORT.key() + "=" + apiPort);
                // the pipeline starts at normal priority: the two-roles phase lowers it itself
                List<String> pipelineProps = new ArrayList<>(props);
                pipelineProps.add("-D" + PipelineOptions.CPU_NICE.key() + "=0");
                try (Child api =
                        Child.start(
                                "bench-query-api",
                                ApiMain.class.getName(),
                                apiProps,
                                List.of(),
                                logs)) {
                    api.awaitHttp(apiPort, Duration.ofSeconds(180));
                    Target target =
                            new Target(
                                    BenchReport.EVENT_DRIVEN,
                                    URI.create("http://127.0.0.1:" + apiPort),
                                    keys.get(runId + "-ed"),
                                    keys.get(runId + "-edu"));
                    try (Child pipeline =
                            Child.start(
                                    "bench-pipeline",
                                    EventPipelineMain.class.getName(),
                                    pipelineProps,
                                    List.of(),
                                    logs)) {
                        pipeline.awaitLine(EventPipelineMain.READY, Duration.ofSeconds(180));
                        log.accept(
                                "event-driven: API pid "
                                        + api.pid()
                                        + " on "
                                        + apiPort
                                        + ", pipeline pid "
                                        + pipeline.pid());
                        Map<String, ProcStats> start =
                                Map.of(
                                        "query-api", ProcStats.sample(api.pid()),
                                        "indexing pipeline", ProcStats.sample(pipeline.pid()));
                        eventDriven(
                                ed,
                                report,
                                settings,
                                store,
                                target,
                                keys,
                                runId,
                                api,
                                pipeline,
                                base.get(PipelineOptions.CPU_NICE));
                        Map<String, Object> procs = new LinkedHashMap<>();
                        start.forEach(
                                (role, s) ->
                                        procs.put(
                                                role,
                                                ProcStats.between(s, ProcStats.sample(s.pid()))));
                        ed.put("processes", procs);
                    }
                    ed.put(
                            "int8Indexing",
                            int8Indexing(
                                    base,
                                    report,
                                    props,
                                    logs,
                                    target,
                                    keys.get(runId + "-edq"),
                                    runId + "-edq",
                                    log));
                }
                int syncPort = freePort(firstPort);
                try (Child baseline =
                        Child.start(
                                "bench-sync-baseline",
                                SyncBaselineServer.class.getName(),
                                props,
                                List.of("--port", Integer.toString(syncPort)),
                                logs)) {
                    baseline.awaitHttp(syncPort, Duration.ofSeconds(180));
                    log.accept("synchronous: baseline pid " + baseline.pid() + " on " + syncPort);
                    ProcStats start = ProcStats.sample(baseline.pid());
                    Target target =
                            new Target(
                                    BenchReport.SYNCHRONOUS,
                                    URI.create("http://127.0.0.1:" + syncPort),
                                    keys.get(runId + "-sy"),
                                    keys.get(runId + "-syu"));
                    String tenant = runId + "-sy";
                    LongSupplier indexed = () -> BenchReport.indexed(store, tenant);
                    Map<String, Object> bulk =
                            report.bulk(
                                    BenchReport.SYNCHRONOUS,
                                    target,
                                    target.searchKey(),
                                    tenant,
                                    indexed);
                    bulk.put("settledBeforeSearch", report.awaitSettled(tenant, indexed));
                    sync.put("bulkIngest", bulk);
                    sync.put("search", report.coldAndWarm(BenchReport.SYNCHRONOUS, target));
                    sync.put(
                            "users",
                            report.users(
                                    BenchReport.SYNCHRONOUS,
                                    target,
                                    settings.syncTargetUsers(),
                                    Math.max(2, settings.floorUsers() / 100)));
                    sync.put(
                            "processes",
                            Map.of(
                                    "sync baseline",
                                    ProcStats.between(start, ProcStats.sample(baseline.pid()))));
                }
            } finally {
                for (String tenant : keys.keySet()) {
                    store.deleteTenant(tenant);
                }
            }
        }
        header.put("loadAverageAtEnd", ProcStats.loadAverage());
        return ReportWriter.write(outDir, header, ed, sync);
    }

    /** The event-driven design's phases, in order, into {@code ed}. */
    private static void eventDriven(
            Map<String, Object> ed,
            BenchReport report,
            BenchSettings settings,
            ShardedStore store,
            Target target,
            Map<String, String> keys,
            String runId,
            Child api,
            Child pipeline,
            int pipelineNice)
            throws Exception {
        ed.put("generatorCapacity", report.capacity(target));
        String tenant = runId + "-ed";
        LongSupplier indexed = () -> BenchReport.indexed(store, tenant);
        Map<String, Object> bulk =
                report.bulk(BenchReport.EVENT_DRIVEN, target, target.searchKey(), tenant, indexed);
        bulk.put("settledBeforeSearch", report.awaitSettled(tenant, indexed));
        ed.put("bulkIngest", bulk);
        ed.put("search", report.coldAndWarm(BenchReport.EVENT_DRIVEN, target));

        // from here on the pipeline indexes a bulk import while the API is measured
        String importTenant = runId + "-edi";
        long importStart = System.nanoTime();
        CompletableFuture<Phase> importing =
                report.startImport(target, keys.get(importTenant), importTenant);
        ed.put("twoRoles", report.twoRoles(target, pipeline.pid(), api.pid(), pipelineNice));
        ed.put("cacheWarmUp", report.warmCache(target));
        ed.put("uploadTarget", report.uploadTarget(target));
        ed.put("cachedSearchTarget", report.cachedSearchTarget(target));
        ed.put("wrkCrossCheck", WrkCrossCheck.run(report.load(), target, settings.searchStep()));
        ed.put(
                "users",
                report.users(
                        BenchReport.EVENT_DRIVEN,
                        target,
                        settings.targetUsers(),
                        settings.floorUsers()));
        Map<String, Object> imported = new LinkedHashMap<>();
        imported.put("uploads", importing.join().summary());
        imported.put("indexedWhileApiMeasured", BenchReport.indexed(store, importTenant));
        imported.put("seconds", Math.round((System.nanoTime() - importStart) / 1e8) / 10.0);
        ed.put("bulkImportDuringApiPhases", imported);
    }

    /**
     * Documents per hour of the IndexingJob with the int8 model: a pipeline of its own on scratch
     * databases beside the shards (a shard holds one model's vectors), fed through the same API.
     */
    private static Map<String, Object> int8Indexing(
            KbConfig base,
            BenchReport report,
            List<String> props,
            Path logs,
            Target api,
            String key,
            String tenant,
            Consumer<String> log)
            throws Exception {
        List<String> shards = new ArrayList<>();
        for (String url : base.get(PostgresOptions.SHARDS)) {
            shards.add(url.substring(0, url.lastIndexOf('/') + 1) + INT8_DATABASE);
        }
        ScratchDatabases.recreate(base, INT8_DATABASE);
        List<String> pipelineProps = new ArrayList<>(props);
        pipelineProps.add("-D" + PipelineOptions.CPU_NICE.key() + "=0");
        pipelineProps.add("-D" + EmbeddingOptions.MODEL.key() + "=" + INT8_MODEL);
        pipelineProps.add("-D" + PostgresOptions.SHARDS.key() + "=" + String.join(",", shards));
        try (ShardedStore scratch =
                        ShardedStore.open(
                                base.with(PostgresOptions.SHARDS, String.join(",", shards)));
                Child pipeline =
                        Child.start(
                                "bench-pipeline-int8",
                                EventPipelineMain.class.getName(),
                                pipelineProps,
                                List.of(),
                                logs)) {
            pipeline.awaitLine(EventPipelineMain.READY, Duration.ofSeconds(180));
            Map<String, Object> m =
                    report.bulk(
                            "event-driven, " + INT8_MODEL,
                            api,
                            key,
                            tenant,
                            () -> BenchReport.indexed(scratch, tenant));
            m.put("model", INT8_MODEL);
            return m;
        } finally {
            ScratchDatabases.drop(base, INT8_DATABASE);
            log.accept("scratch databases " + INT8_DATABASE + " dropped");
        }
    }

    /**
     * The system properties of every child JVM: the run's tenant keys as bootstrap keys, and the
     * tenant rate limit lifted (the runs measure the design, not the limiter's refusals).
     */
    static List<String> childProps(Map<String, String> keys) {
        List<String> entries = new ArrayList<>();
        keys.forEach((tenant, key) -> entries.add(ApiKeys.configEntry(tenant, key)));
        return List.of(
                "-D" + ApiOptions.KEYS.key() + "=" + String.join(",", entries),
                "-D" + ApiOptions.RATE_LIMIT_PER_SECOND.key() + "=1000000",
                "-D" + ApiOptions.RATE_LIMIT_BURST.key() + "=1000000");
    }

    /** Deletes every query embedding cached in Redis, so no run starts warm from an earlier one. */
    static long clearQueryEmbeddings(JedisPooled redis) {
        long deleted = 0;
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams match = new ScanParams().match(RedisKeys.queryEmbedding("*", "*")).count(1000);
        do {
            ScanResult<String> page = redis.scan(cursor, match);
            if (!page.getResult().isEmpty()) {
                deleted += redis.del(page.getResult().toArray(String[]::new));
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return deleted;
    }

    static Map<String, Object> header(BenchSettings settings, String runId, Path dataDir)
            throws IOException {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("runId", runId);
        h.put("cores", Runtime.getRuntime().availableProcessors());
        h.put("cpu", cpuModel());
        h.put("memoryMb", memTotalMb());
        h.put("loadAverageAtStart", ProcStats.loadAverage());
        h.put("java", System.getProperty("java.version"));
        h.put("data", dataDir.toString());
        h.put("settings", settings.toString());
        return h;
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("unknown");
    }

    private static long memTotalMb() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024)
                .findFirst()
                .orElse(0L);
    }

    static int freePort(int from) {
        for (int port = from; port < from + 20; port += 2) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException busy) {
                // try the next one
            }
        }
        throw new IllegalStateException("no free loopback port from " + from);
    }

    /**
     * A JVM of ours on this machine's classpath, tracked by a pid file in the stack's run folder
     * while it runs, stopped (and waited for) on close.
     */
    static final class Child implements AutoCloseable {
        private final Process process;
        private final Path log;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Child start(
                String name, String mainClass, List<String> props, List<String> args, Path logs)
                throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx1g");
            cmd.add("-Dkb.home=" + KbConfig.home());
            // the --add-opens this JVM got (Flink wants them on Java 17)
            ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("--add-opens"))
                    .forEach(cmd::add);
            cmd.addAll(props);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(mainClass);
            cmd.addAll(args);
            Path log = logs.resolve(name + ".log");
            Files.deleteIfExists(log);
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .start();
            Processes.track(p, logs.resolve(name + ".pid"));
            return new Child(p, log);
        }

        long pid() {
            return process.pid();
        }

        void awaitHttp(int port, Duration limit) throws Exception {
            long deadline = System.nanoTime() + limit.toNanos();
            ApiClient api =
                    ApiClient.builder("http://127.0.0.1:" + port)
                            .connectTimeout(Duration.ofSeconds(1))
                            .build();
            while (System.nanoTime() < deadline) {
                requireAlive();
                if (api.live()) {
                    return;
                }
                Thread.sleep(500);
            }
            throw new IllegalStateException("not ready within " + limit + "; see " + log);
        }

        void awaitLine(String line, Duration limit) throws Exception {
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline) {
                requireAlive();
                if (Files.exists(log) && Files.readString(log).contains(line)) {
                    return;
                }
                Thread.sleep(500);
            }
            throw new IllegalStateException("not ready within " + limit + "; see " + log);
        }

        private void requireAlive() {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "exited with " + process.exitValue() + " while starting; see " + log);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
