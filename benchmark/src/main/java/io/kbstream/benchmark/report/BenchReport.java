package io.kbstream.benchmark.report;

import io.kbstream.benchmark.load.LoadGenerator;
import io.kbstream.benchmark.load.LoadGenerator.Call;
import io.kbstream.benchmark.load.Phase;
import io.kbstream.benchmark.load.Target;
import io.kbstream.benchmark.load.Workload;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.stack.CpuPriority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The phases of one report run, each measuring one design through the {@link LoadGenerator} and
 * returning its JSON section. {@link BenchRun} starts the processes and calls them in order.
 */
public final class BenchReport {

    public static final String EVENT_DRIVEN = "event-driven";
    public static final String SYNCHRONOUS = "synchronous";

    private static final Duration SETTLE = Duration.ofSeconds(3);

    private final BenchSettings settings;
    private final IndexGenerations generations;
    private final Workload workload;
    private final String runId;
    private final Consumer<String> log;
    private final LoadGenerator load;

    public BenchReport(
            BenchSettings settings,
            IndexGenerations generations,
            Workload workload,
            String runId,
            Consumer<String> log,
            LoadGenerator load) {
        this.settings = settings;
        this.generations = generations;
        this.workload = workload;
        this.runId = runId;
        this.log = log;
        this.load = load;
    }

    /**
     * The same report with another run word: its cold pass asks claims no cache holds yet, though
     * this report's passes ran before (the word is in every claim and in uploaded ids).
     */
    public BenchReport withRunWord(String word) {
        return new BenchReport(settings, generations, workload, word, log, load);
    }

    public LoadGenerator load() {
        return load;
    }

    // ---------------------------------------------------------------- the generator itself

    /** The generator's ceiling on a trivial endpoint, reported beside every result. */
    public Map<String, Object> capacity(Target target) {
        Map<String, Object> m =
                load.capacity(target, settings.capacityRates(), settings.capacityStep());
        log.accept(
                "generator: held "
                        + m.get("heldPerSecond")
                        + " req/s open-loop on GET /health/live (p95 < 10 ms)");
        return m;
    }

    // ---------------------------------------------------------------- indexing

    /**
     * Uploads {@code docs} abstracts ({@code bulkInFlight} at a time) into {@code tenant} and waits
     * until {@code indexed} counts them all: upload acknowledgement latency and documents per hour,
     * from the first upload to the last document indexed.
     */
    public Map<String, Object> bulk(
            String name, Target target, String key, String tenant, LongSupplier indexed)
            throws InterruptedException {
        List<Workload.Doc> docs =
                workload.docs().subList(0, Math.min(settings.bulkDocs(), workload.docs().size()));
        log.accept(name + ": bulk ingest of " + docs.size() + " SciFact abstracts into " + tenant);
        AtomicLong acked = new AtomicLong();
        long before = indexed.getAsLong();
        long t0 = System.nanoTime();
        List<double[]> series = new ArrayList<>();
        Thread sampler =
                new Thread(
                        () ->
                                LoadGenerator.sampleEverySecond(
                                        () -> indexed.getAsLong() - before,
                                        series,
                                        settings.indexWaitLimit().multipliedBy(2)),
                        "bench-ingest-sampler");
        sampler.start();
        Phase uploads =
                load.closedLoop(
                        uploads(target, key, tenant, docs),
                        settings.bulkInFlight(),
                        settings.indexWaitLimit(),
                        r -> acked.incrementAndGet());
        long deadline = System.nanoTime() + settings.indexWaitLimit().toNanos();
        long done;
        while ((done = indexed.getAsLong() - before) < acked.get()
                && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        sampler.interrupt();
        sampler.join();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant", tenant);
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
                name
                        + ": "
                        + done
                        + " of "
                        + acked.get()
                        + " indexed in "
                        + m.get("secondsToIndexAll")
                        + " s ("
                        + m.get("documentsPerHour")
                        + " docs/h); ack "
                        + brief(uploads, "upload"));
        return m;
    }

    /**
     * Starts a bulk import of {@code importDocs} abstracts into {@code tenant}, in the background.
     */
    public CompletableFuture<Phase> startImport(Target target, String key, String tenant) {
        int from = Math.min(settings.bulkDocs(), workload.docs().size());
        int to = Math.min(from + settings.importDocs(), workload.docs().size());
        List<Call> calls = uploads(target, key, tenant, workload.docs().subList(from, to));
        log.accept("bulk import of " + calls.size() + " abstracts into " + tenant + " started");
        return CompletableFuture.supplyAsync(
                () -> load.closedLoop(calls, 16, settings.indexWaitLimit(), r -> {}));
    }

    private List<Call> uploads(Target target, String key, String prefix, List<Workload.Doc> docs) {
        List<Call> calls = new ArrayList<>();
        for (Workload.Doc doc : docs) {
            calls.add(
                    new Call(
                            "upload",
                            LoadGenerator.upload(target, key, prefix + "-" + doc.id(), doc)));
        }
        return calls;
    }

    /**
     * Waits until the tenant's document count and cache generation have not moved for {@link
     * #SETTLE}: the design has finished indexing and caches stay valid.
     */
    public boolean awaitSettled(String tenant, LongSupplier indexed) throws InterruptedException {
        long deadline = System.nanoTime() + settings.indexWaitLimit().toNanos();
        long quietSince = System.nanoTime();
        long lastCount = indexed.getAsLong();
        long lastGeneration = generations.current(tenant);
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            long count = indexed.getAsLong();
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

    // ---------------------------------------------------------------- search latency

    /**
     * The same distinct claims twice, one client: cold (new to every cache, the query-embedding
     * cache included, thanks to a per-run word) then warm.
     */
    public Map<String, Object> coldAndWarm(String name, Target target) {
        return coldAndWarm(name, target, 1);
    }

    /**
     * As {@link #coldAndWarm(String, Target)}, with the warm pass asking the claims {@code
     * warmPasses} times over (enough requests for a profiler's samples), and each pass's wall-clock
     * window ({@code fromEpochMs}, {@code toEpochMs}) in its summary.
     */
    public Map<String, Object> coldAndWarm(String name, Target target, int warmPasses) {
        String word = runId.replaceAll("[^a-z0-9]", "");
        List<Call> warmUp = new ArrayList<>();
        List<String> qs = workload.queries();
        for (int i = 0; i < 20; i++) {
            warmUp.add(search(target, qs.get(qs.size() - 1 - i) + " warmup " + word));
        }
        // a fresh JVM's first requests measure the JIT, not the design
        load.closedLoop(warmUp, 2, Duration.ofSeconds(60), r -> {});
        List<Call> queries = new ArrayList<>();
        for (int i = 0; i < Math.min(settings.coldQueries(), qs.size()); i++) {
            queries.add(search(target, qs.get(i) + " " + word));
        }
        List<Call> warmQueries = new ArrayList<>();
        for (int pass = 0; pass < warmPasses; pass++) {
            warmQueries.addAll(queries);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        Phase cold =
                timed(
                        m,
                        "cold",
                        () -> load.closedLoop(queries, 1, Duration.ofSeconds(120), r -> {}));
        Phase warm =
                timed(
                        m,
                        "warm",
                        () -> load.closedLoop(warmQueries, 1, Duration.ofSeconds(120), r -> {}));
        log.accept(
                name
                        + ": search cold "
                        + brief(cold, "search")
                        + "; warm "
                        + brief(warm, "search"));
        return m;
    }

    /** Runs {@code pass} and puts its summary, with its wall-clock window, into {@code m}. */
    private static Phase timed(Map<String, Object> m, String name, Supplier<Phase> pass) {
        long from = System.currentTimeMillis();
        Phase phase = pass.get();
        Map<String, Object> summary = phase.summary();
        summary.put("fromEpochMs", from);
        summary.put("toEpochMs", System.currentTimeMillis());
        m.put(name, summary);
        return phase;
    }

    private static Call search(Target target, String query) {
        return new Call("search", LoadGenerator.search(target, query));
    }

    // ---------------------------------------------------------------- one machine, two roles

    /**
     * Upload and uncached search latency while the pipeline indexes the bulk import, first with the
     * pipeline at normal priority, then lowered to {@code nice} (the local pipeline's default): the
     * measure that keeps inference from starving the API.
     */
    public Map<String, Object> twoRoles(Target target, long pipelinePid, long apiPid, int nice)
            throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("withoutPriority", rolesPhase(target, pipelinePid, apiPid, "normal priority"));
        log.accept("pipeline: " + CpuPriority.set(pipelinePid, nice));
        m.put("pipelineNice", nice);
        m.put("withLoweredPriority", rolesPhase(target, pipelinePid, apiPid, "nice " + nice));
        return m;
    }

    private Map<String, Object> rolesPhase(Target target, long pipelinePid, long apiPid, String how)
            throws Exception {
        String word = runId.replaceAll("[^a-z0-9]", "") + how.replaceAll("[^a-z0-9]", "");
        AtomicLong n = new AtomicLong();
        ProcStats pipeline0 = ProcStats.sample(pipelinePid);
        ProcStats api0 = ProcStats.sample(apiPid);
        CompletableFuture<Phase> uploads =
                CompletableFuture.supplyAsync(
                        () ->
                                load.openLoop(
                                        settings.rolesUploadRate(),
                                        settings.rolesLength(),
                                        settings.maxInFlight(),
                                        settings.grace(),
                                        r -> new Call("upload", load.uploadRequest(target, r))));
        Phase searches =
                load.openLoop(
                        settings.rolesSearchRate(),
                        settings.rolesLength(),
                        settings.maxInFlight(),
                        settings.grace(),
                        r ->
                                search(
                                        target,
                                        workload.queries().get(r.nextInt(workload.queries().size()))
                                                + " "
                                                + word
                                                + n.incrementAndGet()));
        Phase up = uploads.get();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pipeline", how);
        m.put("upload", up.summary());
        m.put("uncachedSearch", searches.summary());
        m.put("pipelineCpu", ProcStats.between(pipeline0, ProcStats.sample(pipelinePid)));
        m.put("apiCpu", ProcStats.between(api0, ProcStats.sample(apiPid)));
        log.accept(
                "two roles, pipeline at "
                        + how
                        + ": upload "
                        + brief(up, "upload")
                        + "; uncached search "
                        + brief(searches, "search"));
        return m;
    }

    // ---------------------------------------------------------------- the seed's targets

    /** Asks every SciFact claim once, so the Zipf mix that follows is answered from the cache. */
    public Map<String, Object> warmCache(Target target) {
        List<Call> all = new ArrayList<>();
        for (String q : workload.queries()) {
            all.add(search(target, q));
        }
        Phase p = load.closedLoop(all, 4, Duration.ofSeconds(300), r -> {});
        log.accept("cache warmed with " + all.size() + " claims: " + brief(p, "search"));
        return p.summary();
    }

    /** Uploads at {@code uploadRate}/s open-loop: acknowledgement p50/p95/p99. */
    public Map<String, Object> uploadTarget(Target target) {
        Phase p =
                load.openLoop(
                        settings.uploadRate(),
                        settings.uploadLength(),
                        settings.maxInFlight(),
                        settings.grace(),
                        r -> new Call("upload", load.uploadRequest(target, r)));
        Map<String, Object> m = p.summary();
        log.accept("uploads at " + settings.uploadRate() + "/s: " + brief(p, "upload"));
        return m;
    }

    /** Cached searches on the Zipf mix of the SciFact claims, open-loop at each rate. */
    public Map<String, Object> cachedSearchTarget(Target target) {
        List<Map<String, Object>> levels = new ArrayList<>();
        double best = 0;
        for (int rate : settings.searchRates()) {
            Phase p =
                    load.openLoop(
                            rate,
                            settings.searchStep(),
                            settings.maxInFlight(),
                            settings.grace(),
                            r -> new Call("search", load.searchRequest(target, r)));
            Map<String, Object> level = p.summary();
            boolean held = LoadGenerator.held(p, rate, BenchSettings.SEARCH_P95_TARGET_MS);
            level.put("heldWithinTarget", held);
            levels.add(level);
            log.accept("cached search at " + rate + "/s: " + brief(p, "search"));
            if (held) {
                best = Math.max(best, p.achievedPerSecond());
            }
            if (p.all().millisAt(95) > 1000) {
                break; // far past it: a higher rate tells nothing more
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("levels", levels);
        m.put("bestPerSecondWithinTarget", Math.round(best));
        return m;
    }

    /**
     * Simulated users: {@code target} users first; when they fail the target, the largest count
     * that holds it is found by bisection (geometric, between a count that holds and one that does
     * not) to within 10 %.
     */
    public Map<String, Object> users(String name, Target target, int targetUsers, int floor) {
        List<Map<String, Object>> steps = new ArrayList<>();
        Bisection found =
                Bisection.largestHolding(
                        targetUsers,
                        floor,
                        1.10,
                        users -> {
                            try {
                                return probe(name, target, users, steps);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException("interrupted", e);
                            }
                        });
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", targetUsers);
        m.put("targetMet", found.held() >= targetUsers);
        m.put("maxUsersWithinTarget", found.held());
        m.put("lowestFailing", found.lowestFailing());
        m.put("steps", steps);
        return m;
    }

    private boolean probe(String name, Target target, int users, List<Map<String, Object>> steps)
            throws InterruptedException {
        Phase step =
                load.users(
                        target,
                        users,
                        settings.userRamp(),
                        settings.userMeasure(),
                        settings.grace(),
                        LoadGenerator.DEFAULT_MIX,
                        new LoadGenerator.Limits(
                                BenchSettings.USERS_P95_TARGET_MS * 5, 50, settings.maxInFlight()));
        double p95 = step.op("search").millisAt(95);
        boolean ok =
                step.stoppedBecause() == null
                        && step.op("search").count() > 0
                        && p95 < BenchSettings.USERS_P95_TARGET_MS
                        && step.all().errorRate() < BenchSettings.ERROR_RATE_TARGET;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("users", users);
        s.put("withinTarget", ok);
        s.putAll(step.summary());
        steps.add(s);
        log.accept(
                name
                        + ": "
                        + users
                        + " users: search "
                        + brief(step, "search")
                        + ", errors "
                        + step.all().errors()
                        + "/"
                        + step.all().count()
                        + (step.stoppedBecause() == null
                                ? ""
                                : ", stopped: " + step.stoppedBecause())
                        + (ok ? " — holds" : " — fails"));
        Thread.sleep(2000); // the next step starts on a quiet server
        return ok;
    }

    static String brief(Phase p, String kind) {
        var s = p.op(kind);
        return String.format(
                java.util.Locale.ROOT,
                "p50 %.2f / p95 %.2f / p99 %.2f ms, %d ok, %d errors (%d unfinished), %.1f/s,"
                        + " send lag p99 %.2f ms",
                s.millisAt(50),
                s.millisAt(95),
                s.millisAt(99),
                s.count() - s.errors(),
                s.errors(),
                p.unfinished(),
                p.achievedPerSecond(),
                p.sendLag().millisAt(99));
    }

    /** Documents of {@code tenant} in the shards of {@code store}. */
    public static long indexed(ShardedStore store, String tenant) {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            n += store.countDocuments(s, tenant);
        }
        return n;
    }
}
