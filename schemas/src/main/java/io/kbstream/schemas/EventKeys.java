package io.kbstream.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The one document-key function. Every event about a document is keyed {@code tenant/documentId},
 * so all of a document's events land in one partition, in order (which is what makes offsets usable
 * as versions, see {@link DocumentVersions}); the indexing job keys its state by the same string.
 */
public final class EventKeys {

    private EventKeys() {}

    /** {@code tenant/documentId}: tenant ids cannot contain '/', so the key is unambiguous. */
    public static String documentKey(String tenant, String documentId) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(documentId, "documentId");
        return tenant + "/" + documentId;
    }

    /** {@link #documentKey} as UTF-8 bytes: the Kafka record key. */
    public static byte[] key(String tenant, String documentId) {
        return documentKey(tenant, documentId).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] key(DocumentEvent event) {
        return key(event.getTenant(), event.getDocumentId());
    }

    public static byte[] key(DocumentStatus status) {
        return key(status.getTenant(), status.getDocumentId());
    }
}
