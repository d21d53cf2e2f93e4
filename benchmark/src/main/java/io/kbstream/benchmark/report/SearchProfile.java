package io.kbstream.benchmark.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kbstream.api.ApiMain;
import io.kbstream.api.http.ApiKeys;
import io.kbstream.benchmark.baseline.SyncBaselineServer;
import io.kbstream.benchmark.load.LoadGenerator;
import io.kbstream.benchmark.load.Target;
import io.kbstream.benchmark.load.Workload;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.RedisOptions;
import io.kbstream.core.config.StackOptions;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.stack.LocalStack;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import jdk.jfr.consumer.RecordedEvent;
import redis.clients.jedis.JedisPooled;

/**
 * {@code kb bench profile} (issue 16, defect 6): where a cold and a warm search spend their time in
 * each design. The same steps as the report's search phases (800 abstracts ingested, then 100
 * distinct claims cold and again warm, one client; the warm pass repeated for enough samples), with
 * each server JVM under Java Flight Recorder ({@link JfrProfile}): CPU by component, socket waits
 * by peer and GC pauses per request, and the CPU the event-driven pipeline used meanwhile.
 */
public final class SearchProfile {

    /**
     * Warm passes over the 100 claims: a warm search is ~1 ms, so 1,000 requests ~1,000 samples.
     */
    static final int WARM_PASSES = 10;

    private final BenchReport report;
    private final ShardedStore store;
    private final Map<String, String> keys;
    private final String runId;
    private final List<String> props;
    private final Path logs;
    private final Path jfrDir;
    private final Path jfc;
    private final int firstPort;
    private final Map<Integer, String> peers;

    private SearchProfile(
            BenchReport report,
            ShardedStore store,
            Map<String, String> keys,
            String runId,
            Path logs,
            Path jfrDir,
            int firstPort,
            Map<Integer, String> peers)
            throws java.io.IOException {
        this.report = report;
        this.store = store;
        this.keys = keys;
        this.runId = runId;
        this.props = BenchRun.childProps(keys);
        this.logs = logs;
        this.jfrDir = jfrDir;
        this.jfc = JfrProfile.writeSettings(jfrDir);
        this.firstPort = firstPort;
        this.peers = peers;
    }

    public static Path run(Path dataDir, Path outFile, Consumer<String> log) throws Exception {
        KbConfig base = KbConfig.load();
        BenchSettings settings = BenchSettings.full();
        String runId = "profile-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> keys = new LinkedHashMap<>();
        for (String suffix : List.of("ed", "sy")) {
            keys.put(runId + "-" + suffix, ApiKeys.mint());
        }
        Path logs = LocalStack.runDir(base);
        Path jfrDir = Files.createDirectories(logs.resolve(runId));
        Workload workload = Workload.load(dataDir, settings.claims(), settings.bulkDocs());
        Map<String, Object> result = BenchRun.header(settings, runId, dataDir);
        result.put("command", "./kb bench profile");
        log.accept("run " + runId + "; load average " + result.get("loadAverageAtStart"));
        try (ShardedStore store = ShardedStore.open(base);
                JedisPooled redis = RedisConnections.pooled(base);
                LoadGenerator load = new LoadGenerator(workload, 1.0, runId)) {
            result.put("queryEmbeddingsClearedAtStart", BenchRun.clearQueryEmbeddings(redis));
            BenchReport report =
                    new BenchReport(
                            settings, new IndexGenerations(redis), workload, runId, log, load);
            SearchProfile profile =
                    new SearchProfile(
                            report,
                            store,
                            keys,
                            runId,
                            logs,
                            jfrDir,
                            base.get(StackOptions.PORT_BASE) + 90,
                            peers(base));
            try {
                result.put(BenchReport.EVENT_DRIVEN, profile.eventDriven());
                result.put(BenchReport.SYNCHRONOUS, profile.synchronous());
            } finally {
                for (String tenant : keys.keySet()) {
                    store.deleteTenant(tenant);
                }
            }
        }
        result.put("loadAverageAtEnd", ProcStats.loadAverage());
        Files.createDirectories(outFile.getParent());
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(outFile.toFile(), result);
        return outFile;
    }

    /**
     * The API as configured (reads from replicas first), then again reading the primaries only: the
     * same tenant, another run word so no cache holds the second pass's claims.
     */
    private Map<String, Object> eventDriven() throws Exception {
        List<String> pipelineProps = new ArrayList<>(props);
        pipelineProps.add("-D" + PipelineOptions.CPU_NICE.key() + "=0");
        String tenant = runId + "-ed";
        Map<String, Object> m = new LinkedHashMap<>();
        // as in the report, the pipeline that indexed the tenant stays up while it is searched
        try (BenchRun.Child pipeline =
                BenchRun.Child.start(
                        "profile-pipeline",
                        EventPipelineMain.class.getName(),
                        pipelineProps,
                        List.of(),
                        logs)) {
            pipeline.awaitLine(EventPipelineMain.READY, Duration.ofSeconds(180));
            m.put("asConfigured", api(pipeline, tenant, report, "query-api", List.of(), true));
            String primaryOnly = PostgresOptions.ReadFrom.PRIMARY_ONLY.name();
            m.put(
                    "primaryOnly",
                    api(
                            pipeline,
                            tenant,
                            report.withRunWord(runId + "primary"),
                            "query-api-primary-only",
                            List.of("-D" + PostgresOptions.READ_FROM.key() + "=" + primaryOnly),
                            false));
        }
        return m;
    }

    /** One API instance, profiled: the bulk ingest first if {@code ingest}, then cold and warm. */
    private Map<String, Object> api(
            BenchRun.Child pipeline,
            String tenant,
            BenchReport passes,
            String name,
            List<String> extraProps,
            boolean ingest)
            throws Exception {
        int apiPort = BenchRun.freePort(firstPort + 1);
        Path jfr = jfrDir.resolve(name + ".jfr");
        List<String> apiProps = new ArrayList<>(props);
        apiProps.addAll(extraProps);
        apiProps.add("-D" + ApiOptions.PORT.key() + "=" + apiPort);
        apiProps.add(flightRecorder(jfr, jfc));
        Target target = target(BenchReport.EVENT_DRIVEN, apiPort, tenant);
        Map<String, Object> searched;
        Map<String, Object> pipelineCpu;
        try (BenchRun.Child api =
                BenchRun.Child.start(
                        "profile-" + name, ApiMain.class.getName(), apiProps, List.of(), logs)) {
            api.awaitHttp(apiPort, Duration.ofSeconds(180));
            if (ingest) {
                ingest(target, tenant);
            }
            ProcStats before = ProcStats.sample(pipeline.pid());
            searched = passes.coldAndWarm(BenchReport.EVENT_DRIVEN, target, WARM_PASSES);
            pipelineCpu = ProcStats.between(before, ProcStats.sample(pipeline.pid()));
        } // the API's recording is written when its JVM exits
        Map<String, Object> m = profiled(searched, jfr);
        m.put("options", extraProps);
        m.put("pipelineDuringSearchPhases", pipelineCpu);
        return m;
    }

    private Map<String, Object> synchronous() throws Exception {
        int port = BenchRun.freePort(firstPort);
        Path jfr = jfrDir.resolve("sync-baseline.jfr");
        List<String> baselineProps = new ArrayList<>(props);
        baselineProps.add(flightRecorder(jfr, jfc));
        String tenant = runId + "-sy";
        Target target = target(BenchReport.SYNCHRONOUS, port, tenant);
        Map<String, Object> searched;
        try (BenchRun.Child baseline =
                BenchRun.Child.start(
                        "profile-sync-baseline",
                        SyncBaselineServer.class.getName(),
                        baselineProps,
                        List.of("--port", Integer.toString(port)),
                        logs)) {
            baseline.awaitHttp(port, Duration.ofSeconds(180));
            ingest(target, tenant);
            searched = report.coldAndWarm(BenchReport.SYNCHRONOUS, target, WARM_PASSES);
        }
        return profiled(searched, jfr);
    }

    /** A server on a loopback port, searched and uploaded to with {@code tenant}'s key. */
    private Target target(String design, int port, String tenant) {
        String key = keys.get(tenant);
        return new Target(design, URI.create("http://127.0.0.1:" + port), key, key);
    }

    private void ingest(Target target, String tenant) throws InterruptedException {
        LongSupplier indexed = () -> BenchReport.indexed(store, tenant);
        report.bulk(target.name(), target, target.searchKey(), tenant, indexed);
        report.awaitSettled(tenant, indexed);
    }

    private static String flightRecorder(Path jfr, Path jfc) {
        return "-XX:StartFlightRecording=filename=" + jfr + ",settings=" + jfc + ",dumponexit=true";
    }

    /** Each pass's latency summary beside what the recording holds for its window. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> profiled(Map<String, Object> searched, Path jfr) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        List<RecordedEvent> events = JfrProfile.events(jfr);
        for (String pass : List.of("cold", "warm")) {
            Map<String, Object> summary = (Map<String, Object>) searched.get(pass);
            Map<String, Object> latency = (Map<String, Object>) summary.get("search");
            long requests = ((Number) latency.get("ok")).longValue();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("latency", latency);
            p.put(
                    "profile",
                    JfrProfile.window(
                            events,
                            Instant.ofEpochMilli((Long) summary.get("fromEpochMs")),
                            Instant.ofEpochMilli((Long) summary.get("toEpochMs")),
                            requests,
                            peers));
            m.put(pass, p);
        }
        return m;
    }

    /** The local stack's servers by port, to name the peers of socket reads. */
    private static Map<Integer, String> peers(KbConfig config) {
        Map<Integer, String> peers = new LinkedHashMap<>();
        peers.put(config.get(RedisOptions.PORT), "redis");
        String kafka = config.get(KafkaOptions.BOOTSTRAP);
        peers.put(Integer.parseInt(kafka.substring(kafka.lastIndexOf(':') + 1)), "kafka");
        List<String> shards = config.get(PostgresOptions.SHARDS);
        for (int i = 0; i < shards.size(); i++) {
            peers.put(
                    URI.create(shards.get(i).substring("jdbc:".length())).getPort(), "shard " + i);
        }
        List<String> replicas = config.get(PostgresOptions.REPLICAS);
        for (int i = 0; i < replicas.size(); i++) {
            String url = replicas.get(i);
            if (!url.isBlank()) {
                peers.putIfAbsent(
                        URI.create(url.substring("jdbc:".length())).getPort(), "replica " + i);
            }
        }
        return peers;
    }
}
