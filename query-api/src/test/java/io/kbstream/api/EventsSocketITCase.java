package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.client.EventStream;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.EventKeys;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v1/events} with a real WebSocket client, fed from the real status topic. */
class EventsSocketITCase {

    private static ApiUnderTest api;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() {
        api =
                new ApiUnderTest(
                        Map.of(
                                ApiOptions.EVENTS_QUEUE_SIZE.key(), "8",
                                ApiOptions.EVENTS_AUTH_TIMEOUT.key(), "1500"));
        producer = KafkaClients.producer(api.config, "kb-test-status");
    }

    @AfterAll
    static void stop() {
        producer.close();
        api.close();
    }

    private static void publish(String tenant, String id, DocumentState state, String reason)
            throws Exception {
        DocumentStatus status =
                DocumentStatus.newBuilder()
                        .setEventId("e-" + id)
                        .setTenant(tenant)
                        .setDocumentId(id)
                        .setVersion(1)
                        .setState(state)
                        .setReason(reason)
                        .setChunkCount(3)
                        .setUploadedAt(Instant.now())
                        .setUpdatedAt(Instant.now())
                        .build();
        producer.send(
                        new ProducerRecord<>(
                                api.config.get(KafkaOptions.TOPIC_STATUS),
                                EventKeys.key(status),
                                AvroSerde.documentStatuses().serialize(status)))
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void header_authenticated_socket_receives_its_tenants_statuses_only() throws Exception {
        try (EventStream a = api.events("Bearer " + api.keyA);
                EventStream b = api.events("Bearer " + api.keyB)) {
            assertThat(a.await("subscribed", 5)).isNotNull();
            assertThat(b.await("subscribed", 5)).isNotNull();

            publish(api.tenantA, "doc-ws-a", DocumentState.INDEXED, null);
            publish(api.tenantB, "doc-ws-b", DocumentState.FAILED, "broken pdf");

            String forA = a.await("doc-ws-a", 10);
            assertThat(forA).isNotNull();
            assertThat(json(forA).get("status").asText()).isEqualTo("INDEXED");
            assertThat(json(forA).get("chunkCount").asInt()).isEqualTo(3);
            String forB = b.await("doc-ws-b", 10);
            assertThat(json(forB).get("reason").asText()).isEqualTo("broken pdf");
            assertThat(a.messages()).noneMatch(m -> m.contains("doc-ws-b"));
            assertThat(b.messages()).noneMatch(m -> m.contains("doc-ws-a"));
        }
    }

    @Test
    void first_message_api_key_authenticates_and_upload_pushes_ACCEPTED() throws Exception {
        try (EventStream a = api.events(null)) {
            a.send("{\"apiKey\":\"" + api.keyA + "\"}");
            assertThat(a.await("subscribed", 5)).isNotNull();

            api.putJson("/v1/documents/live-1", api.keyA, "{\"text\":\"live\"}");

            String accepted = a.await("live-1", 10);
            assertThat(accepted).isNotNull();
            assertThat(json(accepted).get("status").asText()).isEqualTo("ACCEPTED");
        }
    }

    @Test
    void invalid_key_or_no_key_closes_with_1008() throws Exception {
        try (EventStream bad = api.events("Bearer wrong");
                EventStream garbage = api.events(null);
                EventStream silent = api.events(null)) {
            garbage.send("\u0000garbage{{{");

            assertThat(bad.closed().get(5, TimeUnit.SECONDS)).isEqualTo(1008);
            assertThat(garbage.closed().get(5, TimeUnit.SECONDS)).isEqualTo(1008);
            assertThat(silent.closed().get(5, TimeUnit.SECONDS)).isEqualTo(1008);
        }
        assertThat(api.get("/health/live", null).statusCode()).isEqualTo(200);
    }

    @Test
    void a_client_that_does_not_read_is_closed_with_1013_and_others_keep_receiving()
            throws Exception {
        String bigReason = "r".repeat(64 * 1024);
        try (EventStream slow = api.events("Bearer " + api.keyA, false);
                EventStream fast = api.events("Bearer " + api.keyA)) {
            assertThat(fast.await("subscribed", 5)).isNotNull();
            Thread.sleep(300);
            for (int i = 0; i < 300 && !slow.closed().isDone(); i++) {
                publish(api.tenantA, "flood-" + i, DocumentState.PROCESSING, bigReason);
            }
            publish(api.tenantA, "after-flood", DocumentState.INDEXED, null);

            assertThat(fast.await("after-flood", 20)).isNotNull();
            slow.request(Long.MAX_VALUE);
            assertThat(slow.closed().get(20, TimeUnit.SECONDS)).isEqualTo(1013);
        }
    }

    @Test
    void garbage_frames_after_subscribing_are_ignored_and_the_stream_goes_on() throws Exception {
        try (EventStream a = api.events("Bearer " + api.keyA)) {
            assertThat(a.await("subscribed", 5)).isNotNull();
            a.send("{\"apiKey\":\"" + api.keyB + "\"}"); // no switching tenants
            a.send("\u0000{{{ not json");
            a.sendBinary(new byte[] {1, 2, 3});

            publish(api.tenantA, "after-garbage", DocumentState.INDEXED, null);
            publish(api.tenantB, "b-after-garbage", DocumentState.INDEXED, null);

            assertThat(a.await("\"id\":\"after-garbage\"", 10)).isNotNull();
            assertThat(a.closed()).isNotDone();
            Thread.sleep(500);
            assertThat(a.messages()).noneMatch(m -> m.contains("b-after-garbage"));
        }
    }
}
