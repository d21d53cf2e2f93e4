package io.kbstream.core.embed.internal;

import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.ModelInfo;
import java.util.List;
import java.util.Objects;

/**
 * The public face of a shared {@link DjlEmbedder}, with the caller's run size and query convention.
 */
public final class BatchingEmbedder implements Embedder {

    private final DjlEmbedder model;
    private final int batchSize;
    private final String queryPrefix;

    /**
     * @param queryInstruction whether queries get the model's instruction before them
     */
    public BatchingEmbedder(DjlEmbedder model, int batchSize, boolean queryInstruction) {
        this.model = Objects.requireNonNull(model, "model");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        this.batchSize = batchSize;
        this.queryPrefix = queryInstruction ? model.queryInstruction() : "";
    }

    @Override
    public float[][] embed(List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("text " + i + " is null");
            }
        }
        return model.embed(texts, batchSize);
    }

    @Override
    public String queryText(String query) {
        return queryPrefix + Objects.requireNonNull(query, "query");
    }

    @Override
    public ModelInfo modelInfo() {
        return model.info();
    }

    @Override
    public String toString() {
        return "Embedder["
                + model.info().version()
                + ", batch "
                + batchSize
                + (queryPrefix.isEmpty() ? "" : ", query instruction")
                + "]";
    }
}
