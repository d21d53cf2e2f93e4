package io.kbstream.client;

/** {@code GET /v1/tenant}: what the calling tenant holds and may hold. */
public record TenantUsage(
        String tenant,
        long documents,
        long bytes,
        long maxDocuments,
        long maxBytes,
        double maxRequestsPerSecond) {}
