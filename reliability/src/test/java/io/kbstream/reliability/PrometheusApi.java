package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbstream.client.http.HttpTransport;
import io.kbstream.client.http.Request;
import io.kbstream.client.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A private stack's real Prometheus as the ITCases read it: its HTTP API, answers as JSON. */
final class PrometheusApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpTransport HTTP = new HttpTransport(Duration.ofSeconds(5));

    private final String url;

    /**
     * @param url Prometheus's base URL, e.g. {@code http://127.0.0.1:9090}
     */
    PrometheusApi(String url) {
        this.url = url;
    }

    /** The result of an instant query (a query Prometheus rejects fails the test). */
    JsonNode query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .path("data")
                .path("result");
    }

    /** How many series an instant query returns. */
    int series(String promql) {
        return query(promql).size();
    }

    /** The value of an instant query of one series; 0 while it has none. */
    double value(String promql) {
        JsonNode result = query(promql);
        return result.isEmpty() ? 0 : result.get(0).path("value").get(1).asDouble();
    }

    /** The alerts, pending and firing ({@code /api/v1/alerts}). */
    JsonNode alerts() {
        return get("/api/v1/alerts").path("data").path("alerts");
    }

    private JsonNode get(String path) {
        try {
            Response r =
                    HTTP.send(Request.get(URI.create(url + path)).timeout(Duration.ofSeconds(10)));
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus did not answer " + url + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits up to {@code timeout} for what Prometheus shows to meet {@code condition}. */
    static void awaitTrue(BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        assertThat(FaultStack.waitUntil(condition, timeout))
                .as(what + " within " + timeout.toSeconds() + " s")
                .isTrue();
    }
}
