package io.kbstream.client;

import io.kbstream.schemas.DocumentState;
import java.time.Instant;
import java.util.List;

/**
 * One page of {@code GET /v1/documents}: the tenant's documents in id order, the cursor of the next
 * page (null at the end), and whether Redis was missing (only indexed documents listed).
 */
public record DocumentPage(List<Document> documents, String nextCursor, boolean partial) {

    /** A listed document; {@code title}, {@code reason} and the times may be null. */
    public record Document(
            String id,
            String title,
            DocumentState state,
            String reason,
            long version,
            int chunkCount,
            Instant uploadedAt,
            Instant updatedAt) {}
}
