package io.kbstream.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Kafka record keys. Every event about a document is keyed {@code tenant/documentId}, so all of a
 * document's events land in one partition, in order.
 */
public final class EventKeys {

    private EventKeys() {}

    /** {@code tenant + "/" + documentId} as UTF-8 bytes. */
    public static byte[] key(String tenant, String documentId) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(documentId, "documentId");
        return (tenant + "/" + documentId).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] key(DocumentEvent event) {
        return key(event.getTenant(), event.getDocumentId());
    }

    public static byte[] key(DocumentStatus status) {
        return key(status.getTenant(), status.getDocumentId());
    }
}
