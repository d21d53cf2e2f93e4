package io.kbstream.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kbstream.client.http.HttpTransport;
import io.kbstream.client.http.Multipart;
import io.kbstream.client.http.Request;
import io.kbstream.client.http.Response;
import io.kbstream.schemas.DocumentState;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The one Java client of kb-stream's public HTTP API ({@code schemas/openapi/kb-api.yaml}), used by
 * the CLI, the evaluation, the benchmarks, the fault scenarios, the soak and the API's own
 * functional tests. Typed calls return records and throw {@link ApiException} with the server's
 * error code and message (status 0 when there was no answer); ids are URL-encoded. {@link
 * #request}/{@link #send} are the escape hatch for requests the typed calls would never make.
 */
public final class ApiClient {

    private final URI base;
    private final String apiKey;
    private final Duration timeout;
    private final HttpTransport transport;

    private ApiClient(URI base, String apiKey, Duration timeout, HttpTransport transport) {
        this.base = base;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.transport = transport;
    }

    /** A client of the API at {@code baseUrl} (e.g. {@code http://127.0.0.1:25480}). */
    public static Builder builder(String baseUrl) {
        return new Builder(baseUrl);
    }

    /** With the tenant's bearer key and default timeouts. */
    public static ApiClient of(String baseUrl, String apiKey) {
        return builder(baseUrl).apiKey(apiKey).build();
    }

    /** Options of a client; {@link #build()} checks them. */
    public static final class Builder {
        private final String baseUrl;
        private String apiKey;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Request.DEFAULT_TIMEOUT;
        private HttpTransport transport;

        private Builder(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        }

        /** The tenant's key, sent as {@code Authorization: Bearer <key>}; null for none. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout);
            return this;
        }

        /** How long one call waits for its answer. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout);
            return this;
        }

        /** Share a transport (its connection pool) between clients, e.g. of several tenants. */
        public Builder transport(HttpTransport transport) {
            this.transport = transport;
            return this;
        }

        public ApiClient build() {
            URI base = URI.create(baseUrl.replaceFirst("/+$", ""));
            if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
                throw new IllegalArgumentException("not an http(s) URL: " + baseUrl);
            }
            return new ApiClient(
                    base,
                    apiKey,
                    requestTimeout,
                    transport != null ? transport : new HttpTransport(connectTimeout));
        }
    }

    /** The same API and transport, another tenant's key. */
    public ApiClient withApiKey(String otherKey) {
        return new ApiClient(base, otherKey, timeout, transport);
    }

    public URI baseUri() {
        return base;
    }

    // ------------------------------------------------------------------ documents

    /** {@code POST /v1/documents}: the server picks the id. */
    public Accepted upload(Upload upload) {
        return call(json("POST", "/v1/documents", Json.upload(upload)), Json::accepted);
    }

    /** {@link #upload} without blocking; the future fails with {@link ApiException}. */
    public CompletableFuture<Accepted> uploadAsync(Upload upload) {
        return callAsync(json("POST", "/v1/documents", Json.upload(upload)), Json::accepted);
    }

    /** {@code PUT /v1/documents/{id}}: create or replace. */
    public Accepted put(String id, Upload upload) {
        return call(putRequest(id, upload), Json::accepted);
    }

    /** {@link #put} without blocking; the future fails with {@link ApiException}. */
    public CompletableFuture<Accepted> putAsync(String id, Upload upload) {
        return callAsync(putRequest(id, upload), Json::accepted);
    }

    /** A multipart upload: {@code PUT /v1/documents/{id}}, or POST when {@code id} is null. */
    public Accepted uploadFile(String id, FileUpload file) {
        Multipart form =
                new Multipart().file("file", file.fileName(), file.contentType(), file.content());
        if (file.title() != null) {
            form.field("title", file.title());
        }
        if (!file.metadata().isEmpty()) {
            form.field("metadata", new String(Json.write(file.metadata()), StandardCharsets.UTF_8));
        }
        Request r =
                id == null
                        ? authorized("POST", "/v1/documents")
                        : authorized("PUT", documentPath(id));
        return call(r.body(form), Json::accepted);
    }

    /**
     * {@code GET /v1/documents/{id}}: 404 (an {@link ApiException}) if the tenant has no such id.
     */
    public DocumentStatus status(String id) {
        return call(authorized("GET", documentPath(id)), Json::status);
    }

    /** {@code DELETE /v1/documents/{id}}. */
    public Accepted delete(String id) {
        return call(authorized("DELETE", documentPath(id)), Json::accepted);
    }

    /**
     * {@code GET /v1/documents}: one page of the tenant's documents in id order.
     *
     * @param state only documents in this state; null for all
     * @param cursor the previous page's {@link DocumentPage#nextCursor()}; null for the first page
     * @param limit page size (1..1000); null for the server's default
     */
    public DocumentPage listDocuments(DocumentState state, String cursor, Integer limit) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        if (state != null) {
            query.add("status=" + state.name());
        }
        if (cursor != null) {
            query.add("cursor=" + encode(cursor));
        }
        if (limit != null) {
            query.add("limit=" + limit);
        }
        return call(authorized("GET", "/v1/documents" + query), Json::documentPage);
    }

    // ------------------------------------------------------------------ search

    /** {@code POST /v1/search}. */
    public SearchResult search(SearchQuery query) {
        return call(json("POST", "/v1/search", Json.search(query)), Json::searchResult);
    }

    /** {@link #search} without blocking; the future fails with {@link ApiException}. */
    public CompletableFuture<SearchResult> searchAsync(SearchQuery query) {
        return callAsync(json("POST", "/v1/search", Json.search(query)), Json::searchResult);
    }

    // ------------------------------------------------------------------ tenant and admin

    /** {@code GET /v1/tenant}: this key's tenant, its usage and limits. */
    public TenantUsage tenant() {
        return call(authorized("GET", "/v1/tenant"), Json::usage);
    }

    /** {@code GET /v1/tenant/model}: the embedding model this key's tenant searches with. */
    public String activeModel() {
        return call(authorized("GET", "/v1/tenant/model"), body -> body.path("active").asText());
    }

    /** {@code POST /admin/v1/tenants} (this client's key must be the operator key). */
    public TenantInfo createTenant(String tenant) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("tenant", tenant);
        return call(json("POST", "/admin/v1/tenants", body), Json::tenant);
    }

    /** {@code GET /admin/v1/tenants}. */
    public java.util.List<TenantInfo> tenants() {
        return call(authorized("GET", "/admin/v1/tenants"), Json::tenants);
    }

    /** {@code DELETE /admin/v1/tenants/{tenant}}: the deletion runs on; returns at once. */
    public void deleteTenant(String tenant) {
        call(authorized("DELETE", tenantPath(tenant)), body -> body);
    }

    /** {@code PUT /admin/v1/tenants/{tenant}/quotas}; a null quota is left as it is. */
    public TenantInfo setQuotas(String tenant, Long documents, Long bytes, Double perSecond) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (documents != null) {
            body.put("documents", documents);
        }
        if (bytes != null) {
            body.put("bytes", bytes);
        }
        if (perSecond != null) {
            body.put("requestsPerSecond", perSecond);
        }
        return call(json("PUT", tenantPath(tenant) + "/quotas", body), Json::tenant);
    }

    /** {@code POST /admin/v1/tenants/{tenant}/keys}: a new key, expiring at {@code expiresAt}. */
    public IssuedKey createKey(String tenant, java.time.Instant expiresAt) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt.toString());
        }
        return call(json("POST", tenantPath(tenant) + "/keys", body), Json::issuedKey);
    }

    /** {@code GET /admin/v1/tenants/{tenant}/keys}: prefixes only. */
    public java.util.List<ApiKeyInfo> keys(String tenant) {
        return call(authorized("GET", tenantPath(tenant) + "/keys"), Json::keys);
    }

    /** {@code DELETE /admin/v1/tenants/{tenant}/keys/{prefix}}. */
    public void revokeKey(String tenant, String prefix) {
        call(authorized("DELETE", tenantPath(tenant) + "/keys/" + encode(prefix)), body -> body);
    }

    // ------------------------------------------------------------------ events and health

    /** {@code /v1/events} with this client's key in the handshake. */
    public EventStream events() {
        return events(apiKey == null ? null : "Bearer " + apiKey, true);
    }

    /**
     * {@code /v1/events} with this Authorization header value (null: none, authenticate by first
     * message); {@code autoRead} false reads nothing until asked (a slow client).
     */
    public EventStream events(String authorization, boolean autoRead) {
        String ws = base.getScheme().equals("https") ? "wss" : "ws";
        URI uri =
                URI.create(ws + "://" + base.getRawAuthority() + base.getRawPath() + "/v1/events");
        return EventStream.open(transport, uri, authorization, autoRead, timeout);
    }

    /** {@code GET /health/ready}: Kafka, Redis and every shard answer. False when unreachable. */
    public boolean ready() {
        return health("/health/ready");
    }

    /** {@code GET /health/live}: the process serves. False when unreachable. */
    public boolean live() {
        return health("/health/live");
    }

    private boolean health(String path) {
        try {
            return send(request("GET", path).timeout(Duration.ofSeconds(5))).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ------------------------------------------------------------------ escape hatch

    /**
     * A request to {@code pathAndQuery}, written as given (encoded or deliberately not), with no
     * header at all — not even the key: the low-level way in for malformed or unusual requests.
     */
    public Request request(String method, String pathAndQuery) {
        return Request.of(method, URI.create(base + pathAndQuery)).timeout(timeout);
    }

    /** Sends any request and returns the answer as it came, whatever its status. */
    public Response send(Request request) throws IOException, InterruptedException {
        return transport.send(request);
    }

    /** The id as one path segment: every reserved character (and space) percent-encoded. */
    public static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ------------------------------------------------------------------ plumbing

    private static String documentPath(String id) {
        return "/v1/documents/" + encode(id);
    }

    private static String tenantPath(String tenant) {
        return "/admin/v1/tenants/" + encode(tenant);
    }

    private Request authorized(String method, String path) {
        return request(method, path)
                .header("Authorization", apiKey == null ? null : "Bearer " + apiKey);
    }

    private Request json(String method, String path, ObjectNode body) {
        return authorized(method, path).body("application/json", Json.write(body));
    }

    private Request putRequest(String id, Upload upload) {
        return json("PUT", documentPath(id), Json.upload(upload));
    }

    private <T> T call(Request request, Function<JsonNode, T> answer) {
        Response response;
        try {
            response = send(request);
        } catch (IOException e) {
            throw new ApiException(request.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(request.toString(), e);
        }
        return decode(response, answer);
    }

    private <T> CompletableFuture<T> callAsync(Request request, Function<JsonNode, T> answer) {
        return transport
                .sendAsync(request)
                .handle(
                        (response, error) -> {
                            if (error != null) {
                                Throwable cause =
                                        error instanceof CompletionException
                                                        && error.getCause() != null
                                                ? error.getCause()
                                                : error;
                                throw new ApiException(request.toString(), cause);
                            }
                            return decode(response, answer);
                        });
    }

    private static <T> T decode(Response response, Function<JsonNode, T> answer) {
        JsonNode body = Json.read(response.bytes());
        if (!response.ok()) {
            throw error(response, body);
        }
        return answer.apply(body);
    }

    private static ApiException error(Response response, JsonNode body) {
        JsonNode error = body.path("error");
        String code = error.path("code").asText("http_" + response.statusCode());
        String message = error.path("message").asText(null);
        if (message == null) {
            String text = response.body();
            message = text.length() > 200 ? text.substring(0, 200) + "…" : text;
        }
        Duration retryAfter =
                response.header("Retry-After")
                        .filter(v -> v.matches("\\d{1,6}"))
                        .map(v -> Duration.ofSeconds(Long.parseLong(v)))
                        .orElse(null);
        return new ApiException(response.statusCode(), code, message, retryAfter);
    }
}
