package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.core.config.StackOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A private stack's real Prometheus, with the project's alert rules and the shards' Debian
 * exporters, fires {@code KbShardUnreachable} for exactly the shard that was killed.
 */
class ShardAlertITCase {

    /** Port base offset of this test's private stack (faults +300, soak +400, autoscale +500). */
    static final int PORT_OFFSET = 600;

    @Test
    void killing_a_shard_fires_the_shard_alert_for_that_shard_in_prometheus() throws Exception {
        try (FaultStack stack =
                FaultStack.startWithoutPipeline(
                        "alerts", PORT_OFFSET, List.of("alerts"), Map.of(), System.out::println)) {
            PrometheusApi prometheus =
                    new PrometheusApi(
                            "http://127.0.0.1:" + stack.config().get(StackOptions.PROMETHEUS_PORT));
            // healthy first: the exporter has reported shard 1 up, and no shard alert is pending
            PrometheusApi.awaitTrue(
                    () -> prometheus.series("pg_up{job=\"postgres\",shard=\"1\"} == 1") > 0,
                    Duration.ofMinutes(2),
                    "shard 1 reported up by its exporter");
            assertThat(shardAlerts(prometheus, "firing")).isEmpty();
            assertThat(shardAlerts(prometheus, "pending")).isEmpty();

            stack.kill("postgres-shard-1");

            PrometheusApi.awaitTrue(
                    () -> !shardAlerts(prometheus, "firing").isEmpty(),
                    Duration.ofMinutes(3),
                    "KbShardUnreachable firing");
            assertThat(shardAlerts(prometheus, "firing")).containsExactly("1");
        }
    }

    /** The shards of the {@code KbShardUnreachable} alerts in {@code state}. */
    private static List<String> shardAlerts(PrometheusApi prometheus, String state) {
        JsonNode alerts = prometheus.alerts();
        List<String> shards = new ArrayList<>();
        for (JsonNode alert : alerts) {
            if (alert.path("labels").path("alertname").asText().equals("KbShardUnreachable")
                    && alert.path("state").asText().equals(state)) {
                shards.add(alert.path("labels").path("shard").asText());
            }
        }
        return shards;
    }
}
