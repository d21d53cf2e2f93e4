package io.kbstream.jobs.records;

import io.kbstream.schemas.EventKeys;
import io.kbstream.schemas.EventType;
import java.util.HashMap;
import java.util.Map;

/**
 * A record read from {@code kb.documents}: a decoded DocumentEvent with the version the log gave
 * it, or — when the bytes could not be decoded — the reason, so the job can report it and move on.
 * The raw record is kept either way, so a dead letter is the record as it came. A Flink POJO
 * (public fields, no-arg constructor) so state and network use Flink's fast serializer.
 */
public class DocumentCommand {

    /** As in the event; null when undecodable. */
    public EventType type;

    public String eventId;
    public String tenant;
    public String documentId;

    /** {@link io.kbstream.schemas.DocumentVersions#ofOffset} of the record's offset. */
    public long version;

    /**
     * The {@code kb.documents} partition it was read from: with the version, its place in the log.
     */
    public int partition;

    public String title;
    public String contentType;
    public byte[] content;
    public Map<String, String> metadata = new HashMap<>();
    public long uploadedAt;

    /** Set when the Kafka record could not be decoded: why. */
    public String decodeError;

    /** The record as it came, for the dead-letter topic. */
    public byte[] rawKey;

    public byte[] rawValue;

    public DocumentCommand() {}

    public boolean isDelete() {
        return type == EventType.DELETE;
    }

    public boolean isDecodable() {
        return decodeError == null;
    }

    /** The Flink key: one document of one tenant. */
    public String documentKey() {
        return EventKeys.documentKey(tenant, documentId);
    }
}
