package io.kbstream.benchmark.report;

import io.kbstream.api.ApiKeys;
import io.kbstream.benchmark.baseline.SyncBaselineServer;
import io.kbstream.benchmark.load.Target;
import io.kbstream.benchmark.load.Workload;
import io.kbstream.client.ApiClient;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
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
import java.util.function.Consumer;
import redis.clients.jedis.JedisPooled;

/**
 * One {@code kb bench report} run: each design in its own processes on free loopback ports (the
 * event-driven query API and the indexing pipeline, then the synchronous baseline), measured one
 * after the other with the same workload against the shared local stack, each on its own tenants,
 * which are deleted at the end.
 */
public final class BenchRun {

    /** First loopback port tried; 25400–25482 belong to the local stack and the demo. */
    public static final int FIRST_PORT = 25490;

    private BenchRun() {}

    /** Runs both designs and writes the report under {@code outDir}; returns the table. */
    public static String run(
            BenchSettings settings, Path dataDir, Path outDir, Consumer<String> log)
            throws Exception {
        KbConfig base = KbConfig.load();
        String runId = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> keys = new LinkedHashMap<>();
        for (String suffix : List.of("ed", "edu", "sy", "syu")) {
            keys.put(runId + "-" + suffix, ApiKeys.mint());
        }
        List<String> entries = new ArrayList<>();
        keys.forEach((tenant, key) -> entries.add(ApiKeys.configEntry(tenant, key)));
        List<String> props =
                List.of(
                        "-D" + ApiOptions.KEYS.key() + "=" + String.join(",", entries),
                        "-D" + ApiOptions.RATE_LIMIT_PER_SECOND.key() + "=1000000",
                        "-D" + ApiOptions.RATE_LIMIT_BURST.key() + "=1000000");
        // logs and pid files beside the stack's own: kb stack status shows, kb stack down stops
        // them
        Path logs = LocalStack.runDir(base);
        Files.createDirectories(logs);
        Workload workload = Workload.load(dataDir, Math.max(settings.bulkDocs(), 1000));
        Map<String, Object> header = header(settings, runId, dataDir);
        log.accept("run " + runId + "; load average " + header.get("loadAverageAtStart"));
        try (ShardedStore store = ShardedStore.open(base);
                JedisPooled redis = RedisConnections.pooled(base)) {
            BenchReport report =
                    new BenchReport(
                            settings, store, new IndexGenerations(redis), workload, runId, log);
            Map<String, Object> ed;
            Map<String, Object> sync;
            try {
                int apiPort = freePort(FIRST_PORT + 1);
                List<String> apiProps = new ArrayList<>(props);
                apiProps.add("-D" + ApiOptions.PORT.key() + "=" + apiPort);
                try (Child api =
                                Child.start(
                                        "bench-query-api",
                                        "io.kbstream.api.ApiServer",
                                        apiProps,
                                        List.of(),
                                        logs);
                        Child pipeline =
                                Child.start(
                                        "bench-pipeline",
                                        EventPipelineMain.class.getName(),
                                        props,
                                        List.of(),
                                        logs)) {
                    api.awaitHttp(apiPort, Duration.ofSeconds(180));
                    pipeline.awaitLine(EventPipelineMain.READY, Duration.ofSeconds(180));
                    log.accept(
                            "event-driven: API pid "
                                    + api.pid()
                                    + " on "
                                    + apiPort
                                    + ", pipeline pid "
                                    + pipeline.pid());
                    ed =
                            report.measure(
                                    new Design(
                                            BenchReport.EVENT_DRIVEN,
                                            new Target(
                                                    BenchReport.EVENT_DRIVEN,
                                                    URI.create("http://127.0.0.1:" + apiPort),
                                                    keys.get(runId + "-ed"),
                                                    keys.get(runId + "-edu")),
                                            runId + "-ed",
                                            runId + "-edu",
                                            Map.of(
                                                    "query-api", api.pid(),
                                                    "indexing pipeline", pipeline.pid())));
                }
                int syncPort = freePort(FIRST_PORT);
                try (Child baseline =
                        Child.start(
                                "bench-sync-baseline",
                                SyncBaselineServer.class.getName(),
                                props,
                                List.of("--port", Integer.toString(syncPort)),
                                logs)) {
                    baseline.awaitHttp(syncPort, Duration.ofSeconds(180));
                    log.accept("synchronous: baseline pid " + baseline.pid() + " on " + syncPort);
                    sync =
                            report.measure(
                                    new Design(
                                            BenchReport.SYNCHRONOUS,
                                            new Target(
                                                    BenchReport.SYNCHRONOUS,
                                                    URI.create("http://127.0.0.1:" + syncPort),
                                                    keys.get(runId + "-sy"),
                                                    keys.get(runId + "-syu")),
                                            runId + "-sy",
                                            runId + "-syu",
                                            Map.of("sync baseline", baseline.pid())));
                }
            } finally {
                for (String tenant : keys.keySet()) {
                    store.deleteTenant(tenant);
                }
            }
            header.put("loadAverageAtEnd", ProcStats.loadAverage());
            return BenchReport.write(outDir, header, ed, sync);
        }
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
