package io.kbstream.schemas;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

/**
 * How a {@link DocumentEvent} is laid out as a record of {@code kb.documents}, a compacted topic
 * whose latest record per key is the document's state: an UPSERT is the Avro event as the value; a
 * DELETE is a Kafka tombstone (key, null value), so compaction drops the document's earlier events
 * and, after {@code delete.retention.ms}, the tombstone itself. What a delete needs comes back from
 * the key (tenant, document id), the offset (its version) and two headers (event id, time). Records
 * that older builds wrote (a DELETE as an Avro value) are still read.
 */
public final class DocumentRecords {

    /** Header of a tombstone: the delete's event id (UTF-8). */
    public static final String HEADER_EVENT_ID = "kb.event-id";

    /** Header of a tombstone: when it was deleted, epoch milliseconds as decimal text. */
    public static final String HEADER_DELETED_AT = "kb.deleted-at";

    private DocumentRecords() {}

    /** A record as it goes to Kafka: {@code value} null for a delete. */
    public record Encoded(byte[] key, byte[] value, Map<String, byte[]> headers) {}

    public static Encoded encode(AvroSerde<DocumentEvent> serde, DocumentEvent event) {
        byte[] key = EventKeys.key(event);
        if (event.getType() != EventType.DELETE) {
            return new Encoded(key, serde.serialize(event), Map.of());
        }
        return new Encoded(
                key,
                null,
                Map.of(
                        HEADER_EVENT_ID,
                        utf8(event.getEventId()),
                        HEADER_DELETED_AT,
                        utf8(Long.toString(event.getUploadedAt().toEpochMilli()))));
    }

    /**
     * The event a record holds. A tombstone without the headers (one written by another tool) is
     * still a delete: its event id is then empty and its time the epoch.
     *
     * @param header a header's value by name, null when absent
     * @throws SchemaException when the value is not a known DocumentEvent or a tombstone's key is
     *     not {@code tenant/documentId}
     */
    public static DocumentEvent decode(
            AvroSerde<DocumentEvent> serde,
            byte[] key,
            byte[] value,
            Function<String, byte[]> header) {
        if (value != null) {
            return serde.deserialize(value);
        }
        if (key == null) {
            throw new SchemaException("a tombstone without a key");
        }
        String documentKey = new String(key, StandardCharsets.UTF_8);
        int slash = documentKey.indexOf('/');
        if (slash <= 0 || slash == documentKey.length() - 1) {
            throw new SchemaException("a tombstone whose key is not tenant/documentId");
        }
        byte[] id = header.apply(HEADER_EVENT_ID);
        byte[] at = header.apply(HEADER_DELETED_AT);
        try {
            return DocumentEvents.deleted(
                    id == null ? "" : new String(id, StandardCharsets.UTF_8),
                    documentKey.substring(0, slash),
                    documentKey.substring(slash + 1),
                    at == null
                            ? Instant.EPOCH
                            : Instant.ofEpochMilli(
                                    Long.parseLong(new String(at, StandardCharsets.UTF_8))));
        } catch (NumberFormatException e) {
            throw new SchemaException(
                    "a tombstone whose " + HEADER_DELETED_AT + " is not a number");
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
