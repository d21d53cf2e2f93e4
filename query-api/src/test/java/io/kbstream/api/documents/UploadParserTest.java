package io.kbstream.api.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.api.http.ApiException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Tests for {@link UploadParser} (JSON bodies) and {@link Validation}. */
class UploadParserTest {

    private final UploadParser parser = new UploadParser(100);

    private Upload parse(String json, String pathId) {
        return parser.fromJson(json.getBytes(StandardCharsets.UTF_8), pathId);
    }

    private static void assertStatus(Runnable r, int status) {
        assertThatThrownBy(r::run)
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(status));
    }

    @Test
    void json_upload_with_scalars_in_metadata() {
        Upload u =
                parse(
                        "{\"id\":\"d1\",\"title\":\"T\",\"text\":\"héllo\",\"contentType\":"
                                + "\"text/markdown; charset=utf-8\",\"metadata\":{\"n\":1.5,\"b\":true,\"s\":\"x\"}}",
                        null);

        assertThat(u.id()).isEqualTo("d1");
        assertThat(u.contentType()).isEqualTo("text/markdown");
        assertThat(new String(u.content(), StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThat(u.metadata()).containsEntry("n", "1.5").containsEntry("b", "true");
    }

    @Test
    void missing_id_is_generated_and_path_id_wins_when_equal() {
        assertThat(parse("{\"text\":\"x\"}", null).id()).hasSize(36);
        assertThat(parse("{\"text\":\"x\",\"id\":\"p\"}", "p").id()).isEqualTo("p");
        assertStatus(() -> parse("{\"text\":\"x\",\"id\":\"q\"}", "p"), 400);
    }

    @Test
    void content_over_the_limit_is_413() {
        assertStatus(() -> parse("{\"text\":\"" + "a".repeat(101) + "\"}", null), 413);
        assertThat(parse("{\"text\":\"" + "a".repeat(100) + "\"}", null).content()).hasSize(100);
    }

    @Test
    void unsupported_content_types_are_415_and_pdf_needs_multipart() {
        assertStatus(() -> parse("{\"text\":\"x\",\"contentType\":\"image/png\"}", null), 415);
        assertStatus(
                () -> parse("{\"text\":\"x\",\"contentType\":\"application/pdf\"}", null), 415);
    }

    @Test
    void wrong_types_and_nesting_are_400() {
        for (String bad :
                new String[] {
                    "{\"text\":1}",
                    "{\"text\":\"x\",\"title\":[]}",
                    "{\"text\":\"x\",\"metadata\":{\"a\":{}}}",
                    "{\"text\":\"x\",\"metadata\":{\"a\":null}}",
                    "{\"text\":\"x\",\"metadata\":{\"\":\"v\"}}",
                    "{\"text\":\"x\",\"title\":\"a\\u0000b\"}",
                    "{\"text\":\"x\"}{}",
                    "{\"text\":\"x\" // comment\n}",
                    "null",
                    ""
                }) {
            assertStatus(() -> parse(bad, null), 400);
        }
    }

    @Test
    void document_ids_reject_traversal_separators_and_control_characters() {
        for (String bad :
                new String[] {
                    "", "..", ".", "a/../b", "a/b", "a\\b", "a\nb", "a\u0000", " a", "x".repeat(257)
                }) {
            assertStatus(() -> Validation.documentId(bad), 400);
        }
        assertThat(Validation.documentId("report-2024_v1.pdf")).isEqualTo("report-2024_v1.pdf");
        assertThat(Validation.documentId("ünïcode id")).isEqualTo("ünïcode id");
        assertThat(Validation.documentId("x".repeat(256))).hasSize(256);
    }
}
