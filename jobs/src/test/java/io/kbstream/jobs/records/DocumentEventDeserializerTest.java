package io.kbstream.jobs.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.tenant.TenantDeleted;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentEvents;
import io.kbstream.schemas.DocumentRecords;
import io.kbstream.schemas.DocumentVersions;
import io.kbstream.schemas.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Tests for {@link DocumentEventDeserializer}. */
class DocumentEventDeserializerTest {

    private static final Instant AT = Instant.parse("2026-11-30T18:00:00Z");
    private final AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();

    @Test
    void a_tombstone_is_a_delete_with_the_version_of_its_offset_and_its_event_id() {
        DocumentEvent delete = DocumentEvents.delete("acme", "doc-1", AT);

        List<DocumentCommand> out = read(new DocumentEventDeserializer(), record(delete, 41));

        assertThat(out).hasSize(1);
        DocumentCommand c = out.get(0);
        assertThat(c.isDecodable()).isTrue();
        assertThat(c.type).isEqualTo(EventType.DELETE);
        assertThat(c.tenant).isEqualTo("acme");
        assertThat(c.documentId).isEqualTo("doc-1");
        assertThat(c.eventId).isEqualTo(delete.getEventId());
        assertThat(c.uploadedAt).isEqualTo(AT.toEpochMilli());
        assertThat(c.version).isEqualTo(DocumentVersions.ofOffset(41));
    }

    @Test
    void a_deserializer_of_one_tenant_skips_the_records_of_the_others() {
        DocumentEventDeserializer acmeOnly = new DocumentEventDeserializer("acme");

        List<DocumentCommand> out =
                read(
                        acmeOnly,
                        record(upsert("acme", "a"), 1),
                        record(upsert("acme-2", "b"), 2),
                        record(DocumentEvents.delete("other", "c", AT), 3),
                        record(DocumentEvents.delete("acme", "d", AT), 4));

        assertThat(out).extracting(c -> c.documentId).containsExactly("a", "d");
    }

    @Test
    void a_replay_skips_the_records_a_tenant_tombstone_covers_and_keeps_the_later_ones() {
        // acme deleted when partition 0 ended at offset 3: its records below are from before
        DocumentEventDeserializer replay =
                new DocumentEventDeserializer(
                        null, Map.of("acme", TenantDeleted.of("acme", new long[] {3})));

        List<DocumentCommand> out =
                read(
                        replay,
                        record(upsert("acme", "a"), 1),
                        record(upsert("other", "b"), 2),
                        record(DocumentEvents.delete("acme", "c", AT), 2),
                        record(upsert("acme", "a"), 3),
                        record(upsert("acme", "d"), 4));

        assertThat(out)
                .extracting(c -> c.tenant + "/" + c.documentId + "@" + c.version)
                .containsExactly(
                        "other/b@" + DocumentVersions.ofOffset(2),
                        "acme/a@" + DocumentVersions.ofOffset(3),
                        "acme/d@" + DocumentVersions.ofOffset(4));
    }

    @Test
    void a_tombstone_whose_key_names_no_document_is_undecodable_not_a_failure() {
        ConsumerRecord<byte[], byte[]> bad =
                new ConsumerRecord<>(
                        "kb.documents", 0, 7, "garbage".getBytes(StandardCharsets.UTF_8), null);

        List<DocumentCommand> out = read(new DocumentEventDeserializer(), bad);

        assertThat(out).hasSize(1);
        assertThat(out.get(0).decodeError).contains("tenant/documentId");
    }

    private static DocumentEvent upsert(String tenant, String id) {
        return DocumentEvents.upsert(
                tenant,
                id,
                null,
                "text".getBytes(StandardCharsets.UTF_8),
                "text/plain",
                Map.of(),
                AT);
    }

    private ConsumerRecord<byte[], byte[]> record(DocumentEvent event, long offset) {
        DocumentRecords.Encoded encoded = DocumentRecords.encode(serde, event);
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>("kb.documents", 0, offset, encoded.key(), encoded.value());
        encoded.headers().forEach((name, value) -> record.headers().add(name, value));
        return record;
    }

    @SafeVarargs
    private static List<DocumentCommand> read(
            DocumentEventDeserializer deserializer, ConsumerRecord<byte[], byte[]>... records) {
        List<DocumentCommand> out = new ArrayList<>();
        Collector<DocumentCommand> collector =
                new Collector<>() {
                    @Override
                    public void collect(DocumentCommand c) {
                        out.add(c);
                    }

                    @Override
                    public void close() {}
                };
        for (ConsumerRecord<byte[], byte[]> r : records) {
            deserializer.deserialize(r, collector);
        }
        return out;
    }
}
