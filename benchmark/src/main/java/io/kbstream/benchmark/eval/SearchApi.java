package io.kbstream.benchmark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The two calls of the public HTTP API the evaluation makes: {@code PUT /v1/documents/{id}} and
 * {@code POST /v1/search}, with a tenant's bearer key.
 */
public final class SearchApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String apiKey;

    public SearchApi(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl.replaceFirst("/+$", "");
        this.apiKey = apiKey;
    }

    /** An HTTP answer: status code and parsed JSON body. */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    /** Uploads one document asynchronously (the answer is the API's 202 and its body). */
    public CompletableFuture<Answer> putDocument(String id, String title, String text) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", title);
        body.put("text", text);
        body.put("contentType", "text/plain");
        try {
            return http.sendAsync(
                            request("/v1/documents/" + encode(id))
                                    .header("Content-Type", "application/json")
                                    .PUT(
                                            HttpRequest.BodyPublishers.ofByteArray(
                                                    JSON.writeValueAsBytes(body)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray())
                    .thenApply(SearchApi::answer);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    public Answer search(String query, String mode, int k)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("mode", mode);
        body.put("k", k);
        return answer(
                http.send(
                        request("/v1/search")
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofByteArray(
                                                JSON.writeValueAsBytes(body)))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + apiKey);
    }

    private static Answer answer(HttpResponse<byte[]> response) {
        byte[] body = response.body();
        try {
            JsonNode json =
                    body == null || body.length == 0
                            ? JSON.createObjectNode()
                            : JSON.readTree(body);
            return new Answer(response.statusCode(), json);
        } catch (IOException e) {
            return new Answer(
                    response.statusCode(),
                    JSON.createObjectNode().put("error", new String(body, StandardCharsets.UTF_8)));
        }
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
