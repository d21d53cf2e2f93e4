package io.kbstream.benchmark.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.kbstream.benchmark.load.PooledHttpClient.Request;
import io.kbstream.benchmark.load.PooledHttpClient.Response;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link PooledHttpClient} against a real HTTP server on loopback that records which
 * client connection each request came on: the pool must queue requests beyond its connections
 * instead of opening more (the JDK client's defect), and must carry method, headers and body.
 */
class PooledHttpClientTest {

    private HttpServer server;
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private URI base;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.createContext(
                "/",
                exchange -> {
                    clientPorts.add(exchange.getRemoteAddress().getPort());
                    byte[] in = exchange.getRequestBody().readAllBytes();
                    String echo =
                            exchange.getRequestMethod()
                                    + " "
                                    + exchange.getRequestURI()
                                    + " "
                                    + exchange.getRequestHeaders().getFirst("Authorization")
                                    + " "
                                    + exchange.getRequestHeaders().getFirst("Content-Type")
                                    + " "
                                    + new String(in, StandardCharsets.UTF_8);
                    byte[] body = echo.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(201, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void requests_beyond_the_pool_wait_for_a_connection_instead_of_opening_new_ones()
            throws Exception {
        try (PooledHttpClient http = new PooledHttpClient(4, Duration.ofSeconds(10))) {
            List<CompletableFuture<Response>> answers = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                answers.add(http.send(Request.get(base.resolve("/q?i=" + i), "k")));
            }
            for (CompletableFuture<Response> a : answers) {
                assertThat(a.get(10, TimeUnit.SECONDS).status()).isEqualTo(201);
            }
        }
        assertThat(clientPorts).as("connections the server saw").hasSizeBetween(1, 4);
    }

    @Test
    void method_path_headers_and_body_reach_the_server() throws Exception {
        try (PooledHttpClient http = new PooledHttpClient(2, Duration.ofSeconds(10))) {
            Request post =
                    new Request(
                            "POST",
                            base.resolve("/v1/documents?x=a%20b"),
                            "secret",
                            "application/json",
                            "{\"id\":\"d1\"}".getBytes(StandardCharsets.UTF_8));

            Response r = http.send(post).get(10, TimeUnit.SECONDS);

            assertThat(r.request()).isSameAs(post);
            assertThat(r.body())
                    .isEqualTo(
                            "POST /v1/documents?x=a%20b Bearer secret application/json"
                                    + " {\"id\":\"d1\"}");
        }
    }

    @Test
    void a_server_that_is_not_listening_fails_the_request_instead_of_hanging() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (PooledHttpClient http = new PooledHttpClient(2, Duration.ofSeconds(10))) {
            CompletableFuture<Response> answer =
                    http.send(
                            Request.get(URI.create("http://127.0.0.1:" + closedPort + "/"), null));

            assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
            // the failed connection gave its slot back: the live server is still reachable
            assertThat(
                            http.send(Request.get(base.resolve("/"), null))
                                    .get(10, TimeUnit.SECONDS)
                                    .status())
                    .isEqualTo(201);
        }
    }
}
