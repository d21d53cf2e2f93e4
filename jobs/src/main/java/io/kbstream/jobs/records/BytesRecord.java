package io.kbstream.jobs.records;

/**
 * A Kafka record ready to write: key and value bytes, and for dead letters the reason (sent as the
 * {@code kb.reason} header).
 */
public class BytesRecord {

    public byte[] key;
    public byte[] value;

    /** Why the record is dead-lettered; null for ordinary records. */
    public String reason;

    public BytesRecord() {}

    public BytesRecord(byte[] key, byte[] value, String reason) {
        this.key = key;
        this.value = value;
        this.reason = reason;
    }
}
