package io.kbstream.api.testing;

import io.kbstream.api.ApiServer;
import io.kbstream.api.http.ApiKeys;
import io.kbstream.client.ApiClient;
import io.kbstream.client.EventStream;
import io.kbstream.client.http.Request;
import io.kbstream.client.http.Response;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.testing.LocalStackConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real {@link ApiServer} on a free loopback port, against the local stack, with two fresh tenants
 * ({@link #tenantA}, {@link #tenantB}) and their keys; plus the project's API client ({@link
 * #client}, keyless: {@link #clientA()} and {@link #clientB()} carry the tenants' keys). The
 * helpers below use the client's low-level requests, so a test decides every header and byte
 * itself.
 */
public final class ApiUnderTest implements AutoCloseable {

    /** Where API tests' DocumentEvents go. */
    public static final String TEST_DOCUMENTS_TOPIC = "kb.test.api-documents";

    public final String tenantA = LocalStackConfig.uniqueTenant("ta");
    public final String tenantB = LocalStackConfig.uniqueTenant("tb");
    public final String keyA = ApiKeys.mint();
    public final String keyB = ApiKeys.mint();

    /** The admin API's key ({@code kb.api.operator-key-hash} holds its hash). */
    public final String operatorKey = ApiKeys.mint();

    public final KbConfig config;
    public final ApiServer server;
    public final ApiClient client;

    public ApiUnderTest() {
        this(Map.of());
    }

    /** With extra config values (option key → value) on top of the local stack's. */
    public ApiUnderTest(Map<String, String> overrides) {
        KbConfig base = LocalStackConfig.load();
        Map<String, String> values = new LinkedHashMap<>(base.explicitValues());
        values.put(
                ApiOptions.KEYS.key(),
                ApiKeys.configEntry(tenantA, keyA) + "," + ApiKeys.configEntry(tenantB, keyB));
        // a topic of the tests' own: uploads made here must not wait in kb.documents for the
        // next real pipeline (such as the demo's) to index them
        values.put(KafkaOptions.TOPIC_DOCUMENTS.key(), TEST_DOCUMENTS_TOPIC);
        values.put(ApiOptions.OPERATOR_KEY_HASH.key(), ApiKeys.hash(operatorKey));
        // no indexing job reads this API's consumer group (the jobs module's IndexingJobITCase runs
        // one against a tenant tombstone): a tenant deletion goes on after a short wait for it
        values.put(ApiOptions.TENANT_DELETION_JOB_WAIT.key(), "PT1S");
        values.putAll(overrides);
        config = KbConfig.of(values);
        // on the real broker, even when a test points the API at a dead one
        LocalStackConfig.ensureTopic(base, TEST_DOCUMENTS_TOPIC, 2);
        server = ApiServer.create(config).start(0);
        client = ApiClient.builder("http://127.0.0.1:" + server.port()).build();
    }

    public ApiClient clientA() {
        return client.withApiKey(keyA);
    }

    public ApiClient clientB() {
        return client.withApiKey(keyB);
    }

    /** The client carrying the operator key (the admin API). */
    public ApiClient admin() {
        return client.withApiKey(operatorKey);
    }

    /** {@code /v1/events} with this Authorization header value (null: none). */
    public EventStream events(String authorization) {
        return client.events(authorization, true);
    }

    /** With {@code autoRead} false the stream reads nothing until asked (a slow client). */
    public EventStream events(String authorization, boolean autoRead) {
        return client.events(authorization, autoRead);
    }

    /** A request with the tenant key as bearer token (null: no Authorization header). */
    public Request request(String method, String pathAndQuery, String key) {
        return client.request(method, pathAndQuery)
                .header("Authorization", key == null ? null : "Bearer " + key);
    }

    public Response send(Request request) {
        try {
            return client.send(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response get(String path, String key) {
        return send(request("GET", path, key));
    }

    public Response delete(String path, String key) {
        return send(request("DELETE", path, key));
    }

    public Response postJson(String path, String key, String json) {
        return sendBytes(
                "POST", path, key, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public Response putJson(String path, String key, String json) {
        return sendBytes(
                "PUT", path, key, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public Response sendBytes(
            String method, String path, String key, String contentType, byte[] body) {
        return send(request(method, path, key).body(contentType, body));
    }

    @Override
    public void close() {
        server.stop();
    }
}
