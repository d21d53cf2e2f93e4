package io.kbstream.core.store;

import java.util.Map;
import java.util.Objects;

/**
 * One chunk of a document as stored: its number within the document, its text, where it came from
 * in the extracted text ({@code [startChar, endChar)}), its embedding by the document's model
 * ({@link IndexedDocument#model()}) and, while its tenant moves between models, its embeddings by
 * the other models the tenant keeps ({@link TenantModels#writeModels()}), by model name.
 */
public record ChunkRow(
        int chunkNo,
        String text,
        int startChar,
        int endChar,
        float[] embedding,
        Map<String, float[]> otherEmbeddings) {

    public ChunkRow {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(embedding, "embedding");
        otherEmbeddings = otherEmbeddings == null ? Map.of() : Map.copyOf(otherEmbeddings);
        if (chunkNo < 0) {
            throw new IllegalArgumentException("chunkNo must be >= 0: " + chunkNo);
        }
        if (startChar < 0 || endChar < startChar) {
            throw new IllegalArgumentException(
                    "bad character range [" + startChar + ", " + endChar + ")");
        }
    }

    /** A chunk with one model's embedding. */
    public ChunkRow(int chunkNo, String text, int startChar, int endChar, float[] embedding) {
        this(chunkNo, text, startChar, endChar, embedding, Map.of());
    }
}
