package io.kbstream.client;

import io.kbstream.schemas.DocumentState;
import java.time.Instant;

/**
 * A document's status as {@code GET /v1/documents/{id}} answers it and {@code /v1/events} pushes
 * it: the JSON view ({@code schemas}' {@code StatusJson}) of the pipeline's DocumentStatus event.
 */
public record DocumentStatus(
        String id,
        String tenant,
        long version,
        DocumentState state,
        String reason,
        int chunkCount,
        Instant uploadedAt,
        Instant updatedAt) {

    /** INDEXED or FAILED: the pipeline is done with this version. */
    public boolean done() {
        return state == DocumentState.INDEXED || state == DocumentState.FAILED;
    }
}
