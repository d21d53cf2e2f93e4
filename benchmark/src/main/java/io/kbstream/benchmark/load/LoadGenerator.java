package io.kbstream.benchmark.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbstream.benchmark.load.PooledHttpClient.Request;
import io.kbstream.benchmark.load.PooledHttpClient.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The benchmark's HTTP load engine: one async {@link PooledHttpClient} (a fixed pool of keep-alive
 * connections on one Netty event loop), so a request in flight or a simulated user thinking costs a
 * queue entry, not a thread or a connection. It is the one place besides kb-client that builds its
 * own requests: it measures the server, and must stay cheaper than what it measures (its own
 * capacity is measured in the same run against {@code /health/live}, {@link #capacity}).
 *
 * <p>Three shapes of load, each a {@link Phase} whose latencies run from each request's scheduled
 * time (coordinated omission) and which counts requests unanswered at its close as errors:
 *
 * <ul>
 *   <li>{@link #openLoop}: requests at a fixed rate, whatever the answers do;
 *   <li>{@link #users}: simulated users, each acting, waiting for the answer, thinking 0.5–2 s;
 *   <li>{@link #closedLoop}: N clients each sending the next request when the last one answered
 *       (one client for single-request latency; a window of uploads for a bulk import).
 * </ul>
 *
 * Requests in flight are capped per phase by a fresh {@link Gate} (nothing carries over from one
 * phase to the next); a request waiting at the gate is already late and its wait counts.
 */
public final class LoadGenerator implements AutoCloseable {

    /** One request and the kind it is counted under. */
    public record Call(String kind, Request request) {}

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

    /**
     * Connections per server: as many as the {@code wrk} cross-check uses ({@code -c64}), so both
     * generators offer the server the same concurrency.
     */
    public static final int CONNECTIONS = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PooledHttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Workload workload;
    private final ZipfSampler zipf;
    private final String runId;
    private final AtomicLong uploadSeq = new AtomicLong();

    public LoadGenerator(Workload workload, double zipfExponent, String runId) {
        this.workload = workload;
        this.zipf = new ZipfSampler(workload.queries().size(), zipfExponent);
        this.runId = runId;
        this.scheduler = Executors.newScheduledThreadPool(2, daemon("load-users"));
        this.http = new PooledHttpClient(CONNECTIONS, REQUEST_TIMEOUT);
    }

    public ZipfSampler zipf() {
        return zipf;
    }

    public Workload workload() {
        return workload;
    }

    // ---------------------------------------------------------------- open loop

    /**
     * Sends {@code perSecond} requests a second for {@code length}, each from {@code next}, at most
     * {@code maxInFlight} at once; then waits at most {@code grace} for the last answers.
     */
    public Phase openLoop(
            double perSecond,
            Duration length,
            int maxInFlight,
            Duration grace,
            Function<SplittableRandom, Call> next) {
        Phase phase = new Phase();
        phase.offeredPerSecond = perSecond;
        Gate gate = new Gate(maxInFlight);
        SplittableRandom random = new SplittableRandom(Double.doubleToLongBits(perSecond));
        long interval = Math.max(1, Math.round(1e9 / perSecond));
        long total = Math.max(1, Math.round(perSecond * length.toNanos() / 1e9));
        long start = System.nanoTime() + 5_000_000;
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            Call call = next.apply(random);
            long id = phase.due(due, call.kind());
            gate.enter(() -> send(call, id, due, phase, gate, r -> {}));
        }
        long end = start + total * interval;
        phase.seconds = (end - start) / 1e9;
        awaitThenClose(phase, end + grace.toNanos());
        return phase;
    }

    /**
     * The generator's own ceiling: open-loop {@code GET /health/live} (no auth, no work) at each
     * rate for {@code step}; the server answers it in microseconds, so what limits these phases is
     * mostly the generator. A warm-up phase at the lowest rate comes first, unrecorded. Stops after
     * the first rate it cannot hold.
     */
    public Map<String, Object> capacity(Target target, List<Integer> rates, Duration step) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> levels = new java.util.ArrayList<>();
        double best = 0;
        Request live = Request.get(target.base().resolve("/health/live"), null);
        // warm-up at the lowest rate, not recorded, until one pass is answered in full (at most
        // 5): a cold JVM (JIT, first connections) or a server still starting beside a pipeline
        // that is loading its model would otherwise be measured as the generator's ceiling
        int warmups = 0;
        Phase warmup;
        do {
            warmup =
                    openLoop(
                            rates.get(0),
                            step,
                            4096,
                            Duration.ofSeconds(2),
                            r -> new Call("live", live));
            warmups++;
        } while (warmups < 5 && (warmup.all().errors() > 0 || warmup.unfinished() > 0));
        m.put("warmupPasses", warmups);
        for (int rate : rates) {
            Phase p =
                    openLoop(rate, step, 4096, Duration.ofSeconds(2), r -> new Call("live", live));
            Map<String, Object> level = p.summary();
            levels.add(level);
            boolean held = held(p, rate, 10);
            level.put("held", held);
            if (!held) {
                break;
            }
            best = Math.max(best, p.achievedPerSecond());
        }
        m.put("endpoint", "GET /health/live");
        m.put("levels", levels);
        m.put("heldPerSecond", Math.round(best));
        return m;
    }

    /**
     * Whether an open-loop phase held its rate: at least 97 % of it answered, no errors, and p95
     * (from the scheduled time) under {@code p95Millis}.
     */
    public static boolean held(Phase p, double rate, double p95Millis) {
        return p.achievedPerSecond() >= 0.97 * rate
                && p.all().errors() == 0
                && p.all().millisAt(95) < p95Millis;
    }

    // ---------------------------------------------------------------- closed loop

    /**
     * {@code concurrency} clients, each sending the next of {@code calls} when its last one
     * answered, for at most {@code limit}; {@code onOk} hears each good answer.
     */
    public Phase closedLoop(
            List<Call> calls, int concurrency, Duration limit, Consumer<Response> onOk) {
        Phase phase = new Phase();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        AtomicInteger clients = new AtomicInteger(concurrency);
        Object done = new Object();
        Runnable[] client = new Runnable[1];
        client[0] =
                () -> {
                    int i = next.getAndIncrement();
                    if (i >= calls.size() || System.nanoTime() >= end) {
                        if (clients.decrementAndGet() == 0) {
                            synchronized (done) {
                                done.notifyAll();
                            }
                        }
                        return;
                    }
                    Call call = calls.get(i);
                    long due = System.nanoTime();
                    long id = phase.due(due, call.kind());
                    send(call, id, due, phase, null, onOk).whenComplete((r, e) -> client[0].run());
                };
        for (int c = 0; c < concurrency; c++) {
            client[0].run();
        }
        synchronized (done) {
            while (clients.get() > 0 && System.nanoTime() < end + REQUEST_TIMEOUT.toNanos()) {
                try {
                    done.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        phase.seconds = (System.nanoTime() - start) / 1e9;
        phase.close(System.nanoTime());
        return phase;
    }

    // ---------------------------------------------------------------- simulated users

    /** Bounds of a user step: when to stop it early, and its cap on requests in flight. */
    public record Limits(double abortP95Millis, int abortAfterRequests, int maxInFlight) {}

    /**
     * {@code users} simulated users: each starts at a random moment of {@code ramp}, then acts,
     * waits for the answer and thinks 0.5–2 s, again and again. Requests scheduled during {@code
     * measure} (after the ramp) are measured; those still unanswered {@code grace} after it count
     * as errors. The step stops early when search p95 passes {@code limits.abortP95Millis()}.
     */
    public Phase users(
            Target target,
            int users,
            Duration ramp,
            Duration measure,
            Duration grace,
            Mix mix,
            Limits limits)
            throws InterruptedException {
        Phase phase = new Phase();
        UserStep step = new UserStep(target, mix, phase, new Gate(limits.maxInFlight()));
        long t0 = System.nanoTime();
        step.measureFrom = t0 + ramp.toNanos();
        step.measureUntil = step.measureFrom + measure.toNanos();
        SplittableRandom seeds = new SplittableRandom(users * 31L + target.name().hashCode());
        for (int u = 0; u < users; u++) {
            SplittableRandom random = seeds.split();
            long due = t0 + random.nextLong(Math.max(1, ramp.toNanos()));
            step.schedule(random, due);
        }
        while (System.nanoTime() < step.measureUntil) {
            Thread.sleep(250);
            OpStats s = phase.op("search");
            if (s.count() >= limits.abortAfterRequests()
                    && s.millisAt(95) > limits.abortP95Millis()) {
                phase.stoppedBecause =
                        "search p95 " + s.millisAt(95) + " ms > " + limits.abortP95Millis() + " ms";
                step.measureUntil = Math.max(step.measureFrom, System.nanoTime());
                break;
            }
        }
        long end = step.measureUntil;
        step.stopped = true;
        phase.seconds = (end - step.measureFrom) / 1e9;
        awaitThenClose(phase, end + grace.toNanos());
        return phase;
    }

    private final class UserStep {
        final Target target;
        final Mix mix;
        final Phase phase;
        final Gate gate;
        final ConcurrentLinkedQueue<String> uploadedIds = new ConcurrentLinkedQueue<>();
        final AtomicInteger uploaded = new AtomicInteger();
        volatile long measureFrom;
        volatile long measureUntil;
        volatile boolean stopped;

        UserStep(Target target, Mix mix, Phase phase, Gate gate) {
            this.target = target;
            this.mix = mix;
            this.phase = phase;
            this.gate = gate;
        }

        void schedule(SplittableRandom random, long due) {
            long delay = due - System.nanoTime();
            scheduler.schedule(() -> act(random, due), Math.max(0, delay), TimeUnit.NANOSECONDS);
        }

        void act(SplittableRandom random, long due) {
            if (stopped) {
                return;
            }
            Call call = choose(random);
            boolean measured = due >= measureFrom && due < measureUntil;
            long id = measured ? phase.due(due, call.kind()) : -1;
            gate.enter(
                    () ->
                            send(call, id, due, measured ? phase : null, gate, this::onOk)
                                    .whenComplete(
                                            (r, e) -> {
                                                if (!stopped) {
                                                    long think =
                                                            random.nextLong(
                                                                    THINK_MIN_MS, THINK_MAX_MS + 1);
                                                    schedule(
                                                            random,
                                                            System.nanoTime() + think * 1_000_000);
                                                }
                                            }));
        }

        void onOk(Response response) {
            if (response.request().method().equals("POST") && uploaded.get() < 1000) {
                uploaded.incrementAndGet();
                uploadedIds.add(idOf(response.body()));
            }
        }

        Call choose(SplittableRandom random) {
            double r = random.nextDouble();
            String statusId = uploadedIds.peek();
            if (r < mix.upload()) {
                return new Call("upload", uploadRequest(target, random));
            } else if (r >= 1 - mix.status() && statusId != null) {
                return new Call("status", status(target, statusId));
            }
            return new Call("search", searchRequest(target, random));
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * Sends {@code call} (registered in {@code phase} as {@code id}, or unmeasured when {@code
     * phase} is null) and records its answer; releases {@code gate}, if any, when it answers.
     */
    private java.util.concurrent.CompletableFuture<Response> send(
            Call call, long id, long due, Phase phase, Gate gate, Consumer<Response> onOk) {
        if (phase != null) {
            phase.sent(System.nanoTime() - due);
        }
        return http.send(call.request())
                .whenComplete(
                        (response, error) -> {
                            if (gate != null) {
                                gate.leave();
                            }
                            long now = System.nanoTime();
                            boolean ok = error == null && response.status() / 100 == 2;
                            if (ok) {
                                onOk.accept(response);
                            }
                            if (phase != null) {
                                phase.answered(
                                        id,
                                        now,
                                        ok,
                                        ok && response.body().contains("\"cached\":true"),
                                        ok
                                                ? null
                                                : error != null
                                                        ? error.toString()
                                                        : response.status()
                                                                + " "
                                                                + response.body());
                            }
                        });
    }

    /** Waits until every measured request answered or {@code deadlineNanos}, then closes. */
    private static void awaitThenClose(Phase phase, long deadlineNanos) {
        while (phase.open() > 0 && System.nanoTime() < deadlineNanos) {
            LockSupport.parkNanos(10_000_000);
        }
        phase.close(System.nanoTime());
    }

    /**
     * The cap on requests in flight of one phase: a request that finds it full waits in a queue
     * (its latency already running from its scheduled time) and is sent when one answers.
     */
    static final class Gate {
        private final int max;
        private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
        private int inFlight;

        Gate(int max) {
            this.max = max;
        }

        void enter(Runnable send) {
            synchronized (this) {
                if (inFlight >= max) {
                    waiting.add(send);
                    return;
                }
                inFlight++;
            }
            send.run();
        }

        void leave() {
            Runnable next;
            synchronized (this) {
                next = waiting.poll();
                if (next == null) {
                    inFlight--;
                    return;
                }
            }
            next.run();
        }
    }

    private static String idOf(String body) {
        try {
            return JSON.readTree(body).path("id").asText();
        } catch (Exception e) {
            return "unknown";
        }
    }

    // ---------------------------------------------------------------- requests

    /** A search for the next Zipf-distributed SciFact claim. */
    public Request searchRequest(Target target, SplittableRandom random) {
        return search(target, workload.queries().get(zipf.next(random)));
    }

    public static Request search(Target target, String query) {
        return get(
                target,
                target.searchKey(),
                "/v1/search?k=10&q=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
    }

    /** A search in {@code mode} ({@code hybrid}, {@code vector} or {@code keyword}). */
    public static Request search(Target target, String query, String mode) {
        return get(
                target,
                target.searchKey(),
                "/v1/search?k=10&mode="
                        + mode
                        + "&q="
                        + URLEncoder.encode(query, StandardCharsets.UTF_8));
    }

    /** An upload of a random SciFact abstract under a new id, to the upload tenant. */
    public Request uploadRequest(Target target, SplittableRandom random) {
        Workload.Doc doc = workload.docs().get(random.nextInt(workload.docs().size()));
        return upload(target, target.uploadKey(), runId + "-u" + uploadSeq.incrementAndGet(), doc);
    }

    public static Request upload(Target target, String key, String id, Workload.Doc doc) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("title", doc.title().isBlank() ? id : doc.title());
        body.put("text", doc.text());
        body.put("metadata", Map.of("source", "scifact"));
        try {
            return new Request(
                    "POST",
                    target.base().resolve("/v1/documents"),
                    key,
                    "application/json",
                    JSON.writeValueAsBytes(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Request status(Target target, String id) {
        return get(target, target.uploadKey(), "/v1/documents/" + id);
    }

    static Request get(Target target, String key, String pathAndQuery) {
        return Request.get(URI.create(target.base() + pathAndQuery), key);
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
        http.close();
    }
}
