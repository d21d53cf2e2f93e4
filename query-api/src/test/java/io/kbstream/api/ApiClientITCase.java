package io.kbstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.client.Accepted;
import io.kbstream.client.ApiClient;
import io.kbstream.client.ApiException;
import io.kbstream.client.DocumentStatus;
import io.kbstream.client.EventStream;
import io.kbstream.client.FileUpload;
import io.kbstream.client.SearchMode;
import io.kbstream.client.SearchQuery;
import io.kbstream.client.SearchResult;
import io.kbstream.client.Upload;
import io.kbstream.schemas.DocumentState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The project's one API client ({@code kb-client}) against a real server: typed calls and errors.
 */
class ApiClientITCase {

    private static ApiUnderTest api;
    private static Seeder seeder;

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
        seeder = new Seeder(api.config);
        seeder.index(
                api.tenantA,
                "otters",
                "Otters",
                Map.of("kind", "animal"),
                "Sea otters hold hands while they sleep so they do not drift apart.");
    }

    @AfterAll
    static void stop() {
        seeder.deleteTenant(api.tenantA);
        seeder.close();
        api.close();
    }

    @Test
    void an_id_with_reserved_characters_round_trips_through_put_status_and_delete() {
        ApiClient client = api.clientA();
        String id = "café notes #1?x=y&z=%20";

        Accepted put = client.put(id, Upload.text("some text").title("Notes"));
        DocumentStatus status = client.status(id);
        Accepted deleted = client.delete(id);

        assertThat(put.id()).isEqualTo(id);
        assertThat(put.kind()).isEqualTo(Accepted.Kind.ACCEPTED);
        assertThat(put.version()).isPositive();
        assertThat(status.id()).isEqualTo(id);
        assertThat(status.tenant()).isEqualTo(api.tenantA);
        assertThat(status.state()).isEqualTo(DocumentState.ACCEPTED);
        assertThat(status.version()).isEqualTo(put.version());
        assertThat(deleted.kind()).isEqualTo(Accepted.Kind.DELETING);
        assertThat(deleted.version()).isGreaterThan(put.version());
    }

    @Test
    void a_multipart_file_upload_is_accepted_with_a_generated_id() {
        Accepted accepted =
                api.clientA()
                        .uploadFile(
                                null,
                                FileUpload.of(
                                                "notes.md",
                                                null,
                                                "# Notes\nsome *markdown*"
                                                        .getBytes(StandardCharsets.UTF_8))
                                        .title("Notes")
                                        .metadata(Map.of("kind", "note")));

        assertThat(accepted.id()).isNotBlank();
        assertThat(api.clientA().status(accepted.id()).state()).isEqualTo(DocumentState.ACCEPTED);
    }

    @Test
    void a_search_answers_typed_hits() {
        SearchResult result =
                api.clientA()
                        .search(SearchQuery.of("otters sleeping").mode(SearchMode.VECTOR).k(3));

        assertThat(result.partial()).isFalse();
        assertThat(result.results()).isNotEmpty();
        SearchResult.Hit first = result.results().get(0);
        assertThat(first.id()).isEqualTo("otters");
        assertThat(first.title()).isEqualTo("Otters");
        assertThat(first.score()).isPositive();
        assertThat(first.snippet()).contains("otters");
    }

    @Test
    void errors_carry_the_servers_status_code_and_message() {
        ApiException missing =
                catchThrowableOfType(
                        ApiException.class, () -> api.clientA().status("never-uploaded"));
        ApiException badKey =
                catchThrowableOfType(
                        ApiException.class,
                        () -> api.client.withApiKey("not-a-key").search(SearchQuery.of("x")));
        ApiException badK =
                catchThrowableOfType(
                        ApiException.class, () -> api.clientA().search(SearchQuery.of("x").k(0)));

        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("not_found");
        assertThat(missing.serverMessage()).isNotBlank();
        assertThat(missing.retryable()).isFalse();
        assertThat(badKey.status()).isEqualTo(401);
        assertThat(badKey.code()).isEqualTo("unauthorized");
        assertThat(badK.status()).isEqualTo(400);
        assertThat(badK.code()).isEqualTo("bad_request");
        assertThat(badK.getMessage()).contains("400 bad_request: ");
    }

    @Test
    void the_events_stream_delivers_an_uploads_status_typed() throws Exception {
        try (EventStream events = api.clientA().events()) {
            assertThat(events.await("subscribed", 5)).isNotNull();

            Accepted put = api.clientA().put("evented", Upload.text("pushed"));

            assertThat(events.awaitStatus(s -> s.id().equals("evented"), Duration.ofSeconds(10)))
                    .hasValueSatisfying(
                            s -> {
                                assertThat(s.state()).isEqualTo(DocumentState.ACCEPTED);
                                assertThat(s.version()).isEqualTo(put.version());
                            });
        }
    }

    @Test
    void health_calls_are_true_on_a_live_server_and_false_without_one() {
        assertThat(api.client.live()).isTrue();
        assertThat(ApiClient.of("http://127.0.0.1:9", null).live()).isFalse();
    }
}
