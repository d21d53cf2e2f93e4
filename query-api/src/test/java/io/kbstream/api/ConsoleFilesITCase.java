package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.client.http.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's static files beside the API's routes: the page and its script are served with a
 * same-origin content policy, while the routes, their authentication and the JSON errors are what
 * they were without them.
 */
class ConsoleFilesITCase {

    private static ApiUnderTest api;

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void GET_root_gives_the_console_page_that_loads_nothing_from_elsewhere() {
        Response page = api.get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.header("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.header("Content-Security-Policy"))
                .hasValueSatisfying(p -> assertThat(p).startsWith("default-src 'self'"));
        assertThat(page.body()).contains("console.js").doesNotContain("http://", "https://");
        Response script = api.get("/console.js", null);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("/v1/events", "/v1/search", "/v1/documents");
    }

    @Test
    void an_unknown_path_still_gives_the_JSON_404() {
        Response r = api.get("/no-such-page.html", null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r.body()).get("error").get("code").asText()).isEqualTo("not_found");
    }

    @Test
    void v1_routes_still_need_a_key_and_answer_with_it() {
        Response noKey = api.get("/v1/search?q=cats", null);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json(noKey.body()).get("error").get("code").asText()).isNotBlank();
        assertThat(api.get("/v1/search?q=cats", api.keyA).statusCode()).isEqualTo(200);
        assertThat(api.get("/health/live", null).statusCode()).isEqualTo(200);
    }

    @Test
    void a_path_escaping_the_console_folder_is_not_served() {
        Response r = api.get("/..%2f..%2fkb.properties", null);
        assertThat(r.statusCode()).isBetween(400, 404);
        assertThat(r.body()).doesNotContain("port-base");
    }
}
