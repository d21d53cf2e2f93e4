package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.client.ApiClient;
import io.kbstream.client.TenantUsage;
import io.kbstream.client.http.Response;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.testing.LocalStackConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quotas per tenant: documents and bytes are checked before the 202, so nothing over quota reaches
 * Kafka; requests/s hold across two API instances.
 */
class TenantQuotasITCase {

    private static ApiUnderTest api;
    private static ApiServer second;
    private static ApiClient secondClient;
    private static final List<String> created = new ArrayList<>();

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
        second =
                new ApiServer(
                                api.config,
                                ApiServer.Dependencies.open(api.config, Clock.systemUTC()))
                        .start(0);
        secondClient = ApiClient.builder("http://127.0.0.1:" + second.port()).build();
    }

    @AfterAll
    static void stop() {
        // finished by the next API instance to start if this one stops first (resumePending)
        created.forEach(api.admin()::deleteTenant);
        second.stop();
        api.close();
    }

    private static String tenantWithKey(String prefix, Long documents, Long bytes, Double rate) {
        String tenant = LocalStackConfig.uniqueTenant(prefix);
        api.admin().createTenant(tenant);
        created.add(tenant);
        api.admin().setQuotas(tenant, documents, bytes, rate);
        String key = api.admin().createKey(tenant, null).key();
        // the second instance learns of the key at its next catalog refresh
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (status(secondClient, key) == 401 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return key;
    }

    /** The DocumentEvents of {@code tenant} on the API's topic, read from the start to the end. */
    private static List<String> documentIdsOnKafka(String tenant) {
        String topic = ApiUnderTest.TEST_DOCUMENTS_TOPIC;
        Map<TopicPartition, Long> end = KafkaClients.endOffsets(api.config, topic);
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.consumer(api.config, "kb-test-quota-audit")) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.entrySet().stream()
                            .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (key.startsWith(tenant + "/")) {
                        ids.add(key.substring(tenant.length() + 1));
                    }
                }
            }
            assertThat(end.entrySet()).allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        }
        return ids;
    }

    private static String tenantOf(String key) {
        return api.client.withApiKey(key).tenant().tenant();
    }

    @Test
    void an_upload_over_the_document_quota_gets_429_naming_it_and_never_reaches_kafka() {
        String key = tenantWithKey("qd", 2L, null, null);
        String tenant = tenantOf(key);

        assertThat(api.putJson("/v1/documents/one", key, "{\"text\":\"first\"}").statusCode())
                .isEqualTo(202);
        assertThat(api.putJson("/v1/documents/two", key, "{\"text\":\"second\"}").statusCode())
                .isEqualTo(202);
        Response over = api.putJson("/v1/documents/three", key, "{\"text\":\"third\"}");
        Response overOnOther =
                api.send(
                        secondClient
                                .request("POST", "/v1/documents")
                                .header("Authorization", "Bearer " + key)
                                .body("application/json", "{\"text\":\"fourth\"}".getBytes()));
        // replacing a document it holds is not a new one
        Response replace = api.putJson("/v1/documents/one", key, "{\"text\":\"first, again\"}");

        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(json(over.body()).path("error").path("code").asText())
                .isEqualTo("quota_documents");
        assertThat(json(over.body()).path("error").path("message").asText())
                .contains("quota: documents");
        assertThat(overOnOther.statusCode()).isEqualTo(429);
        assertThat(replace.statusCode()).isEqualTo(202);
        assertThat(documentIdsOnKafka(tenant)).containsExactlyInAnyOrder("one", "two", "one");
        TenantUsage usage = api.client.withApiKey(key).tenant();
        assertThat(usage.documents()).isEqualTo(2);
        assertThat(usage.maxDocuments()).isEqualTo(2);
    }

    @Test
    void an_upload_over_the_bytes_quota_gets_413_and_a_delete_gives_the_room_back() {
        String key = tenantWithKey("qb", null, 100L, null);
        String tenant = tenantOf(key);
        String sixty = "x".repeat(60);

        assertThat(api.putJson("/v1/documents/a", key, "{\"text\":\"" + sixty + "\"}").statusCode())
                .isEqualTo(202);
        Response over = api.putJson("/v1/documents/b", key, "{\"text\":\"" + sixty + "\"}");
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(json(over.body()).path("error").path("code").asText()).isEqualTo("quota_bytes");
        assertThat(api.client.withApiKey(key).tenant().bytes()).isEqualTo(60);

        assertThat(api.delete("/v1/documents/a", key).statusCode()).isEqualTo(202);
        assertThat(api.putJson("/v1/documents/b", key, "{\"text\":\"" + sixty + "\"}").statusCode())
                .isEqualTo(202);
        // a, its delete, then b (on any partitions): the refused b never reached the log
        assertThat(documentIdsOnKafka(tenant)).containsExactlyInAnyOrder("a", "a", "b");
    }

    @Test
    void GET_tenant_shows_the_tenants_usage_limits_and_embedding_model() {
        Response r = api.get("/v1/tenant", api.keyA);

        assertThat(r.statusCode()).isEqualTo(200);
        var body = json(r.body());
        assertThat(body.path("tenant").asText()).isEqualTo(api.tenantA);
        assertThat(body.path("usage").has("documents")).isTrue();
        assertThat(body.path("usage").has("bytes")).isTrue();
        assertThat(body.path("limits").path("documents").asLong()).isPositive();
        assertThat(body.path("limits").path("requestsPerSecond").asDouble()).isPositive();
        assertThat(body.path("model").path("active").asText()).isNotBlank();
        assertThat(body.path("model").path("migrating").asBoolean()).isFalse();
    }

    @Test
    void two_instances_together_keep_one_tenant_within_its_request_rate() {
        double rate = 5;
        String key = tenantWithKey("qr", null, null, rate);
        // the burst is the default proportion of the rate: 1000 / 500 → 2 × 5
        int burst = 10;
        int[] accepted = new int[2];
        int refused = 0;
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(3).toNanos();
        int i = 0;
        while (System.nanoTime() < end) {
            int code = status(i % 2 == 0 ? api.client : secondClient, key);
            if (code == 200) {
                accepted[i % 2]++;
            } else {
                assertThat(code).isEqualTo(429);
                refused++;
            }
            i++;
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        // per-instance buckets would accept up to twice this
        assertThat(accepted[0] + accepted[1])
                .isLessThanOrEqualTo((int) Math.ceil(burst + rate * seconds) + 1);
        assertThat(accepted[0]).isPositive();
        assertThat(accepted[1]).isPositive();
        assertThat(refused).isPositive();
    }

    private static int status(ApiClient client, String key) {
        try {
            return client.send(
                            client.request("GET", "/v1/tenant")
                                    .header("Authorization", "Bearer " + key))
                    .statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
