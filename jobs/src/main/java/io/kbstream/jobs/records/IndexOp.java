package io.kbstream.jobs.records;

import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.EventKeys;

/**
 * What the sink does for one document: write a complete new version (all chunks embedded), delete
 * it, or only report a status (FAILED, or INDEXED "unchanged", or PROCESSING).
 */
public class IndexOp {

    /** What the sink does. */
    public enum Kind {
        /** Write a complete new version: all chunks embedded. */
        UPSERT,
        /** Delete the document. */
        DELETE,
        /** Only report {@link #state}. */
        STATUS
    }

    public Kind kind;

    public String eventId;
    public String tenant;
    public String documentId;
    public long version;

    /**
     * For a DELETE on its way to the assembler: see {@link DocumentCommand#partition}. With the
     * version, its place in the log, which a tenant tombstone's mark is compared with.
     */
    public int partition;

    public long uploadedAt;

    /** For STATUS: PROCESSING, INDEXED or FAILED; the reason goes with FAILED and "unchanged". */
    public DocumentState state;

    public String reason;

    /** For UPSERT, and for an unchanged INDEXED status: the chunk count. */
    public int chunkCount;

    public String title;
    public String contentHash;
    public java.util.Map<String, String> metadata = new java.util.HashMap<>();

    /**
     * An array, not a List: Flink serializes arrays of POJOs natively (a List would go to Kryo).
     */
    public ChunkTask[] chunks = new ChunkTask[0];

    public IndexOp() {}

    public String documentKey() {
        return EventKeys.documentKey(tenant, documentId);
    }

    public static IndexOp status(
            String eventId,
            String tenant,
            String documentId,
            long version,
            long uploadedAt,
            DocumentState state,
            String reason,
            int chunkCount) {
        IndexOp op = new IndexOp();
        op.kind = Kind.STATUS;
        op.eventId = eventId;
        op.tenant = tenant;
        op.documentId = documentId;
        op.version = version;
        op.uploadedAt = uploadedAt;
        op.state = state;
        op.reason = reason;
        op.chunkCount = chunkCount;
        return op;
    }
}
