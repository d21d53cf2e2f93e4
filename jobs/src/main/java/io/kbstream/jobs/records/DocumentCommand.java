package io.kbstream.jobs.records;

import java.util.HashMap;
import java.util.Map;

/**
 * A record read from {@code kb.documents}: a decoded DocumentEvent, or — when the bytes could not
 * be decoded — the raw record and the reason, so the job can report it and move on. A Flink POJO
 * (public fields, no-arg constructor) so state and network use Flink's fast serializer.
 */
public class DocumentCommand {

    /** UPSERT or DELETE, as in the event; null when undecodable. */
    public String type;

    public String eventId;
    public String tenant;
    public String documentId;
    public long version;
    public String title;
    public String contentType;
    public byte[] content;
    public Map<String, String> metadata = new HashMap<>();
    public long uploadedAt;

    /** Set when the Kafka record could not be decoded: why. */
    public String decodeError;

    /** The record as it came, kept only for undecodable records (for the dead-letter topic). */
    public byte[] rawKey;

    public byte[] rawValue;

    public DocumentCommand() {}

    public boolean isDelete() {
        return "DELETE".equals(type);
    }

    public boolean isDecodable() {
        return decodeError == null;
    }

    /** The Flink key: one document of one tenant. */
    public String documentKey() {
        return tenant + "/" + documentId;
    }
}
