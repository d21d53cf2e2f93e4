package io.kbstream.api.search;

import java.util.List;

/** The body of a search answer. */
public record SearchResponse(
        List<SearchHit> results, boolean partial, boolean cached, double tookMs) {}
