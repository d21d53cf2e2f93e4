package io.kbstream.core.chunk;

import java.util.Objects;

/**
 * A piece of a document small enough to embed.
 *
 * @param index position in the document, from 0
 * @param text the source text from {@code startChar} to {@code endChar}
 * @param startChar offset of the first character in the source ({@link String} index)
 * @param endChar offset just past the last character
 * @param tokenCount model tokens in {@code text}, without the model's special tokens
 */
public record Chunk(int index, String text, int startChar, int endChar, int tokenCount) {

    public Chunk {
        Objects.requireNonNull(text, "text");
        if (index < 0 || startChar < 0 || endChar < startChar || tokenCount < 0) {
            throw new IllegalArgumentException(
                    "invalid chunk " + index + " [" + startChar + ", " + endChar + ")");
        }
        if (text.length() != endChar - startChar) {
            throw new IllegalArgumentException("text length does not match its offsets");
        }
    }
}
