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

    /**
     * The text embedded for a search query: the model's query instruction followed by the query
     * (bge-small-en-v1.5: {@code "Represent this sentence for searching relevant passages: "}), or
     * the query alone for a model without one or with {@code kb.embedding.query-instruction=false}.
     * Documents are embedded as they are.
     */
    String queryText(String query);

    /** Embeds a search query with the model's query convention, see {@link #queryText}. */
    default float[] embedQuery(String query) {
        return embed(queryText(query));
    }

    /** Which model makes these vectors; stored with each vector. */
    ModelInfo modelInfo();
}
