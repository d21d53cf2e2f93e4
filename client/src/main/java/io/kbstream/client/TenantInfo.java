package io.kbstream.client;

import java.time.Instant;

/**
 * A tenant as the admin API shows it: ACTIVE or DELETING, and its quotas in force (its own or the
 * defaults).
 */
public record TenantInfo(
        String tenant,
        Instant createdAt,
        String status,
        long maxDocuments,
        long maxBytes,
        double maxRequestsPerSecond) {}
