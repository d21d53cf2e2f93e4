package io.kbstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** Tests for {@link AvroSerde}. */
class AvroSerdeTest {

    private static final Instant UPLOADED = Instant.parse("2026-11-02T10:15:30.123Z");

    static DocumentEvent upsert() {
        return DocumentEvents.upsert(
                "acme",
                "doc-1",
                "Hello",
                "héllo wörld".getBytes(StandardCharsets.UTF_8),
                "text/plain",
                Map.of("lang", "en", "team", "search"),
                UPLOADED);
    }

    @Test
    void document_event_round_trips() {
        AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();
        DocumentEvent event = upsert();

        byte[] bytes = serde.serialize(event);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        DocumentEvent back = serde.deserialize(bytes);
        assertThat(back).isEqualTo(event);
        assertThat(back.getUploadedAt()).isEqualTo(UPLOADED);
        assertThat(StandardCharsets.UTF_8.decode(back.getContent()).toString())
                .isEqualTo("héllo wörld");
    }

    @Test
    void delete_event_without_content_round_trips() {
        AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();
        DocumentEvent delete = DocumentEvents.delete("acme", "doc-1", UPLOADED);

        DocumentEvent back = serde.deserialize(serde.serialize(delete));

        assertThat(back.getType()).isEqualTo(EventType.DELETE);
        assertThat(back.getContent()).isNull();
        assertThat(back.getTitle()).isNull();
        assertThat(back.getMetadata()).isEmpty();
    }

    @Test
    void document_status_round_trips() {
        AvroSerde<DocumentStatus> serde = AvroSerde.documentStatuses();
        DocumentStatus status =
                DocumentStatuses.of(
                        "e1",
                        "acme",
                        "doc-1",
                        3L,
                        DocumentState.FAILED,
                        "unsupported content type",
                        0,
                        UPLOADED,
                        UPLOADED.plusSeconds(2));

        DocumentStatus back = serde.deserialize(serde.serialize(status));

        assertThat(back).isEqualTo(status);
        assertThat(back.getChunkCount()).isZero();
    }

    @Test
    void serde_survives_java_serialization() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
            oos.writeObject(AvroSerde.documentEvents());
        }
        @SuppressWarnings("unchecked")
        AvroSerde<DocumentEvent> copy =
                (AvroSerde<DocumentEvent>)
                        new ObjectInputStream(new ByteArrayInputStream(out.toByteArray()))
                                .readObject();

        DocumentEvent event = upsert();
        assertThat(copy.deserialize(AvroSerde.documentEvents().serialize(event))).isEqualTo(event);
    }

    @Test
    void schemas_with_added_default_field_are_compatible_both_ways() throws IOException {
        Schema v1 = AvroSerde.documentEvents().schema();
        Schema v2 = testSchema("avro-test/DocumentEvent-v2.avsc");

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(v1, v2).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(v2, v1).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void old_reader_reads_new_writers_record() throws IOException {
        Schema v2 = testSchema("avro-test/DocumentEvent-v2.avsc");
        GenericRecord record = new GenericData.Record(v2);
        record.put("eventId", "e-v2");
        record.put("type", new GenericData.EnumSymbol(v2.getField("type").schema(), "UPSERT"));
        record.put("tenant", "acme");
        record.put("documentId", "doc-9");
        record.put("version", 7L);
        record.put("title", "from the future");
        record.put("content", null);
        record.put("contentType", null);
        record.put("metadata", Map.of("k", "v"));
        record.put("uploadedAt", UPLOADED.toEpochMilli());
        record.put("language", "de");
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2)
                        .encode(record)
                        .array();

        AvroSerde<DocumentEvent> v1Reader = AvroSerde.documentEvents().withWriterSchema(v2);
        DocumentEvent read = v1Reader.deserialize(bytes);

        assertThat(read.getDocumentId()).isEqualTo("doc-9");
        assertThat(read.getVersion()).isEqualTo(7L);
        assertThat(read.getTitle()).isEqualTo("from the future");
        assertThat(read.getMetadata()).containsEntry("k", "v");
        assertThat(read.getUploadedAt()).isEqualTo(UPLOADED);
        // and a reader that was never told of v2 rejects it with a clear, typed error
        assertThatThrownBy(() -> AvroSerde.documentEvents().deserialize(bytes))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("unknown writer schema");
    }

    @Test
    void new_reader_reads_old_writers_record_with_default() throws IOException {
        Schema v2 = testSchema("avro-test/DocumentEvent-v2.avsc");
        byte[] v1Bytes = AvroSerde.documentEvents().serialize(upsert());
        BinaryMessageDecoder<GenericRecord> v2Reader =
                new BinaryMessageDecoder<>(GenericData.get(), v2);
        for (Schema released : AvroSerde.documentEvents().writerSchemas()) {
            v2Reader.addSchema(released);
        }

        GenericRecord read = v2Reader.decode(v1Bytes);

        assertThat(read.get("documentId").toString()).isEqualTo("doc-1");
        assertThat(read.get("version")).isEqualTo(DocumentVersions.UNASSIGNED);
        assertThat(read.get("language").toString()).isEqualTo("en");
    }

    @Test
    void unknown_fingerprint_is_rejected() {
        byte[] bytes = AvroSerde.documentEvents().serialize(upsert());
        bytes[5] ^= 0x5A; // inside the 8-byte fingerprint

        assertThatThrownBy(() -> AvroSerde.documentEvents().deserialize(bytes))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("unknown writer schema for DocumentEvent");
    }

    @Test
    void status_bytes_are_not_an_event() {
        byte[] status =
                AvroSerde.documentStatuses()
                        .serialize(
                                DocumentStatuses.accepted(
                                        DocumentEvents.delete("t", "d", UPLOADED),
                                        DocumentVersions.ofOffset(1)));

        assertThatThrownBy(() -> AvroSerde.documentEvents().deserialize(status))
                .isInstanceOf(SchemaException.class);
    }

    @Test
    void garbage_and_truncated_bytes_are_rejected_with_schema_exception() {
        AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();
        byte[] good = serde.serialize(upsert());

        assertThatThrownBy(
                        () ->
                                serde.deserialize(
                                        "{\"json\": true}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("not an Avro single-object encoded DocumentEvent");
        assertThatThrownBy(() -> serde.deserialize(new byte[0]))
                .isInstanceOf(SchemaException.class);
        assertThatThrownBy(() -> serde.deserialize(new byte[] {(byte) 0xC3, 0x01, 1}))
                .isInstanceOf(SchemaException.class);
        assertThatThrownBy(() -> serde.deserialize(Arrays.copyOf(good, good.length - 8)))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("corrupt DocumentEvent");
    }

    @Test
    void every_schema_is_recorded_as_the_newest_released_version() throws IOException {
        Path avroDir = Path.of("src/main/avro");
        Path historyDir = Path.of("src/main/resources/avro-history");
        List<Path> schemas;
        try (Stream<Path> files = Files.list(avroDir)) {
            schemas = files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
        assertThat(schemas)
                .extracting(p -> p.getFileName().toString())
                .contains("DocumentEvent.avsc", "DocumentStatus.avsc");

        for (Path schema : schemas) {
            String name = schema.getFileName().toString().replace(".avsc", "");
            Pattern version = Pattern.compile(Pattern.quote(name) + "-v(\\d+)\\.avsc");
            Path newest;
            try (Stream<Path> files = Files.list(historyDir)) {
                newest =
                        files.filter(p -> version.matcher(p.getFileName().toString()).matches())
                                .max(Comparator.comparingInt(p -> versionOf(version, p)))
                                .orElse(null);
            }
            assertThat(newest)
                    .as("%s has no released version in %s", schema, historyDir)
                    .isNotNull();
            assertThat(Files.readAllBytes(schema))
                    .as(
                            "%s differs from %s: record the change as the next -vN file",
                            schema, newest)
                    .isEqualTo(Files.readAllBytes(newest));
        }
    }

    @Test
    void history_versions_are_contiguous_and_loaded() {
        assertThat(AvroSerde.documentEvents().writerSchemas()).isNotEmpty();
        assertThat(AvroSerde.documentStatuses().writerSchemas()).isNotEmpty();
        List<Schema> events = AvroSerde.documentEvents().writerSchemas();
        // the newest released version is what this build writes (same fingerprint)
        assertThat(SchemaNormalization.parsingFingerprint64(events.get(events.size() - 1)))
                .isEqualTo(AvroSerde.documentEvents().fingerprint());
    }

    private static int versionOf(Pattern version, Path p) {
        Matcher m = version.matcher(p.getFileName().toString());
        m.matches();
        return Integer.parseInt(m.group(1));
    }

    private static Schema testSchema(String resource) throws IOException {
        try (InputStream in = AvroSerdeTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }
}
