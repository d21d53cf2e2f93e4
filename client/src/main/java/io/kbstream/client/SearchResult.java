package io.kbstream.client;

import java.util.List;

/**
 * A search answer: documents best first (each with its best chunk), whether a shard was missing
 * ({@code partial}), whether it came from a cache, and the server's time.
 */
public record SearchResult(List<Hit> results, boolean partial, boolean cached, double tookMs) {

    /** One document of the answer. */
    public record Hit(String id, String title, String snippet, double score, int chunk) {}
}
