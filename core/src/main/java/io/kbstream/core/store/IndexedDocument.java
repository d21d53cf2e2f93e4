package io.kbstream.core.store;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A document version ready to be written: its identity and version, what it was made from, and all
 * of its chunks (which replace the previous version's chunks as a whole).
 *
 * @param contentHash hash of the source content, so an unchanged re-upload can be recognized
 * @param model the embedding model that produced the chunks' vectors
 */
public record IndexedDocument(
        String tenant,
        String id,
        long version,
        String contentHash,
        String title,
        Map<String, String> metadata,
        String model,
        List<ChunkRow> chunks) {

    public IndexedDocument {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        chunks = List.copyOf(chunks);
        for (int i = 0; i < chunks.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (chunks.get(i).chunkNo() == chunks.get(j).chunkNo()) {
                    throw new IllegalArgumentException(
                            "duplicate chunkNo "
                                    + chunks.get(i).chunkNo()
                                    + " in "
                                    + tenant
                                    + "/"
                                    + id);
                }
            }
        }
    }
}
