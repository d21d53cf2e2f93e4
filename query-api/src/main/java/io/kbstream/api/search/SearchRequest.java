package io.kbstream.api.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.documents.Metadata;
import io.kbstream.api.http.ApiException;
import io.kbstream.api.http.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A validated, normalized search: the query with whitespace collapsed, k in 1..100, a mode, and
 * metadata filters ({@code "metadata.<key>": scalar}). Equal requests have equal {@link
 * #cacheKey()}s.
 */
public record SearchRequest(String query, int k, SearchMode mode, Map<String, String> filter) {

    public static final int MAX_QUERY_LENGTH = 2_000;
    public static final int MAX_K = 100;
    public static final int DEFAULT_K = 10;
    public static final int MAX_FILTERS = 16;
    private static final String FILTER_PREFIX = "metadata.";
    private static final Set<String> FIELDS = Set.of("query", "k", "mode", "filter");

    public SearchRequest {
        query = normalize(query);
        if (query.isEmpty()) {
            throw ApiException.badRequest("query must not be empty");
        }
        if (query.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest("query must not contain NUL");
        }
        if (query.length() > MAX_QUERY_LENGTH) {
            throw ApiException.badRequest(
                    "query is longer than " + MAX_QUERY_LENGTH + " characters");
        }
        if (k < 1 || k > MAX_K) {
            throw ApiException.badRequest("k must be between 1 and " + MAX_K);
        }
        if (mode == null) {
            throw ApiException.badRequest("mode must be hybrid, vector or keyword");
        }
        filter = Map.copyOf(new TreeMap<>(filter));
    }

    /** From {@code GET /v1/search?q=&k=&mode=}. */
    public static SearchRequest fromQueryParams(String q, String k, String mode) {
        return new SearchRequest(
                q == null ? "" : q,
                k == null ? DEFAULT_K : parseK(k),
                mode == null ? SearchMode.HYBRID : SearchMode.parse(mode),
                Map.of());
    }

    /** From the JSON body of {@code POST /v1/search}. */
    public static SearchRequest fromJson(byte[] body) {
        JsonNode root = Json.object(body);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw ApiException.badRequest("unknown field (allowed: query, k, mode, filter)");
            }
        }
        JsonNode query = root.get("query");
        if (query == null || !query.isTextual()) {
            throw ApiException.badRequest("query is required and must be a string");
        }
        JsonNode k = root.get("k");
        if (k != null && !k.isNull() && !k.canConvertToExactIntegral()) {
            throw ApiException.badRequest("k must be an integer");
        }
        if (k != null && k.isNumber() && !k.canConvertToInt()) {
            throw ApiException.badRequest("k must be between 1 and " + MAX_K);
        }
        JsonNode mode = root.get("mode");
        if (mode != null && !mode.isNull() && !mode.isTextual()) {
            throw ApiException.badRequest("mode must be a string");
        }
        return new SearchRequest(
                query.textValue(),
                k == null || k.isNull() ? DEFAULT_K : k.intValue(),
                mode == null || mode.isNull()
                        ? SearchMode.HYBRID
                        : SearchMode.parse(mode.textValue()),
                filter(root.get("filter")));
    }

    private static Map<String, String> filter(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("filter must be an object of \"metadata.<key>\": value");
        }
        if (node.size() > MAX_FILTERS) {
            throw ApiException.badRequest("filter has more than " + MAX_FILTERS + " entries");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().startsWith(FILTER_PREFIX)) {
                throw ApiException.badRequest("filter keys are \"metadata.<key>\"");
            }
            String key = Metadata.key(e.getKey().substring(FILTER_PREFIX.length()));
            out.put(key, Metadata.value("filter." + e.getKey(), e.getValue()));
        }
        return out;
    }

    private static int parseK(String k) {
        try {
            return Integer.parseInt(k.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("k must be an integer between 1 and " + MAX_K);
        }
    }

    /**
     * The request as the JSON body of {@code POST /v1/search} ({@link #fromJson} reads it back to
     * an equal request): how the searches behind the cache warm-up are kept in Redis.
     */
    public String toJson() {
        Map<String, String> prefixed = new TreeMap<>();
        filter.forEach((key, value) -> prefixed.put(FILTER_PREFIX + key, value));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("k", k);
        body.put("mode", mode.wireName());
        body.put("filter", prefixed);
        try {
            return Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
    }

    /** Trimmed, runs of whitespace as one space. */
    static String normalize(String query) {
        return query == null ? "" : query.strip().replaceAll("\\s+", " ");
    }

    /**
     * SHA-256 (hex) of the normalized request; the tenant and generation are added by the cache.
     */
    public String cacheKey() {
        StringBuilder canonical =
                new StringBuilder("v1\n")
                        .append(mode.wireName())
                        .append('\n')
                        .append(k)
                        .append('\n');
        filter.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(
                        e ->
                                canonical
                                        .append(e.getKey().length())
                                        .append(':')
                                        .append(e.getKey())
                                        .append('=')
                                        .append(e.getValue().length())
                                        .append(':')
                                        .append(e.getValue())
                                        .append('\n'));
        canonical.append(query);
        return sha256(canonical.toString());
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
