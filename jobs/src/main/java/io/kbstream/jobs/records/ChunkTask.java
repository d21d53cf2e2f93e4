package io.kbstream.jobs.records;

import io.kbstream.schemas.EventKeys;
import java.util.HashMap;
import java.util.Map;

/**
 * One chunk of one document version on its way to the embedder. It carries the document's own
 * fields too, so the assembler can rebuild the document from any of its chunks.
 */
public class ChunkTask {

    public String eventId;
    public String tenant;
    public String documentId;
    public long version;

    /**
     * The document event's {@code kb.documents} partition (see {@link DocumentCommand#partition}):
     * with the version, its place in the log, which a tenant tombstone's mark is compared with.
     */
    public int partition;

    public String title;
    public String contentHash;
    public Map<String, String> metadata = new HashMap<>();
    public long uploadedAt;

    public int chunkNo;

    /** How many chunks this document version has; the assembler waits for all of them. */
    public int chunkCount;

    public String text;

    /** Set only by the re-embed job's source: the stored chunk's shard and id. */
    public int shard = -1;

    public long chunkId;
    public int startChar;
    public int endChar;

    /** Filled by the embedder; null before. */
    public float[] embedding;

    /** The model of {@link #embedding}: the tenant's active one. Filled by the embedder. */
    public String model;

    /**
     * While the tenant moves between models: the other models it keeps and this chunk's vectors by
     * them, pairwise (arrays: Flink serializes them natively). Empty otherwise.
     */
    public String[] otherModels = new String[0];

    public float[][] otherEmbeddings = new float[0][];

    public ChunkTask() {}

    public String documentKey() {
        return EventKeys.documentKey(tenant, documentId);
    }
}
