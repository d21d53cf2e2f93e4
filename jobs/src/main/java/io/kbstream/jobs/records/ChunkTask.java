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
    public String title;
    public String contentHash;
    public Map<String, String> metadata = new HashMap<>();
    public long uploadedAt;

    public int chunkNo;

    /** How many chunks this document version has; the assembler waits for all of them. */
    public int chunkCount;

    public String text;
    public int startChar;
    public int endChar;

    /** Filled by the embedder; null before. */
    public float[] embedding;

    public ChunkTask() {}

    public String documentKey() {
        return EventKeys.documentKey(tenant, documentId);
    }
}
