package io.kbstream.core.chunk;

import io.kbstream.core.chunk.internal.TokenChunker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Builds a {@link Chunker}; {@link #build()} checks the settings fit together. */
public final class ChunkerBuilder {

    private Path tokenizer;
    private int targetTokens = 200;
    private int overlapTokens = 40;
    private int windowChars = 32_768;

    ChunkerBuilder() {}

    /** The model's HuggingFace {@code tokenizer.json}. Required. */
    public ChunkerBuilder tokenizer(Path tokenizerJson) {
        this.tokenizer = Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        return this;
    }

    /** Most tokens per chunk (default 200: a 256-token window minus room for special tokens). */
    public ChunkerBuilder targetTokens(int targetTokens) {
        this.targetTokens = targetTokens;
        return this;
    }

    /** Most tokens repeated from the previous chunk (default 40). */
    public ChunkerBuilder overlapTokens(int overlapTokens) {
        this.overlapTokens = overlapTokens;
        return this;
    }

    /** Characters tokenised at a time (default 32768); bounds memory for huge texts. */
    public ChunkerBuilder windowChars(int windowChars) {
        this.windowChars = windowChars;
        return this;
    }

    public Chunker build() {
        if (tokenizer == null) {
            throw new IllegalStateException("a tokenizer.json is required");
        }
        if (!Files.isRegularFile(tokenizer)) {
            throw new IllegalStateException("tokenizer file not found: " + tokenizer);
        }
        if (targetTokens < 1) {
            throw new IllegalStateException("targetTokens must be positive: " + targetTokens);
        }
        if (overlapTokens < 0 || overlapTokens >= targetTokens) {
            throw new IllegalStateException(
                    "overlapTokens must be in [0, targetTokens): "
                            + overlapTokens
                            + " vs "
                            + targetTokens);
        }
        // a window must hold several chunks, or windows would mostly be re-tokenised overlap
        if (windowChars < targetTokens * 8) {
            throw new IllegalStateException(
                    "windowChars must be at least 8 x targetTokens: " + windowChars);
        }
        return new TokenChunker(tokenizer, targetTokens, overlapTokens, windowChars);
    }
}
