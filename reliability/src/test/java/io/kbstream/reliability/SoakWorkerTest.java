package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.kbstream.client.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link SoakWorker}'s accounting: one user against a Javalin server that answers as the
 * API does in an outage (uploads 503 with Retry-After while Kafka is down, searches 500 when they
 * fail), so the soak's "p95 under faults within 2x" can be seen to fail when it should.
 */
class SoakWorkerTest {

    /** Slow enough that a loaded machine keeps up, fast enough for a few seconds' test. */
    private static final SoakWorker.Pace PACE =
            new SoakWorker.Pace(Duration.ofMillis(100), Duration.ofMillis(100));

    private static final AtomicBoolean uploadsRefused = new AtomicBoolean();
    private static final AtomicBoolean searchesFail = new AtomicBoolean();
    private static final AtomicLong versions = new AtomicLong();
    private static Javalin api;
    private static LedgerClient client;

    @BeforeAll
    static void startApi() {
        api =
                Javalin.create()
                        .put("/v1/documents/{id}", SoakWorkerTest::upload)
                        .delete("/v1/documents/{id}", SoakWorkerTest::accepted)
                        .post("/v1/search", SoakWorkerTest::search)
                        .start("127.0.0.1", 0);
        client =
                new LedgerClient(
                        ApiClient.builder("http://127.0.0.1:" + api.port()).apiKey("k").build(),
                        new Ledger());
        // the first request of a JVM is slow (class loading, the HTTP client's threads)
        assertThat(client.search("warm up").status()).isEqualTo(200);
    }

    @AfterAll
    static void stopApi() {
        api.stop();
    }

    @BeforeEach
    void answerNormally() {
        uploadsRefused.set(false);
        searchesFail.set(false);
    }

    private static void upload(Context ctx) {
        if (uploadsRefused.get()) {
            ctx.status(503)
                    .header("Retry-After", "5")
                    .json(Map.of("error", Map.of("code", "unavailable", "message", "kafka")));
        } else {
            accepted(ctx);
        }
    }

    private static void accepted(Context ctx) {
        ctx.status(202)
                .json(
                        Map.of(
                                "id",
                                ctx.pathParam("id"),
                                "version",
                                versions.incrementAndGet(),
                                "status",
                                "ACCEPTED",
                                "statusUrl",
                                "/v1/documents/" + ctx.pathParam("id")));
    }

    private static void search(Context ctx) {
        if (searchesFail.get()) {
            ctx.status(500).json(Map.of("error", Map.of("code", "internal", "message", "boom")));
        } else {
            ctx.json(Map.of("results", List.of(), "partial", false, "cached", false));
        }
    }

    /** One user with its two loops running; {@link #stop} ends them. */
    private final class User {
        final AtomicReference<SoakWorker.Latencies> phase =
                new AtomicReference<>(SoakWorker.Latencies.create());
        final SoakWorker.Recorder recorder =
                new SoakWorker.Recorder(
                        phase::get, new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
        final AtomicBoolean stopped = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        User start() {
            new SoakWorker(client, new Corpus(42), "user0", 42, PACE, recorder, stopped)
                    .loops()
                    .forEach((name, loop) -> threads.add(new Thread(loop, name)));
            threads.forEach(Thread::start);
            return this;
        }

        SoakWorker.Latencies next() {
            SoakWorker.Latencies done = phase.get();
            phase.set(SoakWorker.Latencies.create());
            return done;
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }

    private static double p95Ms(org.HdrHistogram.Histogram h) {
        return h.getValueAtPercentile(95) / 1000.0;
    }

    @Test
    void a_kafka_outage_raises_the_upload_p95_and_searches_go_on_meanwhile() throws Exception {
        User user = new User().start();
        Thread.sleep(1500);
        SoakWorker.Latencies unfaulted = user.next();
        uploadsRefused.set(true);
        long outageStart = System.nanoTime();
        Thread.sleep(3000);
        long outageEnd = System.nanoTime();
        uploadsRefused.set(false);
        Thread.sleep(1500);
        user.stop();
        SoakWorker.Latencies faulted = user.next();

        // timed from the schedule: the retried upload and every upload it delayed count
        assertThat(p95Ms(faulted.upload()))
                .as("upload p95 under the outage against %.1f ms", p95Ms(unfaulted.upload()))
                .isGreaterThan(2 * p95Ms(unfaulted.upload()))
                .isGreaterThan(500);
        List<Long> duringOutage =
                user.recorder.searches().stream()
                        .filter(s -> s.startNanos() > outageStart && s.startNanos() < outageEnd)
                        .map(SoakWindows.Sample::nanos)
                        .sorted()
                        .toList();
        assertThat(duringOutage)
                .as("searches scheduled while uploads were refused")
                .hasSizeGreaterThan(10);
        assertThat(duringOutage.get(duringOutage.size() / 2))
                .as("median search while uploads were refused, ns")
                .isLessThan(500_000_000L);
    }

    @Test
    void failed_searches_are_counted_and_weigh_as_the_request_timeout_in_the_p95()
            throws Exception {
        User user = new User().start();
        Thread.sleep(1000);
        searchesFail.set(true);
        // a phase is the one a search was scheduled in: at most one in flight fails in the old one
        SoakWorker.Latencies answered = user.next();
        Thread.sleep(1000);
        user.stop();
        SoakWorker.Latencies failing = user.next();

        assertThat(answered.search().getTotalCount()).isGreaterThan(5);
        assertThat(answered.failed().sum()).isLessThanOrEqualTo(1);
        assertThat(failing.failed().sum()).isPositive().isEqualTo(failing.search().getTotalCount());
        assertThat(failing.search().getValueAtPercentile(95))
                .isGreaterThanOrEqualTo(SoakWorker.FAILED_MICROS * 99 / 100);
        assertThat(user.recorder.searches()).anyMatch(SoakWindows.Sample::failed);
    }
}
