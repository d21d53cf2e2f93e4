package io.kbstream.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The one place a {@link DocumentEvent} is built, for the API's uploads and deletes and the bulk
 * import alike. Every event gets a fresh event id, and its version is {@link
 * DocumentVersions#UNASSIGNED}: the log assigns it.
 */
public final class DocumentEvents {

    private DocumentEvents() {}

    /** A document of {@code tenant} was uploaded (created or replaced). */
    public static DocumentEvent upsert(
            String tenant,
            String documentId,
            String title,
            byte[] content,
            String contentType,
            Map<String, String> metadata,
            Instant uploadedAt) {
        return base(EventType.UPSERT, tenant, documentId, uploadedAt)
                .setTitle(title)
                .setContent(ByteBuffer.wrap(content))
                .setContentType(contentType)
                .setMetadata(new LinkedHashMap<>(metadata))
                .build();
    }

    /**
     * A document of {@code tenant} was deleted. On Kafka it is a tombstone ({@link
     * DocumentRecords#encode}).
     */
    public static DocumentEvent delete(String tenant, String documentId, Instant deletedAt) {
        return base(EventType.DELETE, tenant, documentId, deletedAt).build();
    }

    /** A delete read back from a tombstone: its event id came with it. */
    static DocumentEvent deleted(
            String eventId, String tenant, String documentId, Instant deletedAt) {
        return base(EventType.DELETE, tenant, documentId, deletedAt).setEventId(eventId).build();
    }

    private static DocumentEvent.Builder base(
            EventType type, String tenant, String documentId, Instant at) {
        return DocumentEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setType(type)
                .setTenant(tenant)
                .setDocumentId(documentId)
                .setVersion(DocumentVersions.UNASSIGNED)
                .setUploadedAt(at);
    }
}
