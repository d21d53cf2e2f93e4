package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated garbage at every HTTP endpoint (fixed seed): every answer is a 2xx or a 4xx with the
 * JSON error body, never a 5xx, and the server keeps serving good requests.
 */
class BadInputFuzzITCase {

    private static final long SEED = 20261125L;
    private static final int REQUESTS = 400;

    private static ApiUnderTest api;

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static final List<String> FRAGMENTS =
            List.of(
                    "{",
                    "}",
                    "[",
                    "]",
                    "\"",
                    ":",
                    ",",
                    "null",
                    "true",
                    "1e999",
                    "-0",
                    "\\u0000",
                    "\\ud800",
                    "'; DROP TABLE documents; --",
                    "<->",
                    "&",
                    "|",
                    "!",
                    "*",
                    "%",
                    "\"query\"",
                    "\"text\"",
                    "\"k\"",
                    "\"mode\"",
                    "\"filter\"",
                    "\"metadata\"",
                    "\"metadata.x\"",
                    "\"id\"",
                    "\"../../etc\"",
                    "99999999999999999999",
                    "\"hybrid\"",
                    "{\"a\":{\"b\":{}}}",
                    "\u00ff\u00fe",
                    " ",
                    "\n");

    private static byte[] garbage(Random random) {
        if (random.nextInt(5) == 0) {
            byte[] raw = new byte[random.nextInt(300)];
            random.nextBytes(raw); // invalid UTF-8 and binary
            return raw;
        }
        StringBuilder sb = new StringBuilder(random.nextBoolean() ? "{" : "");
        int parts = random.nextInt(20);
        for (int i = 0; i < parts; i++) {
            sb.append(FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void generated_bad_requests_never_give_5xx_and_the_server_keeps_serving() {
        Random random = new Random(SEED);
        String[] types = {"application/json", "text/plain", "multipart/form-data; boundary=x", ""};
        for (int i = 0; i < REQUESTS; i++) {
            byte[] body = garbage(random);
            String type = types[random.nextInt(types.length)];
            HttpResponse<String> r =
                    switch (random.nextInt(5)) {
                        case 0 ->
                                api.sendBytes("POST", "/v1/search", api.keyA, nonEmpty(type), body);
                        case 1 ->
                                api.sendBytes(
                                        "POST", "/v1/documents", api.keyA, nonEmpty(type), body);
                        case 2 ->
                                api.sendBytes(
                                        "PUT",
                                        "/v1/documents/fuzz-" + i,
                                        api.keyA,
                                        nonEmpty(type),
                                        body);
                        case 3 ->
                                api.get(
                                        "/v1/search?q="
                                                + java.net.URLEncoder.encode(
                                                        new String(body, StandardCharsets.UTF_8),
                                                        StandardCharsets.UTF_8)
                                                + "&k="
                                                + (random.nextInt(300) - 100),
                                        api.keyA);
                        default ->
                                api.sendBytes("POST", "/v1/search", null, "application/json", body);
                    };
            assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isLessThan(500);
            if (r.statusCode() >= 400) {
                assertThat(json(r.body()).get("error").get("code").asText()).isNotBlank();
            }
        }
        assertThat(
                        api.postJson("/v1/documents", api.keyA, "{\"text\":\"still fine\"}")
                                .statusCode())
                .isEqualTo(202);
        assertThat(api.postJson("/v1/search", api.keyA, "{\"query\":\"still fine\"}").statusCode())
                .isEqualTo(200);
    }

    private static String nonEmpty(String type) {
        return type.isEmpty() ? "application/octet-stream" : type;
    }
}
