package io.kbstream.api.testing;

import io.kbstream.api.ApiKeys;
import io.kbstream.api.ApiServer;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.testing.LocalStackConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real {@link ApiServer} on a free loopback port, against the local stack, with two fresh tenants
 * ({@link #tenantA}, {@link #tenantB}) and their keys; plus a real HTTP client.
 */
public final class ApiUnderTest implements AutoCloseable {

    /** Where API tests' DocumentEvents go. */
    public static final String TEST_DOCUMENTS_TOPIC = "kb.test.api-documents";

    public final String tenantA = LocalStackConfig.uniqueTenant("ta");
    public final String tenantB = LocalStackConfig.uniqueTenant("tb");
    public final String keyA = ApiKeys.mint();
    public final String keyB = ApiKeys.mint();
    public final KbConfig config;
    public final ApiServer server;
    public final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
        values.putAll(overrides);
        config = KbConfig.of(values);
        // on the real broker, even when a test points the API at a dead one
        LocalStackConfig.ensureTopic(base, TEST_DOCUMENTS_TOPIC, 2);
        server = ApiServer.create(config).start(0);
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    public HttpRequest.Builder request(String pathAndQuery, String key) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b;
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> get(String path, String key) {
        return send(request(path, key).GET().build());
    }

    public HttpResponse<String> delete(String path, String key) {
        return send(request(path, key).DELETE().build());
    }

    public HttpResponse<String> postJson(String path, String key, String json) {
        return sendBytes(
                "POST", path, key, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> putJson(String path, String key, String json) {
        return sendBytes(
                "PUT", path, key, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> sendBytes(
            String method, String path, String key, String contentType, byte[] body) {
        return send(
                request(path, key)
                        .header("Content-Type", contentType)
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                        .build());
    }

    @Override
    public void close() {
        server.stop();
    }
}
