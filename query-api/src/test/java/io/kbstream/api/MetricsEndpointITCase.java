package io.kbstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.client.http.Response;
import io.kbstream.core.config.ApiOptions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics} of a real server against the local stack, after real requests. */
class MetricsEndpointITCase {

    private static final String DOCUMENT_ID = "metrics-probe-doc-7f3a";

    private static ApiUnderTest api;
    private static String scrape;

    @BeforeAll
    static void start() {
        // a burst of 3 and a refill far slower than the test: the 4th request of a tenant is a 429
        api =
                new ApiUnderTest(
                        Map.of(
                                ApiOptions.RATE_LIMIT_BURST.key(), "3",
                                ApiOptions.RATE_LIMIT_PER_SECOND.key(), "0.001"));
        assertThat(
                        api.putJson(
                                        "/v1/documents/" + DOCUMENT_ID,
                                        api.keyA,
                                        "{\"text\":\"Prometheus scrapes this API.\"}")
                                .statusCode())
                .isEqualTo(202);
        assertThat(api.postJson("/v1/search", api.keyA, "{\"query\":\"scrapes\"}").statusCode())
                .isEqualTo(200);
        assertThat(api.postJson("/v1/search", api.keyA, "{\"query\":\"scrapes\"}").statusCode())
                .isEqualTo(200);
        assertThat(api.postJson("/v1/search", api.keyA, "{\"query\":\"scrapes\"}").statusCode())
                .isEqualTo(429);
        Response r = api.get("/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.header("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        scrape = r.body();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void GET_metrics_has_the_jvm_gc_cpu_and_file_descriptor_series() {
        assertThat(scrape)
                .contains("jvm_memory_used_bytes{")
                .contains("jvm_gc_memory_allocated_bytes_total")
                .contains("jvm_threads_live_threads")
                .contains("process_cpu_usage")
                .contains("system_cpu_count")
                .contains("process_files_open_files")
                .contains("process_uptime_seconds");
    }

    @Test
    void GET_metrics_has_caffeine_statistics_of_the_search_cache() {
        // the second identical search was an L1 hit
        assertThat(scrape)
                .containsPattern(
                        "cache_gets_total\\{cache=\"search-l1\",[^}]*result=\"hit\"} [1-9]")
                .contains("cache_size{cache=\"search-l1\"");
    }

    @Test
    void GET_metrics_has_pool_gauges_and_breaker_state_for_every_shard_and_redis() {
        int shards = api.server.metrics().find("hikaricp.connections.max").gauges().size();
        assertThat(shards).isGreaterThan(0);
        for (int s = 0; s < shards; s++) {
            assertThat(scrape)
                    .containsPattern(
                            "hikaricp_connections_active\\{pool=\"kb-shard-"
                                    + s
                                    + "\",shard=\""
                                    + s
                                    + "\"}")
                    .containsPattern(
                            "hikaricp_connections_max\\{pool=\"kb-shard-"
                                    + s
                                    + "\",shard=\""
                                    + s
                                    + "\"} [1-9]")
                    .contains(
                            "kb_api_shard_breaker_open{node=\"primary\",shard=\"" + s + "\"} 0.0");
        }
        assertThat(scrape).contains("kb_api_redis_breaker_open 0.0");
    }

    @Test
    void GET_metrics_counts_rate_limit_rejections_and_active_tenants() {
        assertThat(scrape)
                .contains("kb_api_rate_limited_requests_total{tenant=\"" + api.tenantA + "\"} 1.0")
                .contains("kb_api_active_tenants 1.0")
                .contains("kb_api_events_clients 0.0");
    }

    @Test
    void GET_metrics_times_requests_by_route_template_never_by_document_id() {
        assertThat(scrape)
                .contains("endpoint=\"/v1/documents/{id}\"")
                .containsPattern("kb_api_requests_seconds_count\\{[^}]*status=\"429\"")
                .doesNotContain(DOCUMENT_ID);
    }
}
