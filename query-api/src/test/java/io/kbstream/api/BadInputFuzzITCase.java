package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.GoodUploads;
import io.kbstream.api.testing.Reliability;
import io.kbstream.api.testing.Seeder;
import io.kbstream.api.testing.fuzz.FuzzRequest;
import io.kbstream.api.testing.fuzz.FuzzSender;
import io.kbstream.api.testing.fuzz.RawWebSocket;
import io.kbstream.api.testing.fuzz.RequestFuzzer;
import io.kbstream.api.testing.fuzz.WsGarbage;
import io.kbstream.client.EventStream;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.jobs.testing.PipelineRunner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated bad input at every endpoint, with a fixed seed, while good documents go through the
 * real pipeline: no answer is a 5xx (nothing is down here, so not even 503), no request goes
 * unanswered within {@link #TIMEOUT}, every 4xx carries the JSON error body, the server keeps
 * serving, and the good documents still end INDEXED (corrupt ones FAILED with a reason). About
 * 2,000 requests in {@code ./kb test}, 20,000 with {@code ./kb test --reliability}.
 */
class BadInputFuzzITCase {

    private static final long SEED = 20261125L;
    private static final int REQUESTS = Reliability.scaled(2_000, 20_000);
    private static final int WS_SESSIONS = Reliability.scaled(60, 600);
    private static final int WORKERS = 3;
    private static final int GOOD_DOCUMENTS = Reliability.scaled(12, 60);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    /**
     * A small upload limit, so that stepping over it costs little (the mechanism is the same), but
     * room for the zip bomb among the good uploads (256 MiB deflated to about 250 KiB).
     */
    private static final int MAX_UPLOAD = 320 * 1024;

    private static ApiUnderTest api;
    private static PipelineRunner pipeline;

    @BeforeAll
    static void start() throws Exception {
        api =
                new ApiUnderTest(
                        Map.of(ApiOptions.MAX_UPLOAD_BYTES.key(), Integer.toString(MAX_UPLOAD)));
        pipeline = PipelineRunner.start(api.config);
    }

    @AfterAll
    static void stop() throws Exception {
        pipeline.close();
        try (Seeder seeder = new Seeder(api.config)) {
            seeder.deleteTenant(api.tenantA);
            seeder.deleteTenant(api.tenantB);
        }
        api.close();
    }

    @Test
    void generated_requests_never_give_5xx_or_hang_and_good_uploads_are_still_indexed()
            throws Exception {
        GoodUploads good = new GoodUploads(api, api.keyB);
        AtomicInteger sent = new AtomicInteger();
        Map<String, Integer> statuses = Collections.synchronizedMap(new TreeMap<>());
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS + 1);
        try {
            List<Future<?>> fuzzers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                RequestFuzzer fuzzer =
                        new RequestFuzzer(SEED + w, "Bearer " + api.keyA, MAX_UPLOAD);
                fuzzers.add(workers.submit(() -> fuzz(fuzzer, sent, statuses, problems)));
            }
            List<Future<?>> running = new ArrayList<>(fuzzers);
            // good documents go up while the fuzzer runs, spread over its run
            running.add(
                    workers.submit(
                            () -> {
                                for (int i = 0; i < GOOD_DOCUMENTS; i++) {
                                    good.upload(i);
                                    awaitProgress(
                                            sent, (i + 1) * REQUESTS / GOOD_DOCUMENTS, fuzzers);
                                }
                                return null;
                            }));
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            workers.shutdownNow();
        }

        System.out.println("fuzz: " + sent.get() + " requests, statuses " + statuses);
        assertThat(problems).as("requests answered wrongly (of %d)", sent.get()).isEmpty();
        // the listing's parameters were exercised both ways
        assertThat(statuses).containsKeys("list-get 200", "list-get 400");
        assertThat(api.get("/health/live", null).statusCode()).isEqualTo(200);
        assertThat(api.postJson("/v1/search", api.keyA, "{\"query\":\"still fine\"}").statusCode())
                .isEqualTo(200);
        assertThat(good.awaitFinalStates(Duration.ofMinutes(4)))
                .as("documents not in their final state (id → last status)")
                .isEmpty();
        String found =
                api.postJson(
                                "/v1/search",
                                api.keyB,
                                "{\"query\":\""
                                        + GoodUploads.marker(1)
                                        + "\",\"mode\":\"keyword\"}")
                        .body();
        assertThat(json(found).get("results").get(0).get("id").asText()).isEqualTo("good-1");
    }

    private static Void fuzz(
            RequestFuzzer fuzzer,
            AtomicInteger sent,
            Map<String, Integer> statuses,
            List<String> problems)
            throws InterruptedException {
        FuzzSender sender = new FuzzSender("127.0.0.1", api.server.port(), TIMEOUT);
        while (sent.getAndIncrement() < REQUESTS) {
            FuzzRequest r = fuzzer.next();
            try {
                FuzzSender.Answer a = sender.send(r);
                statuses.merge(r.kind() + " " + a.status(), 1, Integer::sum);
                String problem = problem(r, a);
                if (problem != null) {
                    problems.add(problem + ": " + r.describe() + " → " + cut(a.body()));
                }
            } catch (FuzzSender.Hung e) {
                problems.add("no answer within " + TIMEOUT + ": " + e.getMessage());
            }
        }
        return null;
    }

    /** What is wrong with an answer, or null. */
    private static String problem(FuzzRequest r, FuzzSender.Answer a) {
        if (a.status() == -1) {
            // a connection closed without an answer is acceptable only where the request itself
            // broke HTTP, or the server stopped reading a body over the limit
            boolean expected = r.wire() != null || r.kind().startsWith("oversized");
            return expected ? null : "closed without an answer";
        }
        if (a.status() == 505 && r.wire() != null && r.describe().contains("HTTP/9.9")) {
            return null; // the protocol's own answer to an unknown HTTP version (JSON body too)
        }
        if (a.status() >= 500) {
            return "HTTP " + a.status();
        }
        if (a.status() >= 400 && !"HEAD".equals(r.method()) && !a.body().contains("\"error\"")) {
            return "HTTP " + a.status() + " without the JSON error body";
        }
        return null;
    }

    /** Until the fuzzers have sent {@code target} requests, or all stopped (failed ones too). */
    private static void awaitProgress(AtomicInteger sent, int target, List<Future<?>> fuzzers)
            throws InterruptedException {
        while (sent.get() < Math.min(target, REQUESTS)
                && !fuzzers.stream().allMatch(Future::isDone)) {
            Thread.sleep(20);
        }
    }

    @Test
    void websocket_garbage_frames_close_the_socket_or_are_ignored_and_the_stream_goes_on()
            throws Exception {
        Random random = new Random(SEED);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < WS_SESSIONS; i++) {
            String bearer = random.nextBoolean() ? "Bearer " + api.keyA : null;
            try (RawWebSocket ws = RawWebSocket.open(api.server.port(), bearer, random, 3000)) {
                String frames = WsGarbage.send(ws, random, api.keyA);
                Integer code = ws.awaitClose();
                if (code != null && code == 1011) {
                    problems.add("1011 (server error) after " + frames);
                }
            }
        }
        assertThat(problems).isEmpty();

        // the server still authenticates, subscribes and pushes, and dropped every garbage socket
        try (EventStream client = api.events("Bearer " + api.keyA)) {
            assertThat(client.await("subscribed", 5)).isNotNull();
            api.putJson("/v1/documents/after-ws-garbage", api.keyA, "{\"text\":\"fine\"}");
            assertThat(client.await("after-ws-garbage", 10)).isNotNull();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (clients() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(clients()).as("subscribed sockets left behind").isZero();
    }

    private static double clients() {
        return api.server.metrics().get("kb.api.events.clients").gauge().value();
    }

    private static String cut(String s) {
        String c = s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
        return new String(c.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                .replaceAll("\\p{Cntrl}", "?");
    }
}
