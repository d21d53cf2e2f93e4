package io.kbstream.core.chunk;

import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.embed.EmbedderSpec;
import io.kbstream.core.embed.Embedders;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Splits text into overlapping chunks measured in the embedding model's own tokens. Chunks start
 * and end at word boundaries (a CJK character is a word), carry their character offsets into the
 * source, and hold at most {@link #targetTokens()} tokens. Thread-safe.
 */
public interface Chunker {

    /** Most tokens per chunk. */
    int targetTokens();

    /** Most tokens a chunk repeats from its predecessor. */
    int overlapTokens();

    /**
     * Chunks lazily: the text is tokenised one window at a time, so memory is bounded by the window
     * and the chunks the caller keeps, whatever the text's size.
     */
    Iterator<Chunk> iterate(String text);

    /** All chunks of {@code text}; none for empty or blank text. */
    default List<Chunk> chunk(String text) {
        List<Chunk> out = new ArrayList<>();
        iterate(text).forEachRemaining(out::add);
        return out;
    }

    /**
     * A chunker for the configured embedding model ({@code kb.embedding.*}, {@code kb.chunk.*}).
     */
    static Chunker forConfig(KbConfig config) {
        return builder()
                .tokenizer(Embedders.tokenizerFile(EmbedderSpec.from(config)))
                .targetTokens(config.get(EmbeddingOptions.CHUNK_TARGET_TOKENS))
                .overlapTokens(config.get(EmbeddingOptions.CHUNK_OVERLAP_TOKENS))
                .build();
    }

    static ChunkerBuilder builder() {
        return new ChunkerBuilder();
    }
}
