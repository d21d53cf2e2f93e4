package io.kbstream.core.store;

import java.util.Objects;

/**
 * One chunk of a document as stored: its number within the document, its text, where it came from
 * in the extracted text ({@code [startChar, endChar)}) and its embedding.
 */
public record ChunkRow(int chunkNo, String text, int startChar, int endChar, float[] embedding) {

    public ChunkRow {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(embedding, "embedding");
        if (chunkNo < 0) {
            throw new IllegalArgumentException("chunkNo must be >= 0: " + chunkNo);
        }
        if (startChar < 0 || endChar < startChar) {
            throw new IllegalArgumentException(
                    "bad character range [" + startChar + ", " + endChar + ")");
        }
    }
}
