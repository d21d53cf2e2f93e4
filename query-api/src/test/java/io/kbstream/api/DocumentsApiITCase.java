package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Bodies;
import io.kbstream.client.http.Response;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentRecords;
import io.kbstream.schemas.DocumentVersions;
import io.kbstream.schemas.EventKeys;
import io.kbstream.schemas.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upload, status and delete of documents through a real server, Kafka and Redis. */
class DocumentsApiITCase {

    private static ApiUnderTest api;

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** A consumer of the documents topic positioned at its end: it sees only what comes next. */
    private static KafkaConsumer<byte[], byte[]> consumerAtEnd() {
        KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.consumer(api.config, "kb-test-" + UUID.randomUUID());
        String topic = api.config.get(KafkaOptions.TOPIC_DOCUMENTS);
        List<TopicPartition> partitions =
                consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    @Test
    void POST_documents_gives_202_for_valid_text_and_the_event_is_on_kafka() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumerAtEnd()) {
            Response r =
                    api.postJson(
                            "/v1/documents",
                            api.keyA,
                            "{\"title\":\"Hello\",\"text\":\"hello world\","
                                    + "\"metadata\":{\"lang\":\"en\",\"year\":2024,\"draft\":false}}");

            assertThat(r.statusCode()).isEqualTo(202);
            JsonNode body = json(r.body());
            assertThat(body.get("status").asText()).isEqualTo("ACCEPTED");
            assertThat(body.get("version").asLong()).isPositive();
            String id = body.get("id").asText();
            assertThat(body.get("statusUrl").asText()).isEqualTo("/v1/documents/" + id);

            ConsumerRecord<byte[], byte[]> record = awaitRecord(consumer, id);
            DocumentEvent event = AvroSerde.documentEvents().deserialize(record.value());
            assertThat(event.getType()).isEqualTo(EventType.UPSERT);
            assertThat(event.getTenant()).isEqualTo(api.tenantA);
            // the version is where Kafka stored the event: what the indexing job reads with it
            assertThat(DocumentVersions.ofOffset(record.offset()))
                    .isEqualTo(body.get("version").asLong());
            assertThat(StandardCharsets.UTF_8.decode(event.getContent()).toString())
                    .isEqualTo("hello world");
            assertThat(event.getMetadata())
                    .containsEntry("lang", "en")
                    .containsEntry("year", "2024")
                    .containsEntry("draft", "false");
        }
    }

    @Test
    void PUT_raw_body_is_the_document_with_its_title_and_metadata_from_headers() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumerAtEnd()) {
            byte[] text = "# Tides\nThe moon pulls the sea.".getBytes(StandardCharsets.UTF_8);
            Response r =
                    api.send(
                            api.request("PUT", "/v1/documents/raw-notes", api.keyA)
                                    .header("X-Kb-Title", "Raw notes")
                                    .header("X-Kb-Meta-Team", "search")
                                    .body("text/markdown; charset=utf-8", text));

            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(json(r.body()).get("id").asText()).isEqualTo("raw-notes");
            DocumentEvent event =
                    AvroSerde.documentEvents()
                            .deserialize(awaitRecord(consumer, "raw-notes").value());
            assertThat(event.getTitle()).isEqualTo("Raw notes");
            assertThat(event.getContentType()).isEqualTo("text/markdown");
            assertThat(event.getMetadata()).containsExactlyEntriesOf(Map.of("team", "search"));
            assertThat(StandardCharsets.UTF_8.decode(event.getContent()).toString())
                    .isEqualTo("# Tides\nThe moon pulls the sea.");
        }
    }

    @Test
    void POST_raw_body_takes_its_title_from_the_content_disposition_file_name() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumerAtEnd()) {
            Response r =
                    api.send(
                            api.request("POST", "/v1/documents", api.keyA)
                                    .header(
                                            "Content-Disposition",
                                            "attachment; filename=\"tides.txt\"")
                                    .body("text/plain", "tides".getBytes(StandardCharsets.UTF_8)));

            assertThat(r.statusCode()).isEqualTo(202);
            String id = json(r.body()).get("id").asText();
            DocumentEvent event =
                    AvroSerde.documentEvents().deserialize(awaitRecord(consumer, id).value());
            assertThat(event.getTitle()).isEqualTo("tides.txt");
            assertThat(event.getContentType()).isEqualTo("text/plain");
        }
    }

    @Test
    void raw_body_uploads_keep_the_limits_and_errors_of_the_other_forms() {
        byte[] tooBig = new byte[api.config.get(ApiOptions.MAX_UPLOAD_BYTES) + 1];
        assertError(
                api.sendBytes("PUT", "/v1/documents/raw-big", api.keyA, "text/plain", tooBig),
                413,
                "payload_too_large");
        assertError(
                api.send(
                        api.request("PUT", "/v1/documents/raw-meta", api.keyA)
                                .header("X-Kb-Meta-", "empty key")
                                .body("text/plain", "x".getBytes(StandardCharsets.UTF_8))),
                400,
                "bad_request");
        assertError(
                api.sendBytes("PUT", "/v1/documents/a..b", api.keyA, "text/plain", "x".getBytes()),
                400,
                "bad_request");
    }

    private static ConsumerRecord<byte[], byte[]> awaitRecord(
            KafkaConsumer<byte[], byte[]> consumer, String id) {
        AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                // a tombstone (a delete) has no value: its key names the document
                if (r.value() != null && serde.deserialize(r.value()).getDocumentId().equals(id)) {
                    return r;
                }
            }
        }
        throw new AssertionError("no event for " + id + " on Kafka");
    }

    private static ConsumerRecord<byte[], byte[]> awaitKey(
            KafkaConsumer<byte[], byte[]> consumer, String key) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (key.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                    return r;
                }
            }
        }
        throw new AssertionError("no record keyed " + key + " on Kafka");
    }

    @Test
    void GET_document_after_upload_gives_ACCEPTED_status() {
        Response put = api.putJson("/v1/documents/doc-1", api.keyA, "{\"text\":\"some text\"}");
        assertThat(put.statusCode()).isEqualTo(202);

        Response r = api.get("/v1/documents/doc-1", api.keyA);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r.body());
        assertThat(body.get("id").asText()).isEqualTo("doc-1");
        assertThat(body.get("status").asText()).isIn("ACCEPTED", "PROCESSING", "INDEXED");
        assertThat(body.get("version").asLong())
                .isEqualTo(json(put.body()).get("version").asLong());
    }

    @Test
    void PUT_twice_gives_increasing_versions() {
        long v1 =
                json(api.putJson("/v1/documents/v", api.keyA, "{\"text\":\"a\"}").body())
                        .get("version")
                        .asLong();
        long v2 =
                json(api.putJson("/v1/documents/v", api.keyA, "{\"text\":\"b\"}").body())
                        .get("version")
                        .asLong();
        assertThat(v2).isGreaterThan(v1);
    }

    @Test
    void POST_multipart_markdown_file_gives_202() {
        byte[] body =
                Bodies.multipart(
                        "notes.md",
                        "application/octet-stream",
                        "# Notes\nsome *markdown*".getBytes(StandardCharsets.UTF_8),
                        "id",
                        "notes",
                        "metadata",
                        "{\"kind\":\"note\"}");

        Response r = api.sendBytes("POST", "/v1/documents", api.keyA, Bodies.multipartType(), body);

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r.body()).get("id").asText()).isEqualTo("notes");
    }

    @Test
    void POST_multipart_with_unsupported_file_type_gives_415() {
        byte[] body = Bodies.multipart("x.exe", "application/x-msdownload", new byte[] {1, 2, 3});

        Response r = api.sendBytes("POST", "/v1/documents", api.keyA, Bodies.multipartType(), body);

        assertError(r, 415, "unsupported_media_type");
    }

    @Test
    void POST_with_unsupported_content_type_field_gives_415() {
        assertError(
                api.postJson(
                        "/v1/documents",
                        api.keyA,
                        "{\"text\":\"x\",\"contentType\":\"image/png\"}"),
                415,
                "unsupported_media_type");
        assertError(
                api.sendBytes("POST", "/v1/documents", api.keyA, "text/csv", "a,b".getBytes()),
                415,
                "unsupported_media_type");
    }

    @Test
    void POST_over_the_size_limit_gives_413() {
        byte[] big = new byte[11 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        String json = "{\"text\":\"" + new String(big, StandardCharsets.US_ASCII) + "\"}";

        assertError(api.postJson("/v1/documents", api.keyA, json), 413, "payload_too_large");
        assertError(
                api.sendBytes(
                        "POST",
                        "/v1/documents",
                        api.keyA,
                        Bodies.multipartType(),
                        Bodies.multipart("big.txt", "text/plain", big)),
                413,
                "payload_too_large");
        // and the server keeps serving
        assertThat(api.postJson("/v1/documents", api.keyA, "{\"text\":\"small\"}").statusCode())
                .isEqualTo(202);
    }

    @Test
    void an_upload_over_kafkas_default_record_limit_is_accepted_whole() {
        // found by the fuzzer: Kafka's default record limit (1 MiB) is below
        // kb.api.max-upload-bytes; producers and broker now take kb.kafka.max-record-bytes
        byte[] twoMiB = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(twoMiB, (byte) 'a');
        try (KafkaConsumer<byte[], byte[]> consumer = consumerAtEnd()) {
            Response r =
                    api.sendBytes(
                            "POST",
                            "/v1/documents",
                            api.keyA,
                            Bodies.multipartType(),
                            Bodies.multipart("two.txt", "text/plain", twoMiB));

            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            DocumentEvent event =
                    AvroSerde.documentEvents()
                            .deserialize(
                                    awaitRecord(consumer, json(r.body()).get("id").asText())
                                            .value());
            assertThat(event.getContent().remaining()).isEqualTo(twoMiB.length);
        }
    }

    @Test
    void bad_upload_bodies_give_400_with_json_error() {
        List<String> bad = new ArrayList<>();
        bad.add("{");
        bad.add("[]");
        bad.add("\"text\"");
        bad.add("{\"text\": 42}");
        bad.add("{\"title\":\"no text\"}");
        bad.add("{\"text\":\"x\",\"metadata\":{\"a\":{\"nested\":true}}}");
        bad.add("{\"text\":\"x\",\"metadata\":{\"a\":[1,2]}}");
        bad.add("{\"text\":\"x\",\"metadata\":\"str\"}");
        bad.add("{\"text\":\"x\",\"id\":\"../etc/passwd\"}");
        bad.add("{\"text\":\"x\",\"id\":\"a/b\"}");
        bad.add("{\"text\":\"x\",\"id\":\"a\\u0000b\"}");
        bad.add("{\"text\":\"x\",\"id\":\"" + "i".repeat(257) + "\"}");
        bad.add("{\"text\":\"x\",\"id\":7}");
        bad.add("{\"text\":\"x\",\"unknown\":1}");
        bad.add("{\"text\":\"x\"} trailing");
        bad.add("[".repeat(5000) + "]".repeat(5000));
        for (String body : bad) {
            assertError(api.postJson("/v1/documents", api.keyA, body), 400, "bad_request");
        }
        byte[] invalidUtf8 = {
            '{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'
        };
        assertError(
                api.sendBytes("POST", "/v1/documents", api.keyA, "application/json", invalidUtf8),
                400,
                "bad_request");
    }

    @Test
    void requests_without_a_valid_key_give_401() {
        assertError(api.postJson("/v1/documents", null, "{\"text\":\"x\"}"), 401, "unauthorized");
        assertError(api.get("/v1/documents/x", "not-a-key"), 401, "unauthorized");
        assertError(
                api.send(
                        api.request("GET", "/v1/search?q=x", null)
                                .header("Authorization", "Basic Zm9vOmJhcg==")),
                401,
                "unauthorized");
    }

    @Test
    void GET_unknown_document_gives_404() {
        assertError(api.get("/v1/documents/never-uploaded", api.keyA), 404, "not_found");
    }

    @Test
    void DELETE_gives_202_and_unknown_id_404() {
        api.putJson("/v1/documents/to-delete", api.keyA, "{\"text\":\"bye\"}");

        Response r = api.delete("/v1/documents/to-delete", api.keyA);

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r.body()).get("id").asText()).isEqualTo("to-delete");
        assertError(api.delete("/v1/documents/nope", api.keyA), 404, "not_found");
    }

    @Test
    void DELETE_puts_a_tombstone_of_the_document_on_the_log() {
        api.putJson("/v1/documents/to-tombstone", api.keyA, "{\"text\":\"bye\"}");
        try (KafkaConsumer<byte[], byte[]> consumer = consumerAtEnd()) {
            Response r = api.delete("/v1/documents/to-tombstone", api.keyA);
            assertThat(r.statusCode()).isEqualTo(202);

            ConsumerRecord<byte[], byte[]> record =
                    awaitKey(consumer, EventKeys.documentKey(api.tenantA, "to-tombstone"));
            DocumentEvent delete =
                    DocumentRecords.decode(
                            AvroSerde.documentEvents(),
                            record.key(),
                            record.value(),
                            name ->
                                    record.headers().lastHeader(name) == null
                                            ? null
                                            : record.headers().lastHeader(name).value());

            // compaction drops the document's earlier events and, later, the tombstone itself
            assertThat(record.value()).isNull();
            assertThat(DocumentVersions.ofOffset(record.offset()))
                    .isEqualTo(json(r.body()).get("version").asLong());
            assertThat(delete.getType()).isEqualTo(EventType.DELETE);
            assertThat(delete.getTenant()).isEqualTo(api.tenantA);
            assertThat(delete.getDocumentId()).isEqualTo("to-tombstone");
            assertThat(delete.getEventId()).hasSize(36);
            assertThat(delete.getUploadedAt()).isAfter(java.time.Instant.EPOCH);
        }
    }

    @Test
    void tenant_B_cannot_read_or_delete_tenant_A_documents() {
        api.putJson("/v1/documents/secret-a", api.keyA, "{\"text\":\"A only\"}");

        assertError(api.get("/v1/documents/secret-a", api.keyB), 404, "not_found");
        assertError(api.delete("/v1/documents/secret-a", api.keyB), 404, "not_found");
        assertThat(api.get("/v1/documents/secret-a", api.keyA).statusCode()).isEqualTo(200);
    }

    @Test
    void ids_with_traversal_in_the_path_give_400_or_404_never_500() {
        for (String path :
                List.of(
                        "/v1/documents/..",
                        "/v1/documents/%2E%2E",
                        "/v1/documents/a%2Fb",
                        "/v1/documents/a%00b",
                        "/v1/documents/" + "x".repeat(300))) {
            Response r = api.get(path, api.keyA);
            assertThat(r.statusCode()).as(path).isIn(400, 404);
            assertThat(json(r.body()).get("error").get("code").asText()).isNotBlank();
        }
    }

    @Test
    void plain_GET_on_the_websocket_path_gives_a_json_4xx() {
        Response r = api.get("/v1/events", api.keyA);
        assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
        assertThat(json(r.body()).get("error").get("code").asText()).isNotBlank();
    }

    @Test
    void unknown_route_gives_404_json() {
        assertError(api.get("/v1/nothing-here", api.keyA), 404, "not_found");
    }

    static void assertError(Response r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
                .startsWith("application/json");
        JsonNode error = json(r.body()).get("error");
        assertThat(error).as(r.body()).isNotNull();
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).isNotBlank().doesNotContain("Exception");
    }
}
