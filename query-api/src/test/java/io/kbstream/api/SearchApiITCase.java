package io.kbstream.api;

import static io.kbstream.api.DocumentsApiITCase.assertError;
import static io.kbstream.api.testing.Bodies.json;
import static io.kbstream.api.testing.Bodies.quote;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.client.http.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Search over documents indexed in the real shards, through a real server. */
class SearchApiITCase {

    private static ApiUnderTest api;
    private static Seeder seeder;

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
        seeder = new Seeder(api.config);
        seeder.index(
                api.tenantA,
                "cats",
                "Cats",
                Map.of("lang", "en", "kind", "animal"),
                "Cats are small domesticated carnivorous mammals. A cat purrs when it is content.");
        seeder.index(
                api.tenantA,
                "rust",
                "Rust",
                Map.of("lang", "en", "kind", "code"),
                "The Rust programming language guarantees memory safety without a garbage"
                        + " collector.");
        seeder.index(
                api.tenantA,
                "paris",
                "Paris",
                Map.of("lang", "fr", "kind", "city"),
                "Paris is the capital of France, famous for the Eiffel Tower and the Louvre.");
        seeder.index(
                api.tenantA,
                "kittens",
                "Kittens",
                Map.of("lang", "en", "kind", "animal"),
                "Kittens are young cats; they play and sleep a lot.",
                "A kitten is weaned from its mother cat after about eight weeks.",
                "Cats and kittens like warm places to sleep.");
        seeder.index(
                api.tenantB,
                "b-cats",
                "B's cats",
                Map.of("lang", "en"),
                "Cats of tenant B are domesticated mammals that purr.");
    }

    @AfterAll
    static void stop() {
        seeder.deleteTenant(api.tenantA);
        seeder.deleteTenant(api.tenantB);
        seeder.close();
        api.close();
    }

    private static JsonNode search(String key, String body) {
        Response r = api.postJson("/v1/search", key, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body());
    }

    private static List<String> ids(JsonNode response) {
        List<String> ids = new ArrayList<>();
        response.get("results").forEach(h -> ids.add(h.get("id").asText()));
        return ids;
    }

    @Test
    void POST_search_vector_finds_the_semantically_closest_document_first() {
        JsonNode r =
                search(api.keyA, "{\"query\":\"a feline pet that purrs\",\"mode\":\"vector\"}");

        assertThat(ids(r).get(0)).isIn("cats", "kittens");
        assertThat(r.get("partial").asBoolean()).isFalse();
        JsonNode first = r.get("results").get(0);
        assertThat(first.get("title").asText()).isNotBlank();
        assertThat(first.get("snippet").asText()).isNotBlank();
        assertThat(first.get("score").asDouble()).isPositive();
        assertThat(first.get("chunk").isInt()).isTrue();
        assertThat(r.get("tookMs").isNumber()).isTrue();
    }

    @Test
    void POST_search_keyword_finds_exact_words() {
        JsonNode r = search(api.keyA, "{\"query\":\"Eiffel Tower\",\"mode\":\"keyword\"}");

        assertThat(ids(r)).containsExactly("paris");
    }

    @Test
    void POST_search_hybrid_returns_each_document_once_best_first() {
        JsonNode r = search(api.keyA, "{\"query\":\"cats sleep\",\"k\":10}");

        assertThat(ids(r)).doesNotHaveDuplicates().contains("kittens", "cats");
        assertThat(ids(r).get(0)).isEqualTo("kittens");
        double previous = Double.MAX_VALUE;
        for (JsonNode hit : r.get("results")) {
            assertThat(hit.get("score").asDouble()).isLessThanOrEqualTo(previous);
            previous = hit.get("score").asDouble();
        }
    }

    @Test
    void k_limits_the_number_of_documents() {
        assertThat(ids(search(api.keyA, "{\"query\":\"anything at all\",\"k\":2}"))).hasSize(2);
    }

    @Test
    void filter_on_metadata_keeps_only_matching_documents() {
        JsonNode r =
                search(
                        api.keyA,
                        "{\"query\":\"capital city\",\"mode\":\"vector\","
                                + "\"filter\":{\"metadata.kind\":\"animal\"}}");

        assertThat(ids(r)).isNotEmpty().allMatch(id -> id.equals("cats") || id.equals("kittens"));
    }

    @Test
    void GET_search_with_query_params_works() {
        Response r =
                api.get(
                        "/v1/search?q=" + enc("programming language") + "&k=1&mode=hybrid",
                        api.keyA);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ids(json(r.body()))).containsExactly("rust");
    }

    @Test
    void tenant_B_search_never_returns_tenant_A_documents() {
        for (String mode : List.of("vector", "keyword", "hybrid")) {
            JsonNode r = search(api.keyB, "{\"query\":\"cats purr\",\"mode\":\"" + mode + "\"}");
            assertThat(ids(r)).as(mode).containsOnly("b-cats");
        }
        JsonNode tricky =
                search(
                        api.keyB,
                        "{\"query\":\"cats\",\"filter\":{\"metadata.tenant\":"
                                + quote(api.tenantA)
                                + "}}");
        assertThat(ids(tricky)).isEmpty();
    }

    @Test
    void second_identical_search_is_cached_and_a_new_index_generation_is_not() {
        String body = "{\"query\":\"memory safety   without garbage\",\"k\":3}";
        JsonNode first = search(api.keyA, body);
        JsonNode second =
                search(api.keyA, "{\"query\":\" memory safety without garbage \",\"k\":3}");

        assertThat(first.get("cached").asBoolean()).isFalse();
        assertThat(second.get("cached").asBoolean()).isTrue();
        assertThat(ids(second)).isEqualTo(ids(first));

        seeder.index(api.tenantA, "gc", "GC", Map.of(), "Garbage collection frees memory.");
        JsonNode third = search(api.keyA, body);
        assertThat(third.get("cached").asBoolean()).isFalse();
        assertThat(ids(third)).contains("gc");
        assertThat(search(api.keyA, body).get("cached").asBoolean()).isTrue();
    }

    @Test
    void invalid_search_requests_give_400() {
        List<String> bad =
                List.of(
                        "{",
                        "{}",
                        "{\"query\":\"\"}",
                        "{\"query\":\"   \"}",
                        "{\"query\":42}",
                        "{\"query\":\"" + "q".repeat(2001) + "\"}",
                        "{\"query\":\"x\",\"k\":0}",
                        "{\"query\":\"x\",\"k\":101}",
                        "{\"query\":\"x\",\"k\":-5}",
                        "{\"query\":\"x\",\"k\":1.5}",
                        "{\"query\":\"x\",\"k\":\"10\"}",
                        "{\"query\":\"x\",\"k\":99999999999999999999}",
                        "{\"query\":\"x\",\"mode\":\"fuzzy\"}",
                        "{\"query\":\"x\",\"mode\":1}",
                        "{\"query\":\"x\",\"filter\":[]}",
                        "{\"query\":\"x\",\"filter\":{\"lang\":\"en\"}}",
                        "{\"query\":\"x\",\"filter\":{\"metadata.lang\":{\"$ne\":1}}}",
                        "{\"query\":\"x\",\"filter\":{\"metadata.lang\":null}}",
                        "{\"query\":\"x\",\"extra\":true}");
        for (String body : bad) {
            assertError(api.postJson("/v1/search", api.keyA, body), 400, "bad_request");
        }
        for (String query : List.of("", "?q=", "?q=x&k=abc", "?q=x&k=0", "?q=x&mode=nope")) {
            assertError(api.get("/v1/search" + query, api.keyA), 400, "bad_request");
        }
    }

    @Test
    void sql_and_tsquery_metacharacters_are_just_text() {
        List<String> nasty =
                List.of(
                        "'; DROP TABLE chunks; --",
                        "cats' OR '1'='1",
                        "a & | ! ( ) : * <-> b",
                        "\"unterminated",
                        "\\\\ \\\" %_ $1 $$",
                        "!!!",
                        "cats:*",
                        "-(-(-",
                        "\u0000 nul",
                        "\uD83D\uDE00 emoji");
        for (String q : nasty) {
            for (String mode : List.of("keyword", "hybrid")) {
                Response r =
                        api.postJson(
                                "/v1/search",
                                api.keyA,
                                "{\"query\":"
                                        + quote(q)
                                        + ",\"mode\":\""
                                        + mode
                                        + "\","
                                        + "\"filter\":{\"metadata.lang\":"
                                        + quote(q)
                                        + "}}");
                assertThat(r.statusCode()).as(q + " " + r.body()).isIn(200, 400);
            }
        }
        assertThat(ids(search(api.keyA, "{\"query\":\"Eiffel\",\"mode\":\"keyword\"}")))
                .containsExactly("paris");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
