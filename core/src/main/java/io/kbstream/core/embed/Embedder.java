package io.kbstream.core.embed;

import java.util.List;

/**
 * Turns text into unit-length vectors with one pretrained model. Implementations are thread-safe
 * and shared: get one from {@link Embedders#shared}, which loads each model once per JVM. Callers
 * never close it; the registry does at JVM shutdown.
 */
public interface Embedder {

    /**
     * Embeds {@code texts} in order; lists larger than the configured batch size are split. Texts
     * longer than {@link ModelInfo#maxTokens()} are truncated.
     *
     * @return one vector of {@link ModelInfo#dimension()} floats per text, L2-normalised
     * @throws EmbeddingException if inference fails
     */
    float[][] embed(List<String> texts);

    /** Embeds one text; the same vector as the same text inside a batch. */
    default float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    /** Which model makes these vectors; stored with each vector. */
    ModelInfo modelInfo();
}
