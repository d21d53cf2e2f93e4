package io.kbstream.schemas;

/**
 * Document versions: clock-free and monotonic per document. The version of a {@link DocumentEvent}
 * is assigned by the event log, not by its writer: {@link #ofOffset} of the offset Kafka gave the
 * event in its partition. All events of one document share a key ({@link EventKeys}), hence a
 * partition, so a later event of a document always has a higher version, whichever API instance or
 * bulk import wrote it and whatever its clock said. The API answers an upload with the offset in
 * Kafka's acknowledgement, and the indexing job reads the same offset with the record.
 *
 * <p>Why the offset is shifted by {@link #FIRST}: builds before this one used the API's wall-clock
 * microseconds as versions (about 1.8·10<sup>15</sup> in 2026), and shards, the job's RocksDB state
 * and Redis statuses may still hold such versions. Starting above them makes every new version
 * outrank every old one, so that data needs no migration (5·10<sup>15</sup> µs is the year 2128).
 * Versions stay below 2<sup>53</sup> for offsets up to 4·10<sup>15</sup>, so JSON clients that read
 * numbers as doubles still see every digit.
 *
 * <p>Offsets are per partition: recreating {@code kb.documents} or changing its partition count
 * starts a document's offsets anew, and its new events would look older than what is indexed. Treat
 * either as a new installation (empty shards and job state).
 */
public final class DocumentVersions {

    /** The version of the event at offset 0. */
    public static final long FIRST = 5_000_000_000_000_000L;

    /**
     * What a writer puts in {@link DocumentEvent#getVersion()}: it cannot know the offset yet, and
     * readers use {@link #ofOffset} instead.
     */
    public static final long UNASSIGNED = 0L;

    private DocumentVersions() {}

    /** The version of the event Kafka stored at {@code offset} of its partition. */
    public static long ofOffset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("no offset (" + offset + "): was the send acked?");
        }
        return Math.addExact(FIRST, offset);
    }
}
