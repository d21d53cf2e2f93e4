package io.kbstream.core.store;

import java.time.Instant;
import java.util.Map;

/** What a shard holds about a document: its current version and summary, without chunks. */
public record StoredDocument(
        String tenant,
        String id,
        long version,
        String contentHash,
        String title,
        Map<String, String> metadata,
        String status,
        String reason,
        int chunkCount,
        String model,
        Instant createdAt,
        Instant updatedAt) {}
