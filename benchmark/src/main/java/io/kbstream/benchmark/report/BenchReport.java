package io.kbstream.benchmark.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kbstream.benchmark.load.LoadGenerator;
import io.kbstream.benchmark.load.LoadGenerator.Phase;
import io.kbstream.benchmark.load.LoadGenerator.StepResult;
import io.kbstream.benchmark.load.Workload;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.store.ShardedStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Measures one design at a time with the same workload and the same phases, then writes both side
 * by side: {@code report.json}, {@code report.md} (the table with the ratio event-driven ÷
 * synchronous per row) and two PNG plots.
 *
 * <p>Phases per design: bulk ingest (upload acknowledgement latency, documents indexed over time),
 * cold then warm search (the same distinct claims twice, one client), closed-loop search
 * throughput, then simulated users ramped in steps until p95 or the error rate breaks.
 */
public final class BenchReport {

    public static final String EVENT_DRIVEN = "event-driven";
    public static final String SYNCHRONOUS = "synchronous";

    private static final Duration SETTLE = Duration.ofSeconds(3);

    private final BenchSettings settings;
    private final ShardedStore store;
    private final IndexGenerations generations;
    private final Workload workload;
    private final String runId;
    private final Consumer<String> log;

    public BenchReport(
            BenchSettings settings,
            ShardedStore store,
            IndexGenerations generations,
            Workload workload,
            String runId,
            Consumer<String> log) {
        this.settings = settings;
        this.store = store;
        this.generations = generations;
        this.workload = workload;
        this.runId = runId;
        this.log = log;
    }

    /** Runs every phase against one design; the result is that design's JSON section. */
    public Map<String, Object> measure(Design design) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<Long, ProcStats> start = new LinkedHashMap<>();
        design.processes().values().forEach(pid -> start.put(pid, ProcStats.sample(pid)));
        try (LoadGenerator load =
                new LoadGenerator(
                        workload, settings.maxInFlight(), settings.zipfExponent(), runId)) {
            out.put("bulkIngest", bulk(design, load));
            out.put("search", searches(design, load));
            out.put("throughput", throughput(design, load));
            out.put("users", users(design, load));
        }
        Map<String, Object> procs = new LinkedHashMap<>();
        design.processes()
                .forEach(
                        (role, pid) ->
                                procs.put(
                                        role,
                                        ProcStats.between(start.get(pid), ProcStats.sample(pid))));
        out.put("processes", procs);
        return out;
    }

    private Map<String, Object> bulk(Design design, LoadGenerator load) throws Exception {
        List<Workload.Doc> docs =
                workload.docs().subList(0, Math.min(settings.bulkDocs(), workload.docs().size()));
        log.accept(design.name() + ": bulk ingest of " + docs.size() + " SciFact abstracts");
        AtomicLong acked = new AtomicLong();
        long before = indexed(design.searchTenant());
        long t0 = System.nanoTime();
        List<double[]> series = new ArrayList<>();
        Thread sampler =
                new Thread(
                        () ->
                                LoadGenerator.sampleEverySecond(
                                        () -> indexed(design.searchTenant()) - before,
                                        series,
                                        settings.bulkLimit().plus(settings.indexWaitLimit())),
                        "bench-ingest-sampler");
        sampler.start();
        Phase uploads =
                load.uploads(
                        design.target(),
                        docs,
                        runId + "-",
                        settings.bulkInFlight(),
                        settings.bulkLimit(),
                        acked::incrementAndGet);
        // wait until everything acknowledged is indexed (the event-driven design indexes later)
        long deadline = System.nanoTime() + settings.indexWaitLimit().toNanos();
        long done;
        while ((done = indexed(design.searchTenant()) - before) < acked.get()
                && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        sampler.interrupt();
        sampler.join();
        boolean settled = awaitSettled(design.searchTenant(), deadline);
        Map<String, Object> m = new LinkedHashMap<>();
        // searches measured while indexing still bumps the generation would never hit the cache
        m.put("settledBeforeSearch", settled);
        m.put("uploadAck", uploads.summary());
        m.put("acknowledged", acked.get());
        m.put("indexed", done);
        m.put("secondsToIndexAll", Math.round(seconds * 10) / 10.0);
        m.put("documentsPerHour", Math.round(done / seconds * 3600));
        List<List<Double>> timeline = new ArrayList<>();
        synchronized (series) {
            for (double[] p : series) {
                timeline.add(List.of(p[0], p[1]));
            }
        }
        m.put("indexedOverTime", timeline);
        log.accept(
                design.name()
                        + ": "
                        + done
                        + " of "
                        + acked.get()
                        + " indexed in "
                        + m.get("secondsToIndexAll")
                        + " s; ack "
                        + uploads.summary());
        return m;
    }

    /**
     * Waits until the tenant's document count and cache generation have not moved for {@link
     * #SETTLE}: the design has finished indexing (retries, late batches) and caches stay valid.
     */
    private boolean awaitSettled(String tenant, long deadlineNanos) throws InterruptedException {
        long quietSince = System.nanoTime();
        long lastCount = indexed(tenant);
        long lastGeneration = generations.current(tenant);
        while (System.nanoTime() < deadlineNanos + SETTLE.toNanos()) {
            Thread.sleep(250);
            long count = indexed(tenant);
            long generation = generations.current(tenant);
            if (count != lastCount || generation != lastGeneration) {
                lastCount = count;
                lastGeneration = generation;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= SETTLE.toNanos()) {
                return true;
            }
        }
        log.accept("warning: " + tenant + " still changing when the search phases start");
        return false;
    }

    private long indexed(String tenant) {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            n += store.countDocuments(s, tenant);
        }
        return n;
    }

    private Map<String, Object> searches(Design design, LoadGenerator load) {
        // distinct claims with a per-run word: new to every cache (the query-embedding cache in
        // Redis included), the same strings for both designs
        List<String> queries = new ArrayList<>();
        String word = runId.replaceAll("[^a-z0-9]", "");
        for (int i = 0; i < Math.min(settings.coldQueries(), workload.queries().size()); i++) {
            queries.add(workload.queries().get(i) + " " + word);
        }
        Duration limit = Duration.ofSeconds(120);
        // a fresh JVM's first requests measure the JIT, not the design: warm up on other claims
        List<String> warmUp = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            warmUp.add(
                    workload.queries().get(workload.queries().size() - 1 - i) + " warmup " + word);
        }
        load.searches(design.target(), warmUp, 2, Duration.ofSeconds(60), false);
        Phase cold = load.searches(design.target(), queries, 1, limit, false);
        Phase warm = load.searches(design.target(), queries, 1, limit, false);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cold", cold.summary());
        m.put("warm", warm.summary());
        log.accept(design.name() + ": search cold " + brief(cold) + ", warm " + brief(warm));
        return m;
    }

    private Map<String, Object> throughput(Design design, LoadGenerator load) {
        List<String> zipfQueries = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            zipfQueries.add(workload.queries().get(load.zipf().next(random)));
        }
        List<Map<String, Object>> levels = new ArrayList<>();
        double best = 0;
        for (int c : settings.throughputConcurrency()) {
            Phase p =
                    load.searches(design.target(), zipfQueries, c, settings.throughputStep(), true);
            Map<String, Object> m = p.summary();
            m.put("concurrency", c);
            levels.add(m);
            double perSecond = p.stats.count() / p.seconds;
            log.accept(design.name() + ": search x" + c + " " + brief(p));
            if (p.stats.millisAt(95) < settings.p95TargetMs()
                    && p.stats.errorRate() < settings.errorRateTarget()) {
                best = Math.max(best, perSecond);
            } else {
                break;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("levels", levels);
        m.put("bestPerSecondWithinTarget", Math.round(best * 10) / 10.0);
        return m;
    }

    private Map<String, Object> users(Design design, LoadGenerator load) throws Exception {
        List<Map<String, Object>> steps = new ArrayList<>();
        int held = 0;
        for (int users : settings.userSteps()) {
            log.accept(design.name() + ": " + users + " simulated users");
            StepResult step =
                    load.users(
                            design.target(),
                            users,
                            settings.userRamp(),
                            settings.userMeasure(),
                            LoadGenerator.DEFAULT_MIX,
                            new LoadGenerator.Limits(
                                    settings.p95TargetMs() * 5, 50, settings.maxUploadsPerStep()));
            Map<String, Object> s = step.summary();
            double p95 = step.all().millisAt(95);
            boolean ok =
                    step.stoppedBecause() == null
                            && step.all().count() > 0
                            && p95 < settings.p95TargetMs()
                            && step.errorRate() < settings.errorRateTarget();
            s.put("withinTarget", ok);
            steps.add(s);
            log.accept(
                    design.name()
                            + ": "
                            + users
                            + " users p95 "
                            + p95
                            + " ms, errors "
                            + step.errors()
                            + "/"
                            + step.requests()
                            + ", "
                            + s.get("requestsPerSecond")
                            + " req/s"
                            + (step.stoppedBecause() == null
                                    ? ""
                                    : ", stopped: " + step.stoppedBecause()));
            if (!ok) {
                break;
            }
            held = users;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("maxUsersWithinTarget", held);
        return m;
    }

    private static String brief(Phase p) {
        return String.format(
                "p50 %.2f / p95 %.2f / p99 %.2f ms, %d ok, %d errors, %.1f/s",
                p.stats.millisAt(50),
                p.stats.millisAt(95),
                p.stats.millisAt(99),
                p.stats.count() - p.stats.errors(),
                p.stats.errors(),
                p.stats.count() / p.seconds);
    }

    // ------------------------------------------------------------------ the written report

    /** Writes report.json, report.md and the two plots under {@code dir}; returns the table. */
    public static String write(
            Path dir,
            Map<String, Object> header,
            Map<String, Object> eventDriven,
            Map<String, Object> sync)
            throws IOException {
        Files.createDirectories(dir);
        List<ReportTable.Row> rows = ReportTable.rows(eventDriven, sync);
        Map<String, Object> json = new LinkedHashMap<>(header);
        json.put("writtenAt", Instant.now().toString());
        json.put("table", ReportTable.asJson(rows));
        json.put(EVENT_DRIVEN, eventDriven);
        json.put(SYNCHRONOUS, sync);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("report.json").toFile(), json);
        String table = ReportTable.markdown(rows);
        StringBuilder md = new StringBuilder("# kb-stream: event-driven vs synchronous\n\n");
        header.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append('\n').append(table);
        Files.writeString(dir.resolve("report.md"), md.toString());
        Plots.latencyVsUsers(dir.resolve("latency-vs-users.png"), eventDriven, sync);
        Plots.ingestOverTime(dir.resolve("ingest-throughput.png"), eventDriven, sync);
        return table;
    }
}
