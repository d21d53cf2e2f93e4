package io.kbstream.api.search;

import java.util.Locale;

/** How a search ranks: by embedding similarity, by full-text rank, or both fused. */
public enum SearchMode {
    HYBRID,
    VECTOR,
    KEYWORD;

    /** Parses {@code hybrid|vector|keyword}; null for anything else. */
    public static SearchMode parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "hybrid" -> HYBRID;
            case "vector" -> VECTOR;
            case "keyword" -> KEYWORD;
            default -> null;
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
