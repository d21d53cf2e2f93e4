package io.kbstream.benchmark.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.kbstream.benchmark.load.LoadGenerator.Call;
import io.kbstream.benchmark.load.PooledHttpClient.Request;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link LoadGenerator} against a real HTTP server on loopback whose answer time the test
 * sets: the measurement defects of issue 16 (latency stamped at send time, requests lost at a
 * window's close, permits leaking into the next step) would each make one of these pass wrongly.
 */
class LoadGeneratorTest {

    private HttpServer server;
    private final AtomicLong delayMillis = new AtomicLong();
    private LoadGenerator load;
    private Target target;

    @BeforeEach
    void start() throws Exception {
        // a deep accept backlog: a burst of new connections must not wait for SYN retries
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.createContext(
                "/",
                exchange -> {
                    try {
                        Thread.sleep(delayMillis.get());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    byte[] body = "{\"id\":\"x\",\"cached\":true}".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.start();
        target =
                new Target(
                        "test",
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                        "k",
                        "k");
        load =
                new LoadGenerator(
                        new Workload(List.of("q1", "q2"), List.of(new Workload.Doc("d", "t", "x"))),
                        1.0,
                        "test");
    }

    @AfterEach
    void stop() {
        load.close();
        server.stop(0);
    }

    private Call ping() {
        return new Call("live", Request.get(target.base().resolve("/live"), null));
    }

    @Test
    void open_loop_latency_runs_from_the_scheduled_time_when_requests_queue() {
        delayMillis.set(50);
        // one request at a time, 50 ms each, 100 scheduled in one second: the last waits ~4 s
        Phase p = load.openLoop(100, Duration.ofSeconds(1), 1, Duration.ofSeconds(10), r -> ping());

        assertThat(p.all().count()).isEqualTo(100);
        assertThat(p.all().errors()).isZero();
        assertThat(p.all().millisAt(99))
                .as("stamped at send time this would be ~50 ms")
                .isGreaterThan(3000);
        assertThat(LoadGenerator.held(p, 100, 100)).isFalse();
    }

    @Test
    void requests_unanswered_when_the_phase_closes_count_as_errors() {
        delayMillis.set(3000);
        Phase p =
                load.openLoop(20, Duration.ofMillis(500), 64, Duration.ofMillis(300), r -> ping());

        assertThat(p.unfinished()).isEqualTo(10);
        assertThat(p.all().count()).isEqualTo(10);
        assertThat(p.all().errors()).isEqualTo(10);
        assertThat(p.achievedPerSecond()).isZero();
    }

    @Test
    void a_step_that_ends_with_requests_in_flight_leaves_nothing_to_the_next_step()
            throws Exception {
        // 4 in flight, 2 s per answer: users who come back after thinking queue at the gate
        delayMillis.set(2000);
        LoadGenerator.Limits limits = new LoadGenerator.Limits(1e9, 1_000_000, 4);
        Phase slow =
                load.users(
                        target,
                        20,
                        Duration.ofMillis(100),
                        Duration.ofSeconds(5),
                        Duration.ofMillis(200),
                        LoadGenerator.DEFAULT_MIX,
                        limits);
        delayMillis.set(0);
        Phase fast =
                load.users(
                        target,
                        20,
                        Duration.ofMillis(200),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(2),
                        LoadGenerator.DEFAULT_MIX,
                        limits);

        assertThat(slow.unfinished()).as("the slow step's requests count, as errors").isPositive();
        assertThat(slow.all().errors()).isEqualTo(slow.unfinished());
        assertThat(fast.all().errors()).as("no permit of the slow step is missing").isZero();
        assertThat(fast.all().count()).isGreaterThanOrEqualTo(15);
        assertThat(fast.op("search").millisAt(95)).isLessThan(1000);
    }

    @Test
    void the_generator_holds_a_modest_rate_against_an_instant_server() {
        Phase p = load.openLoop(500, Duration.ofSeconds(1), 64, Duration.ofSeconds(5), r -> ping());

        assertThat(p.all().count()).isEqualTo(500);
        assertThat(p.all().errors()).as(p.summary().toString()).isZero();
        assertThat(p.sendLag().count()).isEqualTo(500);
        assertThat(p.op("live").count()).isEqualTo(500);
    }
}
