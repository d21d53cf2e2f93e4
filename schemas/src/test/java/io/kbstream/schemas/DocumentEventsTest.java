package io.kbstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link DocumentEvents} and {@link DocumentStatuses}. */
class DocumentEventsTest {

    private static final Instant AT = Instant.parse("2026-11-02T10:15:30.123Z");

    @Test
    void an_upsert_carries_the_upload_a_fresh_event_id_and_no_version_yet() {
        DocumentEvent a =
                DocumentEvents.upsert(
                        "acme",
                        "doc-1",
                        "Hello",
                        "héllo".getBytes(StandardCharsets.UTF_8),
                        "text/plain",
                        Map.of("lang", "en"),
                        AT);
        DocumentEvent b =
                DocumentEvents.upsert(
                        "acme", "doc-1", null, new byte[] {1}, "text/plain", Map.of(), AT);

        assertThat(a.getType()).isEqualTo(EventType.UPSERT);
        assertThat(a.getTenant()).isEqualTo("acme");
        assertThat(a.getDocumentId()).isEqualTo("doc-1");
        assertThat(a.getTitle()).isEqualTo("Hello");
        assertThat(StandardCharsets.UTF_8.decode(a.getContent()).toString()).isEqualTo("héllo");
        assertThat(a.getContentType()).isEqualTo("text/plain");
        assertThat(a.getMetadata()).containsExactly(Map.entry("lang", "en"));
        assertThat(a.getUploadedAt()).isEqualTo(AT);
        assertThat(a.getVersion()).isEqualTo(DocumentVersions.UNASSIGNED);
        assertThat(a.getEventId()).isNotBlank().isNotEqualTo(b.getEventId());
        assertThat(AvroSerde.documentEvents().deserialize(AvroSerde.documentEvents().serialize(a)))
                .isEqualTo(a);
    }

    @Test
    void a_delete_has_no_content_title_or_metadata() {
        DocumentEvent delete = DocumentEvents.delete("acme", "doc-1", AT);

        assertThat(delete.getType()).isEqualTo(EventType.DELETE);
        assertThat(delete.getContent()).isNull();
        assertThat(delete.getTitle()).isNull();
        assertThat(delete.getMetadata()).isEmpty();
        assertThat(delete.getVersion()).isEqualTo(DocumentVersions.UNASSIGNED);
    }

    @Test
    void the_accepted_status_names_the_event_and_the_version_the_log_gave_it() {
        DocumentEvent event =
                DocumentEvents.upsert(
                        "acme", "doc-1", null, new byte[] {1}, "text/plain", Map.of(), AT);

        DocumentStatus accepted = DocumentStatuses.accepted(event, DocumentVersions.ofOffset(7));

        assertThat(accepted.getEventId()).isEqualTo(event.getEventId());
        assertThat(accepted.getTenant()).isEqualTo("acme");
        assertThat(accepted.getDocumentId()).isEqualTo("doc-1");
        assertThat(accepted.getVersion()).isEqualTo(DocumentVersions.FIRST + 7);
        assertThat(accepted.getState()).isEqualTo(DocumentState.ACCEPTED);
        assertThat(accepted.getReason()).isNull();
        assertThat(accepted.getUploadedAt()).isEqualTo(AT);
        assertThat(accepted.getUpdatedAt()).isEqualTo(AT);
        assertThat(EventKeys.key(accepted)).isEqualTo(EventKeys.key(event));
    }

    @Test
    void a_status_without_an_event_id_still_serializes() {
        DocumentStatus status =
                DocumentStatuses.of(
                        null, "acme", "doc-1", 3, DocumentState.FAILED, "empty", 0, AT, AT);

        assertThat(status.getEventId()).isEmpty();
        assertThat(
                        AvroSerde.documentStatuses()
                                .deserialize(AvroSerde.documentStatuses().serialize(status)))
                .isEqualTo(status);
    }
}
