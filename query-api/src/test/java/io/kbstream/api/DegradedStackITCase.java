package io.kbstream.api;

import static io.kbstream.api.DocumentsApiITCase.assertError;
import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.client.http.Response;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.RedisOptions;
import io.kbstream.core.testing.LocalStackConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API with a dependency unreachable (configured to a closed port; the real services keep
 * running): a dead shard gives partial answers, a dead Redis gives uncached answers, and the
 * readiness probe says which one is down.
 */
class DegradedStackITCase {

    private static final String DEAD_SHARD = "jdbc:postgresql://127.0.0.1:1/kb";

    @Test
    void a_dead_shard_gives_partial_true_never_cached_and_ready_503() {
        List<String> shards = LocalStackConfig.load().get(PostgresOptions.SHARDS);
        try (ApiUnderTest api =
                        new ApiUnderTest(
                                Map.of(
                                        PostgresOptions.SHARDS.key(),
                                        String.join(",", shards) + "," + DEAD_SHARD,
                                        PostgresOptions.MIGRATE_ON_OPEN.key(),
                                        "false",
                                        PostgresOptions.CONNECT_TIMEOUT.key(),
                                        "300",
                                        ApiOptions.SEARCH_SHARD_TIMEOUT.key(),
                                        "1000",
                                        ApiOptions.FAILURE_PAUSE.key(),
                                        "PT60S"));
                Seeder seeder = new Seeder(LocalStackConfig.load())) {
            seeder.index(api.tenantA, "alive", "Alive", Map.of(), "Shards answer searches.");
            String body = "{\"query\":\"shards answer\",\"mode\":\"keyword\"}";

            JsonNode first = json(api.postJson("/v1/search", api.keyA, body).body());
            JsonNode second = json(api.postJson("/v1/search", api.keyA, body).body());

            assertThat(first.get("partial").asBoolean()).isTrue();
            assertThat(first.get("results").get(0).get("id").asText()).isEqualTo("alive");
            assertThat(second.get("partial").asBoolean()).isTrue();
            assertThat(second.get("cached").asBoolean()).isFalse();
            // the first search found the shard unreachable; the second did not wait on it again
            String metrics = api.get("/metrics", null).body();
            assertThat(metricValue(metrics, "kb_api_search_shard_skipped_total{shard=\"2\"}"))
                    .isEqualTo(1.0);
            assertThat(metricValue(metrics, "kb_api_search_shard_skipped_total{shard=\"0\"}"))
                    .isZero();

            Response ready = api.get("/health/ready", null);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(ready.body()).get("checks").get("shard-2").asText()).isEqualTo("DOWN");
            assertThat(json(ready.body()).get("checks").get("shard-0").asText()).isEqualTo("UP");
            seeder.deleteTenant(api.tenantA);
        }
    }

    /** The value of one Prometheus sample, 0 if the exposition has no such line. */
    static double metricValue(String exposition, String sample) {
        return exposition
                .lines()
                .filter(l -> l.startsWith(sample + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(sample.length() + 1).trim()))
                .findFirst()
                .orElse(0);
    }

    @Test
    void without_redis_uploads_succeed_and_searches_answer_uncached() {
        try (ApiUnderTest api =
                        new ApiUnderTest(
                                Map.of(
                                        RedisOptions.PORT.key(), "1",
                                        RedisOptions.TIMEOUT.key(), "200"));
                Seeder seeder = new Seeder(LocalStackConfig.load())) {
            seeder.index(api.tenantA, "r", "Redis", Map.of(), "Caches may fail; searches go on.");

            Response upload =
                    api.postJson("/v1/documents", api.keyA, "{\"text\":\"still accepted\"}");
            JsonNode first =
                    json(
                            api.postJson("/v1/search", api.keyA, "{\"query\":\"caches fail\"}")
                                    .body());
            JsonNode second =
                    json(
                            api.postJson("/v1/search", api.keyA, "{\"query\":\"caches fail\"}")
                                    .body());

            assertThat(upload.statusCode()).isEqualTo(202);
            assertThat(first.get("results").get(0).get("id").asText()).isEqualTo("r");
            assertThat(first.get("cached").asBoolean()).isFalse();
            assertThat(second.get("cached").asBoolean()).isFalse();
            assertThat(api.get("/health/ready", null).statusCode()).isEqualTo(503);
            seeder.deleteTenant(api.tenantA);
        }
    }

    @Test
    void without_kafka_uploads_give_503_with_retry_after() {
        try (ApiUnderTest api =
                new ApiUnderTest(
                        Map.of(
                                KafkaOptions.BOOTSTRAP.key(), "127.0.0.1:1",
                                KafkaOptions.SEND_TIMEOUT.key(), "1500"))) {
            Response r = api.postJson("/v1/documents", api.keyA, "{\"text\":\"cannot be logged\"}");

            assertError(r, 503, "unavailable");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(api.get("/health/live", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void over_the_rate_limit_gives_429_with_retry_after() {
        try (ApiUnderTest api =
                new ApiUnderTest(
                        Map.of(
                                ApiOptions.RATE_LIMIT_PER_SECOND.key(), "0.5",
                                ApiOptions.RATE_LIMIT_BURST.key(), "3"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(api.get("/v1/documents/none", api.keyA).statusCode()).isEqualTo(404);
            }
            Response limited = api.get("/v1/documents/none", api.keyA);

            assertError(limited, 429, "rate_limited");
            assertThat(limited.headers().firstValue("Retry-After").map(Long::parseLong))
                    .hasValueSatisfying(s -> assertThat(s).isBetween(1L, 2L));
            // another tenant has its own bucket
            assertThat(api.get("/v1/documents/none", api.keyB).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void healthy_stack_is_ready_and_metrics_are_exposed() {
        try (ApiUnderTest api = new ApiUnderTest()) {
            api.postJson("/v1/search", api.keyA, "{\"query\":\"warm up\"}");
            api.postJson("/v1/documents", api.keyA, "{\"text\":\"x\"}");

            Response ready = api.get("/health/ready", null);
            Response metrics = api.get("/metrics", null);

            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(api.get("/health/live", null).statusCode()).isEqualTo(200);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("kb_api_requests_seconds_bucket")
                    .contains("endpoint=\"/v1/search\"")
                    .contains("kb_api_search_cache_total")
                    .contains("kb_api_search_shard_seconds")
                    .contains("kb_api_kafka_send_seconds");
        }
    }
}
