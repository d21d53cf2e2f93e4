package io.kbstream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kbstream.schemas.DocumentState;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Tests for {@link ApiClient} that need no server (the real-server ones are in query-api). */
class ApiClientTest {

    @Test
    void an_id_is_encoded_as_one_path_segment() {
        assertThat(ApiClient.encode("a b/c?d#e&f=g%é"))
                .isEqualTo("a%20b%2Fc%3Fd%23e%26f%3Dg%25%C3%A9");
        assertThat(ApiClient.encode("plain-id_1.txt")).isEqualTo("plain-id_1.txt");
    }

    @Test
    void a_server_that_does_not_answer_gives_status_0_and_is_retryable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ApiClient client = ApiClient.of("http://127.0.0.1:" + port, "key");

        ApiException e = catchThrowableOfType(ApiException.class, () -> client.status("doc"));

        assertThat(e.status()).isZero();
        assertThat(e.code()).isEqualTo(ApiException.UNREACHABLE);
        assertThat(e.unreachable()).isTrue();
        assertThat(e.retryable()).isTrue();
        assertThat(e.getCause()).isInstanceOf(IOException.class);
    }

    @Test
    void a_base_url_that_is_not_http_is_refused() {
        assertThatThrownBy(() -> ApiClient.builder("ftp://example").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http");
    }

    @Test
    void search_modes_parse_their_wire_names_and_name_the_choices_otherwise() {
        assertThat(SearchMode.parse("Keyword")).isEqualTo(SearchMode.KEYWORD);
        assertThat(SearchMode.HYBRID.wireName()).isEqualTo("hybrid");
        assertThatThrownBy(() -> SearchMode.parse("fuzzy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hybrid, vector or keyword");
    }

    @Test
    void the_clients_enums_are_those_of_the_openapi_document() throws IOException {
        String openapi;
        try (InputStream in = getClass().getResourceAsStream("/openapi/kb-api.yaml")) {
            openapi = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(enumOf(openapi, "SearchMode"))
                .containsExactly(
                        Arrays.stream(SearchMode.values())
                                .map(SearchMode::wireName)
                                .toArray(String[]::new));
        assertThat(enumOf(openapi, "Accepted"))
                .containsExactly(
                        Arrays.stream(Accepted.Kind.values())
                                .map(Enum::name)
                                .toArray(String[]::new));
        assertThat(enumOf(openapi, "DocumentState"))
                .containsExactly(
                        Arrays.stream(DocumentState.values())
                                .map(Enum::name)
                                .toArray(String[]::new));
    }

    /** The first {@code enum: [...]} after {@code <schema>:} among the OpenAPI schemas. */
    private static String[] enumOf(String openapi, String schema) {
        int at = openapi.indexOf("\n    " + schema + ":\n", openapi.indexOf("\n  schemas:"));
        Matcher m = Pattern.compile("enum: \\[([^\\]]*)\\]").matcher(openapi);
        assertThat(at).as(schema + " in the OpenAPI document").isPositive();
        assertThat(m.find(at)).isTrue();
        return Arrays.stream(m.group(1).split(",")).map(String::trim).toArray(String[]::new);
    }
}
