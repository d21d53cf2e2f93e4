package io.kbstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link DocumentRecords}. */
class DocumentRecordsTest {

    private static final Instant AT = Instant.parse("2026-11-30T18:00:00.123Z");
    private final AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();

    @Test
    void a_delete_is_a_tombstone_that_decodes_back_to_the_same_delete() {
        DocumentEvent delete = DocumentEvents.delete("acme", "a/b", AT);

        DocumentRecords.Encoded record = DocumentRecords.encode(serde, delete);
        DocumentEvent back =
                DocumentRecords.decode(serde, record.key(), record.value(), record.headers()::get);

        assertThat(record.value()).isNull();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("acme/a/b");
        assertThat(back).isEqualTo(delete);
    }

    @Test
    void an_upsert_is_its_avro_event_without_headers() {
        DocumentEvent upsert = AvroSerdeTest.upsert();

        DocumentRecords.Encoded record = DocumentRecords.encode(serde, upsert);

        assertThat(record.headers()).isEmpty();
        assertThat(DocumentRecords.decode(serde, record.key(), record.value(), h -> null))
                .isEqualTo(upsert);
    }

    @Test
    void a_delete_written_as_an_avro_value_by_an_older_build_is_still_read() {
        DocumentEvent delete = DocumentEvents.delete("acme", "doc-1", AT);

        assertThat(
                        DocumentRecords.decode(
                                serde, EventKeys.key(delete), serde.serialize(delete), h -> null))
                .isEqualTo(delete);
    }

    @Test
    void a_tombstone_without_headers_is_a_delete_of_its_key() {
        DocumentEvent back =
                DocumentRecords.decode(serde, EventKeys.key("acme", "doc-1"), null, h -> null);

        assertThat(back.getType()).isEqualTo(EventType.DELETE);
        assertThat(back.getTenant()).isEqualTo("acme");
        assertThat(back.getDocumentId()).isEqualTo("doc-1");
    }

    @Test
    void a_tombstone_whose_key_is_not_a_document_key_is_rejected() {
        byte[] key = "no-slash".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> DocumentRecords.decode(serde, key, null, h -> null))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("tenant/documentId");
        assertThatThrownBy(
                        () ->
                                DocumentRecords.decode(
                                        serde,
                                        EventKeys.key("acme", "d"),
                                        null,
                                        Map.of(
                                                        DocumentRecords.HEADER_DELETED_AT,
                                                        "soon".getBytes(StandardCharsets.UTF_8))
                                                ::get))
                .isInstanceOf(SchemaException.class);
    }
}
