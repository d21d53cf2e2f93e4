package io.kbstream.client;

import java.util.Map;
import java.util.Objects;

/**
 * A search as {@code POST /v1/search} takes it: text, how many documents (1..100), mode, and exact
 * metadata filters ({@code "metadata.<key>": value}).
 */
public record SearchQuery(String query, int k, SearchMode mode, Map<String, Object> filter) {

    public SearchQuery {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(mode, "mode");
        filter = filter == null ? Map.of() : Map.copyOf(filter);
    }

    /** Hybrid, top 10, no filter. */
    public static SearchQuery of(String query) {
        return new SearchQuery(query, 10, SearchMode.HYBRID, Map.of());
    }

    public SearchQuery k(int k) {
        return new SearchQuery(query, k, mode, filter);
    }

    public SearchQuery mode(SearchMode mode) {
        return new SearchQuery(query, k, mode, filter);
    }

    public SearchQuery filter(Map<String, Object> filter) {
        return new SearchQuery(query, k, mode, filter);
    }
}
