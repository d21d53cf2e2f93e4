package io.kbstream.benchmark.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Simulated users over loopback with one shared async {@link HttpClient}. Users are not threads: a
 * user is a chain of scheduled actions (search most often, upload, status) separated by think time
 * (0.5–2 s). Requests in flight are capped by permits; a user that finds none waits in the
 * scheduler and its latency counts from when it wanted to send, so a saturated generator shows up
 * as latency (and separately as {@code generatorLagMs}) instead of hiding (coordinated omission).
 * Every phase is bounded in requests and time.
 */
public final class LoadGenerator implements AutoCloseable {

    /** The operation mix of one user action. */
    public record Mix(double search, double upload, double status) {
        public Mix {
            if (Math.abs(search + upload + status - 1) > 1e-9) {
                throw new IllegalArgumentException("mix must add up to 1");
            }
        }
    }

    public static final Mix DEFAULT_MIX = new Mix(0.85, 0.05, 0.10);
    static final long THINK_MIN_MS = 500;
    static final long THINK_MAX_MS = 2000;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final ExecutorService httpExecutor;
    private final ScheduledExecutorService scheduler;
    private final Semaphore permits;
    private final int maxInFlight;
    private final Workload workload;
    private final ZipfSampler zipf;
    private final String runId;
    private final AtomicLong uploadSeq = new AtomicLong();

    public LoadGenerator(Workload workload, int maxInFlight, double zipfExponent, String runId) {
        this.workload = workload;
        this.maxInFlight = maxInFlight;
        this.permits = new Semaphore(maxInFlight);
        this.zipf = new ZipfSampler(workload.queries().size(), zipfExponent);
        this.runId = runId;
        this.httpExecutor = Executors.newFixedThreadPool(2, daemon("load-http"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("load-users"));
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .executor(httpExecutor)
                        .build();
    }

    public ZipfSampler zipf() {
        return zipf;
    }

    // ---------------------------------------------------------------- simulated users

    /** One step of the ramp: {@code users} users for {@code ramp} + {@code measure}. */
    public StepResult users(
            Target target, int users, Duration ramp, Duration measure, Mix mix, Limits limits)
            throws InterruptedException {
        UserStep step = new UserStep(target, users, mix, limits);
        SplittableRandom seeds = new SplittableRandom(users * 31L + target.name().hashCode());
        for (int u = 0; u < users; u++) {
            SplittableRandom random = seeds.split();
            long delay = random.nextLong(Math.max(1, ramp.toMillis()));
            scheduler.schedule(() -> step.act(random), delay, TimeUnit.MILLISECONDS);
        }
        Thread.sleep(ramp.toMillis());
        step.measuring = true;
        long start = System.nanoTime();
        long end = start + measure.toNanos();
        String stoppedBecause = null;
        while (System.nanoTime() < end) {
            Thread.sleep(1000);
            OpStats s = step.ops.get("search");
            if (s.count() >= limits.abortAfterRequests()
                    && s.millisAt(95) > limits.abortP95Millis()) {
                stoppedBecause =
                        "search p95 " + s.millisAt(95) + " ms > " + limits.abortP95Millis() + " ms";
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        step.measuring = false;
        step.stopped = true;
        // let what is in flight finish (bounded): the next step starts on a quiet server
        permits.tryAcquire(maxInFlight, 15, TimeUnit.SECONDS);
        permits.release(maxInFlight - permits.availablePermits());
        return new StepResult(users, seconds, step.ops, step.all, step.lag, stoppedBecause);
    }

    /** Bounds of a user step: when to abort it early and how many uploads all users may send. */
    public record Limits(double abortP95Millis, int abortAfterRequests, int maxUploads) {}

    /** Measured requests of one step. */
    public record StepResult(
            int users,
            double seconds,
            Map<String, OpStats> ops,
            OpStats all,
            OpStats generatorLag,
            String stoppedBecause) {

        public long requests() {
            return ops.values().stream().mapToLong(OpStats::count).sum();
        }

        public long errors() {
            return ops.values().stream().mapToLong(OpStats::errors).sum();
        }

        public double errorRate() {
            long n = requests();
            return n == 0 ? 0 : errors() / (double) n;
        }

        public Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("users", users);
            m.put("seconds", Math.round(seconds * 10) / 10.0);
            m.put("requestsPerSecond", Math.round(requests() / seconds * 10) / 10.0);
            m.put("errorRate", errorRate());
            m.put("stoppedBecause", stoppedBecause);
            m.put("all", all.summary(seconds));
            ops.forEach((k, v) -> m.put(k, v.summary(seconds)));
            m.put("generatorLagMs", generatorLag.summary(seconds));
            return m;
        }
    }

    private final class UserStep {
        final Target target;
        final Mix mix;
        final Limits limits;
        final Map<String, OpStats> ops = new LinkedHashMap<>();
        final OpStats lag = new OpStats();
        final OpStats all = new OpStats();
        final AtomicInteger uploads = new AtomicInteger();
        final ConcurrentLinkedQueue<String> uploadedIds = new ConcurrentLinkedQueue<>();
        final AtomicInteger uploadedCount = new AtomicInteger();
        volatile boolean measuring;
        volatile boolean stopped;

        UserStep(Target target, int users, Mix mix, Limits limits) {
            this.target = target;
            this.mix = mix;
            this.limits = limits;
            ops.put("search", new OpStats());
            ops.put("upload", new OpStats());
            ops.put("status", new OpStats());
        }

        void act(SplittableRandom random) {
            if (stopped) {
                return;
            }
            double r = random.nextDouble();
            String kind;
            HttpRequest request;
            String statusId = uploadedIds.peek();
            if (r < mix.upload() && uploads.incrementAndGet() <= limits.maxUploads()) {
                kind = "upload";
                request = uploadRequest(target, random);
            } else if (r >= 1 - mix.status() && statusId != null) {
                kind = "status";
                request = get(target, target.uploadKey(), "/v1/documents/" + statusId);
            } else {
                kind = "search";
                request = searchRequest(target, random);
            }
            send(request, kind, System.nanoTime(), random);
        }

        void send(HttpRequest request, String kind, long intended, SplittableRandom random) {
            if (stopped) {
                return;
            }
            if (!permits.tryAcquire()) {
                // the generator is at its in-flight cap: try again shortly, same intended start
                scheduler.schedule(
                        () -> send(request, kind, intended, random), 5, TimeUnit.MILLISECONDS);
                return;
            }
            long sent = System.nanoTime();
            boolean recording = measuring;
            if (recording) {
                lag.success(sent - intended, false);
            }
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .whenComplete(
                            (response, error) -> {
                                permits.release();
                                long nanos = System.nanoTime() - intended;
                                boolean good = error == null && response.statusCode() / 100 == 2;
                                if (good && kind.equals("upload") && uploadedCount.get() < 1000) {
                                    uploadedCount.incrementAndGet();
                                    uploadedIds.add(idOf(response.body()));
                                }
                                if (recording && measuring) {
                                    OpStats s = ops.get(kind);
                                    if (good) {
                                        all.success(nanos, false);
                                        s.success(
                                                nanos, response.body().contains("\"cached\":true"));
                                    } else {
                                        all.error(nanos, kind);
                                        s.error(
                                                nanos,
                                                error != null
                                                        ? error.toString()
                                                        : response.statusCode()
                                                                + " "
                                                                + response.body());
                                    }
                                }
                                if (!stopped) {
                                    long think = random.nextLong(THINK_MIN_MS, THINK_MAX_MS + 1);
                                    scheduler.schedule(
                                            () -> act(random), think, TimeUnit.MILLISECONDS);
                                }
                            });
        }
    }

    private static String idOf(String body) {
        try {
            return JSON.readTree(body).path("id").asText();
        } catch (Exception e) {
            return "unknown";
        }
    }

    // ---------------------------------------------------------------- closed-loop phases

    /**
     * {@code concurrency} clients each sending the next search as soon as the last answered, over
     * {@code queries} in order (cycling if {@code cycle}), for at most {@code limit}.
     */
    public Phase searches(
            Target target, List<String> queries, int concurrency, Duration limit, boolean cycle) {
        Phase phase = new Phase();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, daemon("load-client"));
        for (int c = 0; c < concurrency; c++) {
            clients.add(
                    CompletableFuture.runAsync(
                            () -> {
                                while (System.nanoTime() < end) {
                                    int i = next.getAndIncrement();
                                    if (i >= queries.size() && !cycle) {
                                        return;
                                    }
                                    String q = queries.get(i % queries.size());
                                    timed(search(target, q), phase.stats, phase).join();
                                }
                            },
                            pool));
        }
        try {
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdownNow();
        }
        phase.seconds = (System.nanoTime() - start) / 1e9;
        return phase;
    }

    /**
     * Uploads {@code docs} with at most {@code inFlight} outstanding, for at most {@code limit};
     * {@code onAck} hears each acknowledged upload (for the ingest timeline).
     */
    public Phase uploads(
            Target target,
            List<Workload.Doc> docs,
            String idPrefix,
            int inFlight,
            Duration limit,
            Runnable onAck)
            throws InterruptedException {
        Phase phase = new Phase();
        Semaphore window = new Semaphore(inFlight);
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Workload.Doc doc : docs) {
            if (!window.tryAcquire(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            HttpRequest request = upload(target, target.searchKey(), idPrefix + doc.id(), doc);
            all.add(
                    timed(request, phase.stats, phase)
                            .whenComplete(
                                    (r, e) -> {
                                        window.release();
                                        if (e == null && r.statusCode() / 100 == 2) {
                                            onAck.run();
                                        }
                                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .orTimeout(REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)
                .exceptionally(e -> null)
                .join();
        phase.seconds = (System.nanoTime() - start) / 1e9;
        return phase;
    }

    /** Requests of a closed-loop phase. */
    public static final class Phase {
        public final OpStats stats = new OpStats();
        public double seconds;

        public Map<String, Object> summary() {
            Map<String, Object> m = stats.summary(seconds);
            m.put("seconds", Math.round(seconds * 10) / 10.0);
            return m;
        }
    }

    private CompletableFuture<HttpResponse<String>> timed(
            HttpRequest request, OpStats stats, Phase phase) {
        long t0 = System.nanoTime();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .whenComplete(
                        (r, e) -> {
                            long nanos = System.nanoTime() - t0;
                            if (e == null && r.statusCode() / 100 == 2) {
                                stats.success(nanos, r.body().contains("\"cached\":true"));
                            } else {
                                stats.error(
                                        nanos,
                                        e != null ? e.toString() : r.statusCode() + " " + r.body());
                            }
                        });
    }

    // ---------------------------------------------------------------- requests

    /** A search for the next Zipf-distributed query. */
    HttpRequest searchRequest(Target target, SplittableRandom random) {
        return search(target, workload.queries().get(zipf.next(random)));
    }

    static HttpRequest search(Target target, String query) {
        return get(
                target,
                target.searchKey(),
                "/v1/search?k=10&q=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
    }

    HttpRequest uploadRequest(Target target, SplittableRandom random) {
        Workload.Doc doc = workload.docs().get(random.nextInt(workload.docs().size()));
        String id = runId + "-u" + uploadSeq.incrementAndGet();
        return upload(target, target.uploadKey(), id, doc);
    }

    static HttpRequest upload(Target target, String key, String id, Workload.Doc doc) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("title", doc.title().isBlank() ? id : doc.title());
        body.put("text", doc.text());
        body.put("metadata", Map.of("source", "scifact"));
        try {
            return HttpRequest.newBuilder(target.base().resolve("/v1/documents"))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .timeout(REQUEST_TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpRequest get(Target target, String key, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(target.base() + pathAndQuery))
                .header("Authorization", "Bearer " + key)
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
    }

    /**
     * Appends (seconds since start, {@code value}) to {@code into} every second for at most {@code
     * limit}, until interrupted.
     */
    public static void sampleEverySecond(LongSupplier value, List<double[]> into, Duration limit) {
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
            double[] point = {(System.nanoTime() - start) / 1e9, value.getAsLong()};
            synchronized (into) {
                into.add(point);
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        httpExecutor.shutdownNow();
    }
}
