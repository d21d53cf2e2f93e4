package io.kbstream.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kbstream.core.config.KbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The bounded soak: simulated users ({@link SoakWorker}) on a private stack (port base + 400,
 * {@code .kb/soak}) for {@code minutes}; the first quarter without faults (the reference p95 and
 * the API's heap and open files), then one SIGKILL + restart every few minutes, in turn Kafka,
 * shard 1, Redis and the pipeline. At the end: every acknowledged upload and delete checked against
 * the shards, the API's heap after GC and open files against the reference, and p95 under faults
 * against the unfaulted p95 (each request timed from its scheduled start, failed searches counted
 * as the request timeout: see {@link SoakWorker}).
 */
public final class SoakRun {

    static final int PORT_OFFSET = 400;
    private static final List<String> FAULTS =
            List.of("kafka", "postgres-shard-1", "redis", "pipeline");

    /** What the run does; {@link #of(int)} derives the rest from the minutes. */
    public record Settings(int minutes, long seed, int users, Duration outage) {
        public static Settings of(int minutes) {
            return new Settings(minutes, 42, 3, Duration.ofSeconds(20));
        }
    }

    private SoakRun() {}

    /** Runs the soak and writes {@code soak.json} and {@code soak.md}; true if every check held. */
    public static boolean run(Settings settings, Path outDir, Consumer<String> log)
            throws Exception {
        String tenant = "soak-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("startedAt", Instant.now().toString());
        report.put("minutes", settings.minutes());
        report.put("seed", settings.seed());
        report.put("users", settings.users());
        report.put("outageSeconds", settings.outage().toSeconds());
        // a figure taken on a busy machine says so in its own file
        report.put("loadAverageBefore", loadAverage());
        try (FaultStack stack =
                FaultStack.start("soak", PORT_OFFSET, List.of(tenant), Map.of(), log)) {
            Ledger ledger = new Ledger();
            SoakWorker.Latencies warmUp = SoakWorker.Latencies.create();
            SoakWorker.Latencies baseline = SoakWorker.Latencies.create();
            SoakWorker.Latencies faulted = SoakWorker.Latencies.create();
            // the first minute holds the cold start (model, JIT, pools): not the reference
            AtomicReference<SoakWorker.Latencies> phase = new AtomicReference<>(warmUp);
            AtomicBoolean stopped = new AtomicBoolean();
            // every search and acknowledged upload with its scheduled start (a few per second
            // and user: small for any soak length)
            SoakWorker.Recorder recorder =
                    new SoakWorker.Recorder(
                            phase::get,
                            new ConcurrentLinkedQueue<>(),
                            new ConcurrentLinkedQueue<>());
            List<Thread> users = new ArrayList<>();
            for (int u = 0; u < settings.users(); u++) {
                SoakWorker worker =
                        new SoakWorker(
                                stack.client(tenant, ledger),
                                new Corpus(settings.seed()),
                                "user" + u,
                                settings.seed() + u,
                                SoakWorker.Pace.standard(),
                                recorder,
                                stopped);
                worker.loops().forEach((name, loop) -> users.add(new Thread(loop, "soak-" + name)));
            }
            users.forEach(Thread::start);
            long total = settings.minutes() * 60_000L;
            long warmUpMillis = Math.min(60_000L, total / 8);
            Thread.sleep(warmUpMillis);
            phase.set(baseline);
            Thread.sleep(total / 4 - warmUpMillis);
            ProcessSample apiBefore = ProcessSample.of(stack.api().pid().orElse(-1));
            log.accept("soak   unfaulted phase done; API " + apiBefore);
            phase.set(faulted);
            long faultedSince = System.nanoTime();
            List<SoakWindows.Fault> faults = injectFaults(stack, settings, total - total / 4, log);
            report.put(
                    "faults",
                    faults.stream()
                            .map(
                                    f ->
                                            Map.<String, Object>of(
                                                    "service",
                                                    f.service(),
                                                    "outageSeconds",
                                                    f.outage().seconds()))
                            .toList());
            stopped.set(true);
            for (Thread user : users) {
                user.join(60_000);
            }
            ShardAudit.Audit audit =
                    new ShardAudit(stack.config())
                            .awaitSettled(tenant, ledger.expected(), Duration.ofMinutes(10));
            ProcessSample apiAfter = ProcessSample.of(stack.api().pid().orElse(-1));
            report.put("requests", ledger.attempts().size());
            report.put("audit", audit);
            report.put("apiBefore", apiBefore);
            report.put("apiAfter", apiAfter);
            report.put("warmUpSecondsExcluded", warmUpMillis / 1000);
            report.put("p95Ms", p95s(baseline, faulted));
            report.put(
                    "failedSearches",
                    Map.of(
                            "unfaulted", baseline.failed().sum(),
                            "faulted", faulted.failed().sum()));
            report.put(
                    "uploadsByWindow",
                    SoakWindows.of(
                            faults,
                            List.copyOf(recorder.uploads()),
                            faultedSince,
                            p95(baseline.upload())));
            report.put(
                    "searchesByWindow",
                    SoakWindows.of(
                            faults,
                            List.copyOf(recorder.searches()),
                            faultedSince,
                            p95(baseline.search())));
            Map<String, Boolean> checks = checks(audit, apiBefore, apiAfter, baseline, faulted);
            report.put("checks", checks);
            write(outDir, report, log);
            stack.deleteTenants();
            return !checks.containsValue(false);
        }
    }

    private static List<SoakWindows.Fault> injectFaults(
            FaultStack stack, Settings settings, long millis, Consumer<String> log)
            throws InterruptedException {
        int count = (int) Math.max(1, millis / Duration.ofMinutes(3).toMillis());
        long period = millis / count;
        List<SoakWindows.Fault> faults = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String service = FAULTS.get(i % FAULTS.size());
            long quiet = Math.max(0, period - settings.outage().toMillis());
            Thread.sleep(quiet / 2);
            Outage outage = Outage.begin(() -> stack.kill(service));
            Thread.sleep(settings.outage().toMillis());
            outage.restart(() -> stack.restart(service));
            faults.add(new SoakWindows.Fault(service, outage));
            log.accept(
                    String.format(
                            "soak   fault %d/%d: %s down %.1f s",
                            i + 1, count, service, outage.seconds()));
            Thread.sleep(quiet - quiet / 2);
        }
        return faults;
    }

    private static Map<String, Double> p95s(
            SoakWorker.Latencies baseline, SoakWorker.Latencies faulted) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("searchUnfaulted", p95(baseline.search()));
        out.put("searchFaulted", p95(faulted.search()));
        out.put("uploadUnfaulted", p95(baseline.upload()));
        out.put("uploadFaulted", p95(faulted.upload()));
        return out;
    }

    private static double p95(org.HdrHistogram.Histogram h) {
        return Math.round(h.getValueAtPercentile(95) / 100.0) / 10.0;
    }

    /**
     * Pass/fail of the soak. Leak bounds: the API's heap after GC may grow by half plus 64 MB
     * (caches fill up to their bounds), its open files by 50 (pooled connections reconnect).
     */
    private static Map<String, Boolean> checks(
            ShardAudit.Audit audit,
            ProcessSample before,
            ProcessSample after,
            SoakWorker.Latencies baseline,
            SoakWorker.Latencies faulted) {
        Map<String, Boolean> checks = new LinkedHashMap<>();
        checks.put("zeroLost", audit.lost() == 0);
        checks.put("zeroDuplicated", audit.duplicated() == 0);
        checks.put("apiHeapStable", after.heapMbAfterGc() <= before.heapMbAfterGc() * 1.5 + 64);
        checks.put("apiOpenFilesStable", after.openFiles() <= before.openFiles() + 50);
        checks.put("searchP95Within2x", p95(faulted.search()) <= 2 * p95(baseline.search()));
        checks.put("uploadP95Within2x", p95(faulted.upload()) <= 2 * p95(baseline.upload()));
        return checks;
    }

    private static void write(Path outDir, Map<String, Object> report, Consumer<String> log)
            throws java.io.IOException {
        Files.createDirectories(outDir);
        report.put("finishedAt", Instant.now().toString());
        report.put("loadAverageAfter", loadAverage());
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(outDir.resolve("soak.json").toFile(), report);
        StringBuilder md = new StringBuilder("# Soak\n\n| item | value |\n|---|---|\n");
        report.forEach(
                (k, v) -> {
                    if (!k.endsWith("ByWindow")) {
                        md.append("| ").append(k).append(" | ").append(v).append(" |\n");
                    }
                });
        windowTable(md, "Acknowledged uploads", report.get("uploadsByWindow"));
        windowTable(md, "Searches", report.get("searchesByWindow"));
        Files.writeString(outDir.resolve("soak.md"), md.toString());
        log.accept("soak   wrote " + outDir.resolve("soak.json") + "\n" + md);
    }

    @SuppressWarnings("unchecked")
    private static void windowTable(StringBuilder md, String what, Object windows) {
        md.append("\n## ")
                .append(what)
                .append(" by window of the faulted phase\n\n")
                .append(
                        "| window | count | failed | p50 ms | p95 ms | max ms | over 2x reference"
                                + " p95 |\n")
                .append("|---|---|---|---|---|---|---|\n");
        ((Map<String, Map<String, Object>>) windows)
                .forEach(
                        (name, row) -> {
                            md.append("| ").append(name);
                            for (String column :
                                    List.of(
                                            "count",
                                            "failed",
                                            "p50Ms",
                                            "p95Ms",
                                            "maxMs",
                                            "over2xReference")) {
                                md.append(" | ").append(row.get(column));
                            }
                            md.append(" |\n");
                        });
    }

    /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), or "unknown". */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" ", fields[0], fields[1], fields[2]);
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /**
     * {@code benchmark/results} for a full run (20 minutes or more), else {@code
     * reliability/results}: every run's figures are a file that can be committed.
     */
    public static Path outDir(int minutes) {
        return minutes >= 20
                ? KbConfig.home().resolve("benchmark/results")
                : KbConfig.home().resolve("reliability/results");
    }
}
