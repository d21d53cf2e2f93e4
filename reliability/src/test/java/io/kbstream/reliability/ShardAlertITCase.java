package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbstream.core.config.StackOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A private stack's real Prometheus, with the project's alert rules and the shards' Debian
 * exporters, fires {@code KbShardUnreachable} for exactly the shard that was killed.
 */
class ShardAlertITCase {

    /** Port base offset of this test's private stack (faults +300, soak +400, autoscale +500). */
    static final int PORT_OFFSET = 600;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void killing_a_shard_fires_the_shard_alert_for_that_shard_in_prometheus() throws Exception {
        try (FaultStack stack =
                FaultStack.startWithoutPipeline(
                        "alerts", PORT_OFFSET, List.of("alerts"), Map.of(), System.out::println)) {
            String prometheus =
                    "http://127.0.0.1:" + stack.config().get(StackOptions.PROMETHEUS_PORT);
            // healthy first: the exporter has reported shard 1 up, and no shard alert is pending
            awaitTrue(
                    () -> query(prometheus, "pg_up{job=\"postgres\",shard=\"1\"} == 1") > 0,
                    Duration.ofMinutes(2),
                    "shard 1 reported up by its exporter");
            assertThat(shardAlerts(prometheus, "firing")).isEmpty();
            assertThat(shardAlerts(prometheus, "pending")).isEmpty();

            stack.kill("postgres-shard-1");

            awaitTrue(
                    () -> !shardAlerts(prometheus, "firing").isEmpty(),
                    Duration.ofMinutes(3),
                    "KbShardUnreachable firing");
            assertThat(shardAlerts(prometheus, "firing")).containsExactly("1");
        }
    }

    /** The shards of the {@code KbShardUnreachable} alerts in {@code state}. */
    private static List<String> shardAlerts(String prometheus, String state) {
        JsonNode alerts = get(prometheus + "/api/v1/alerts").path("data").path("alerts");
        List<String> shards = new ArrayList<>();
        for (JsonNode alert : alerts) {
            if (alert.path("labels").path("alertname").asText().equals("KbShardUnreachable")
                    && alert.path("state").asText().equals(state)) {
                shards.add(alert.path("labels").path("shard").asText());
            }
        }
        return shards;
    }

    /** How many series an instant query returns. */
    private static int query(String prometheus, String promql) {
        return get(prometheus
                        + "/api/v1/query?query="
                        + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .path("data")
                .path("result")
                .size();
    }

    private static JsonNode get(String url) {
        try {
            HttpResponse<String> r =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(url).isEqualTo(200);
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus did not answer " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(Supplier<Boolean> condition, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not seen within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(1000);
        }
    }
}
