package io.kbstream.core.embed.internal;

import java.util.Arrays;
import java.util.Optional;

/**
 * The ONNX sentence-embedding models shipped as plain resources in langchain4j's model jars on
 * Maven Central. Pooling and query instruction follow each model's card: MiniLM was trained with
 * mean pooling and embeds queries as they are; BGE uses the [CLS] vector, and its makers recommend
 * an instruction before short retrieval queries (nothing before passages).
 */
public enum BundledModel {
    ALL_MINILM_L6_V2("all-minilm-l6-v2", "all-minilm-l6-v2", "mean", ""),
    ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", "all-minilm-l6-v2-q", "mean", ""),
    BGE_SMALL_EN_V15("bge-small-en-v15", "bge-small-en-v1.5", "cls", Instructions.BGE_QUERY),
    BGE_SMALL_EN_V15_Q("bge-small-en-v15-q", "bge-small-en-v1.5-q", "cls", Instructions.BGE_QUERY);

    /** Constants an enum constant may refer to (an enum's own statics are not yet set). */
    private static final class Instructions {
        /** From the bge-small-en-v1.5 model card, for short query to passage retrieval. */
        static final String BGE_QUERY = "Represent this sentence for searching relevant passages: ";
    }

    private static final String LANGCHAIN4J_EMBEDDINGS_VERSION = "1.11.0-beta19";

    private final String configName;
    private final String resourcePrefix;
    private final String pooling;
    private final String queryInstruction;

    BundledModel(
            String configName, String resourcePrefix, String pooling, String queryInstruction) {
        this.configName = configName;
        this.resourcePrefix = resourcePrefix;
        this.pooling = pooling;
        this.queryInstruction = queryInstruction;
    }

    /** The bundled model named {@code name} in {@code kb.embedding.model}, if it is one. */
    public static Optional<BundledModel> byName(String name) {
        return Arrays.stream(values()).filter(m -> m.configName.equals(name)).findFirst();
    }

    public String configName() {
        return configName;
    }

    public String onnxResource() {
        return resourcePrefix + ".onnx";
    }

    public String tokenizerResource() {
        return resourcePrefix + "-tokenizer.json";
    }

    public String pooling() {
        return pooling;
    }

    /** What the model's makers put before a search query; empty when nothing. */
    public String queryInstruction() {
        return queryInstruction;
    }

    /** The Maven coordinates of the jar holding this model. */
    public String artifact() {
        return "dev.langchain4j:langchain4j-embeddings-"
                + configName
                + ":"
                + LANGCHAIN4J_EMBEDDINGS_VERSION;
    }
}
