package io.kbstream.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A client of the public HTTP API as the fault scenarios use it: every call returns what the server
 * said (or status 0 when it could not be reached) instead of throwing, and uploads and deletes are
 * written to the {@link Ledger}.
 */
public final class KbClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String baseUrl;
    private final String apiKey;
    private final Ledger ledger;

    public KbClient(String baseUrl, String apiKey, Ledger ledger) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.ledger = ledger;
    }

    /** A search answer; {@code status} 0 when the API could not be reached. */
    public record Search(int status, boolean partial, boolean cached, long nanos) {}

    /** {@code PUT /v1/documents/{id}} as plain text. */
    public Ledger.Attempt put(Corpus.Doc doc) {
        byte[] body =
                json(Map.of("title", doc.title(), "text", doc.text(), "contentType", "text/plain"));
        return write(
                doc.id(),
                doc.text(),
                request("/v1/documents/" + doc.id())
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** {@code DELETE /v1/documents/{id}}. */
    public Ledger.Attempt delete(String id) {
        return write(id, null, request("/v1/documents/" + id).DELETE());
    }

    /** {@code POST /v1/search}, hybrid, k = 10. */
    public Search search(String query) {
        byte[] body = json(Map.of("query", query, "mode", "hybrid", "k", 10));
        long start = System.nanoTime();
        try {
            HttpResponse<byte[]> response =
                    http.send(
                            request("/v1/search")
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = parse(response.body());
            return new Search(
                    response.statusCode(),
                    json.path("partial").asBoolean(false),
                    json.path("cached").asBoolean(false),
                    System.nanoTime() - start);
        } catch (IOException e) {
            return new Search(0, false, false, System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Search(0, false, false, System.nanoTime() - start);
        }
    }

    /** The HTTP status of {@code GET /v1/documents/{id}} (0: unreachable). */
    public int status(String id) {
        try {
            return http.send(
                            request("/v1/documents/" + id).GET().build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private Ledger.Attempt write(String id, String text, HttpRequest.Builder request) {
        long start = System.nanoTime();
        int status = 0;
        long version = 0;
        boolean retryAfter = false;
        try {
            HttpResponse<byte[]> response =
                    http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            status = response.statusCode();
            version = parse(response.body()).path("version").asLong(0);
            retryAfter = response.headers().firstValue("Retry-After").isPresent();
        } catch (IOException e) {
            // no answer: the upload is not acknowledged
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Ledger.Attempt attempt =
                new Ledger.Attempt(
                        id,
                        text == null,
                        text,
                        status,
                        version,
                        retryAfter,
                        start,
                        System.nanoTime());
        ledger.record(attempt);
        return attempt;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + apiKey);
    }

    private static byte[] json(Map<String, Object> body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
