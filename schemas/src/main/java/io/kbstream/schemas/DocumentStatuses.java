package io.kbstream.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * The one place a {@link DocumentStatus} is built, by the API (ACCEPTED) and the job (the rest).
 */
public final class DocumentStatuses {

    private DocumentStatuses() {}

    /**
     * Where version {@code version} of a document is.
     *
     * @param eventId the event the status is about; null becomes "" (the field is required)
     * @param reason why FAILED, or a note such as "unchanged"; null for none
     */
    public static DocumentStatus of(
            String eventId,
            String tenant,
            String documentId,
            long version,
            DocumentState state,
            String reason,
            int chunkCount,
            Instant uploadedAt,
            Instant updatedAt) {
        return DocumentStatus.newBuilder()
                .setEventId(Objects.requireNonNullElse(eventId, ""))
                .setTenant(tenant)
                .setDocumentId(documentId)
                .setVersion(version)
                .setState(state)
                .setReason(reason)
                .setChunkCount(chunkCount)
                .setUploadedAt(uploadedAt)
                .setUpdatedAt(updatedAt)
                .build();
    }

    /** {@code event} is on the log at {@code version} (see {@link DocumentVersions#ofOffset}). */
    public static DocumentStatus accepted(DocumentEvent event, long version) {
        return of(
                event.getEventId(),
                event.getTenant(),
                event.getDocumentId(),
                version,
                DocumentState.ACCEPTED,
                null,
                0,
                event.getUploadedAt(),
                event.getUploadedAt());
    }
}
