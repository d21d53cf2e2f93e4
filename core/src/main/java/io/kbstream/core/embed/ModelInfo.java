package io.kbstream.core.embed;

import java.util.Objects;

/**
 * What made a vector: vectors are comparable only when their {@link #version()}s are equal.
 *
 * @param name the configured model name, e.g. {@code all-minilm-l6-v2}
 * @param dimension floats per vector
 * @param version name plus a digest of the weights, e.g. {@code all-minilm-l6-v2@sha256:1f2e..}
 * @param engine the DJL engine running it ({@code OnnxRuntime} or {@code PyTorch})
 * @param maxTokens the window; longer texts are truncated
 */
public record ModelInfo(String name, int dimension, String version, String engine, int maxTokens) {

    public ModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(engine, "engine");
        if (dimension <= 0) {
            throw new IllegalArgumentException("dimension must be positive: " + dimension);
        }
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive: " + maxTokens);
        }
    }

    /**
     * Fails when vectors made by {@code stored} cannot be compared with this model's, e.g. a search
     * embedding queries with one model against an index built with another.
     *
     * @param stored the model recorded with existing vectors
     * @param where what holds those vectors, for the message (e.g. a shard URL)
     * @throws IllegalStateException naming both models
     */
    public void requireCompatibleWith(ModelInfo stored, String where) {
        if (!version.equals(stored.version()) || dimension != stored.dimension()) {
            throw new IllegalStateException(
                    "embedding model mismatch: "
                            + where
                            + " holds vectors of "
                            + stored.version()
                            + " ("
                            + stored.dimension()
                            + "-d), but this process embeds with "
                            + version
                            + " ("
                            + dimension
                            + "-d); configure kb.embedding.model to match or re-index");
        }
    }
}
