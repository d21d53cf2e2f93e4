package io.kbstream.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kbstream.schemas.DocumentState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The API's JSON bodies ↔ the client's records, in one place. */
final class Json {

    static final ObjectMapper MAPPER =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {}

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body as JSON, or an empty object when it is empty or not JSON. */
    static JsonNode read(byte[] body) {
        if (body == null || body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            return MAPPER.createObjectNode();
        }
    }

    static ObjectNode upload(Upload u) {
        ObjectNode body = MAPPER.createObjectNode();
        if (u.title() != null) {
            body.put("title", u.title());
        }
        body.put("text", u.text());
        if (u.contentType() != null) {
            body.put("contentType", u.contentType());
        }
        if (!u.metadata().isEmpty()) {
            body.set("metadata", MAPPER.valueToTree(u.metadata()));
        }
        return body;
    }

    static ObjectNode search(SearchQuery q) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("query", q.query());
        body.put("k", q.k());
        body.put("mode", q.mode().wireName());
        if (!q.filter().isEmpty()) {
            body.set("filter", MAPPER.valueToTree(q.filter()));
        }
        return body;
    }

    static Accepted accepted(JsonNode body) {
        return new Accepted(
                body.path("id").asText(),
                body.path("version").asLong(),
                Accepted.Kind.valueOf(body.path("status").asText("ACCEPTED")),
                body.path("statusUrl").asText());
    }

    static DocumentStatus status(JsonNode body) {
        return new DocumentStatus(
                body.path("id").asText(),
                body.path("tenant").asText(null),
                body.path("version").asLong(),
                DocumentState.valueOf(body.path("status").asText()),
                body.path("reason").isNull() ? null : body.path("reason").asText(null),
                body.path("chunkCount").asInt(),
                instant(body.path("uploadedAt")),
                instant(body.path("updatedAt")));
    }

    /** A pushed status; empty for other messages (such as {@code subscribed}). */
    static Optional<DocumentStatus> statusEvent(String message) {
        JsonNode node = read(message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (node.has("type") || !node.has("status") || !node.has("id")) {
            return Optional.empty();
        }
        try {
            return Optional.of(status(node));
        } catch (IllegalArgumentException unknownState) {
            return Optional.empty();
        }
    }

    static SearchResult searchResult(JsonNode body) {
        List<SearchResult.Hit> hits = new ArrayList<>();
        for (JsonNode hit : body.path("results")) {
            hits.add(
                    new SearchResult.Hit(
                            hit.path("id").asText(),
                            hit.path("title").isNull() ? null : hit.path("title").asText(null),
                            hit.path("snippet").asText(""),
                            hit.path("score").asDouble(),
                            hit.path("chunk").asInt()));
        }
        return new SearchResult(
                List.copyOf(hits),
                body.path("partial").asBoolean(),
                body.path("cached").asBoolean(),
                body.path("tookMs").asDouble());
    }

    static DocumentPage documentPage(JsonNode body) {
        List<DocumentPage.Document> documents = new ArrayList<>();
        for (JsonNode d : body.path("documents")) {
            documents.add(
                    new DocumentPage.Document(
                            d.path("id").asText(),
                            d.path("title").isNull() ? null : d.path("title").asText(null),
                            DocumentState.valueOf(d.path("status").asText()),
                            d.path("reason").isNull() ? null : d.path("reason").asText(null),
                            d.path("version").asLong(),
                            d.path("chunkCount").asInt(),
                            instant(d.path("uploadedAt")),
                            instant(d.path("updatedAt"))));
        }
        JsonNode next = body.path("nextCursor");
        return new DocumentPage(
                List.copyOf(documents),
                next.isTextual() ? next.asText() : null,
                body.path("partial").asBoolean());
    }

    static TenantInfo tenant(JsonNode body) {
        JsonNode q = body.path("quotas");
        return new TenantInfo(
                body.path("tenant").asText(),
                instant(body.path("createdAt")),
                body.path("status").asText(),
                q.path("documents").asLong(),
                q.path("bytes").asLong(),
                q.path("requestsPerSecond").asDouble());
    }

    static List<TenantInfo> tenants(JsonNode body) {
        List<TenantInfo> tenants = new ArrayList<>();
        body.path("tenants").forEach(t -> tenants.add(tenant(t)));
        return tenants;
    }

    static IssuedKey issuedKey(JsonNode body) {
        return new IssuedKey(
                body.path("tenant").asText(),
                body.path("key").asText(),
                body.path("prefix").asText(),
                instant(body.path("expiresAt")));
    }

    static List<ApiKeyInfo> keys(JsonNode body) {
        List<ApiKeyInfo> keys = new ArrayList<>();
        body.path("keys")
                .forEach(
                        k ->
                                keys.add(
                                        new ApiKeyInfo(
                                                k.path("prefix").asText(),
                                                instant(k.path("createdAt")),
                                                instant(k.path("expiresAt")),
                                                instant(k.path("revokedAt")),
                                                k.path("live").asBoolean())));
        return keys;
    }

    static TenantUsage usage(JsonNode body) {
        JsonNode used = body.path("usage");
        JsonNode limits = body.path("limits");
        return new TenantUsage(
                body.path("tenant").asText(),
                used.path("documents").asLong(),
                used.path("bytes").asLong(),
                limits.path("documents").asLong(),
                limits.path("bytes").asLong(),
                limits.path("requestsPerSecond").asDouble());
    }

    private static Instant instant(JsonNode node) {
        return node.isTextual() ? Instant.parse(node.asText()) : null;
    }
}
