package io.kbstream.api.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.api.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link SearchRequest}: validation and cache keys. */
class SearchRequestTest {

    private static SearchRequest json(String body) {
        return SearchRequest.fromJson(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void defaults_are_k10_and_hybrid() {
        SearchRequest r = json("{\"query\":\"cats\"}");
        assertThat(r.k()).isEqualTo(10);
        assertThat(r.mode()).isEqualTo(SearchMode.HYBRID);
        assertThat(r.filter()).isEmpty();
    }

    @Test
    void filter_values_become_strings_and_keys_lose_the_prefix() {
        SearchRequest r =
                json(
                        "{\"query\":\"q\",\"filter\":{\"metadata.year\":2024,\"metadata.draft\":false}}");
        assertThat(r.filter()).isEqualTo(Map.of("year", "2024", "draft", "false"));
    }

    @Test
    void toJson_reads_back_as_an_equal_request_with_the_same_cache_key() {
        SearchRequest r =
                json(
                        "{\"query\":\" tea  \\\"green\\\" \",\"k\":7,\"mode\":\"keyword\","
                                + "\"filter\":{\"metadata.year\":2024,\"metadata.a:b\":\"x=y\"}}");
        SearchRequest back = json(r.toJson());
        assertThat(back).isEqualTo(r);
        assertThat(back.cacheKey()).isEqualTo(r.cacheKey());
    }

    @Test
    void equal_requests_after_normalization_share_a_cache_key() {
        String a = json("{\"query\":\"  red   apples \",\"k\":5,\"mode\":\"VECTOR\"}").cacheKey();
        String b = SearchRequest.fromQueryParams("red apples", "5", "vector").cacheKey();
        assertThat(a).isEqualTo(b).hasSize(64);
    }

    @Test
    void any_difference_changes_the_cache_key() {
        String base =
                json("{\"query\":\"q\",\"k\":5,\"filter\":{\"metadata.a\":\"b\"}}").cacheKey();
        assertThat(json("{\"query\":\"Q\",\"k\":5,\"filter\":{\"metadata.a\":\"b\"}}").cacheKey())
                .isNotEqualTo(base);
        assertThat(json("{\"query\":\"q\",\"k\":6,\"filter\":{\"metadata.a\":\"b\"}}").cacheKey())
                .isNotEqualTo(base);
        assertThat(json("{\"query\":\"q\",\"k\":5,\"filter\":{\"metadata.a\":\"c\"}}").cacheKey())
                .isNotEqualTo(base);
        assertThat(
                        json("{\"query\":\"q\",\"k\":5,\"mode\":\"keyword\",\"filter\":{\"metadata.a\":\"b\"}}")
                                .cacheKey())
                .isNotEqualTo(base);
        // length-prefixed: moving '=' between key and value cannot collide
        assertThat(json("{\"query\":\"q\",\"filter\":{\"metadata.a=\":\"b\"}}").cacheKey())
                .isNotEqualTo(
                        json("{\"query\":\"q\",\"filter\":{\"metadata.a\":\"=b\"}}").cacheKey());
    }

    @Test
    void filter_order_does_not_matter() {
        assertThat(
                        json("{\"query\":\"q\",\"filter\":{\"metadata.a\":1,\"metadata.b\":2}}")
                                .cacheKey())
                .isEqualTo(
                        json("{\"query\":\"q\",\"filter\":{\"metadata.b\":2,\"metadata.a\":1}}")
                                .cacheKey());
    }

    @Test
    void invalid_requests_are_400() {
        for (String bad :
                new String[] {
                    "{\"query\":\"\"}",
                    "{\"query\":\"" + "x".repeat(2001) + "\"}",
                    "{\"query\":\"x\",\"k\":0}",
                    "{\"query\":\"x\",\"k\":101}",
                    "{\"query\":\"x\",\"k\":2.5}",
                    "{\"query\":\"x\",\"mode\":\"semantic\"}",
                    "{\"query\":\"x\",\"filter\":{\"year\":1}}",
                    "{\"query\":\"x\",\"filter\":{\"metadata.a\":[1]}}",
                    "{\"q\":\"x\"}"
                }) {
            assertThatThrownBy(() -> json(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
        assertThat(json("{\"query\":\"" + "x".repeat(2000) + "\"}").query()).hasSize(2000);
    }
}
