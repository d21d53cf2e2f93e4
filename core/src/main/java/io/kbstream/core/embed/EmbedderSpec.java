package io.kbstream.core.embed;

import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to build an {@link Embedder}; read from configuration with {@link #from(KbConfig)}.
 *
 * @param model a bundled model name, a TorchScript model folder or a {@code djl://} URL
 * @param cacheDir where bundled models are extracted
 * @param maxTokens the window, special tokens included
 * @param batchSize texts per inference run (one padded tensor batch)
 * @param threads ONNX Runtime intra-op threads per run, 0 for one per available processor
 * @param workers inference runs in parallel per model and JVM, 0 for one per available processor
 * @param queryInstruction whether search queries get the model's documented instruction before them
 *     (see {@link Embedder#queryText})
 */
public record EmbedderSpec(
        String model,
        Path cacheDir,
        int maxTokens,
        int batchSize,
        int threads,
        int workers,
        boolean queryInstruction) {

    public EmbedderSpec {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(cacheDir, "cacheDir");
        if (model.isBlank()) {
            throw new IllegalArgumentException("kb.embedding.model is blank");
        }
        if (maxTokens < 8 || maxTokens > 512) {
            throw new IllegalArgumentException(
                    "kb.embedding.max-tokens must be in [8, 512] (BERT's position limit): "
                            + maxTokens);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException(
                    "kb.embedding.batch-size must be positive: " + batchSize);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("kb.embedding.threads must be >= 0: " + threads);
        }
        if (workers < 0) {
            throw new IllegalArgumentException("kb.embedding.workers must be >= 0: " + workers);
        }
    }

    /** The spec configured by the {@code kb.embedding.*} options. */
    public static EmbedderSpec from(KbConfig config) {
        return new EmbedderSpec(
                config.get(EmbeddingOptions.MODEL),
                Path.of(config.get(EmbeddingOptions.CACHE_DIR)),
                config.get(EmbeddingOptions.MAX_TOKENS),
                config.get(EmbeddingOptions.BATCH_SIZE),
                config.get(EmbeddingOptions.THREADS),
                config.get(EmbeddingOptions.WORKERS),
                config.get(EmbeddingOptions.QUERY_INSTRUCTION));
    }

    /** The same spec for another model. */
    public EmbedderSpec withModel(String otherModel) {
        return new EmbedderSpec(
                otherModel, cacheDir, maxTokens, batchSize, threads, workers, queryInstruction);
    }

    /** The same spec with another batch size. */
    public EmbedderSpec withBatchSize(int otherBatchSize) {
        return new EmbedderSpec(
                model, cacheDir, maxTokens, otherBatchSize, threads, workers, queryInstruction);
    }

    /** The same spec with other intra-op threads and workers (0 = one per processor). */
    public EmbedderSpec withParallelism(int otherThreads, int otherWorkers) {
        return new EmbedderSpec(
                model,
                cacheDir,
                maxTokens,
                batchSize,
                otherThreads,
                otherWorkers,
                queryInstruction);
    }

    /** The same spec with the model's query instruction on or off. */
    public EmbedderSpec withQueryInstruction(boolean on) {
        return new EmbedderSpec(model, cacheDir, maxTokens, batchSize, threads, workers, on);
    }

    /** Intra-op threads per run, with 0 resolved to the available processors. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** Parallel runs, with 0 resolved to the available processors. */
    public int effectiveWorkers() {
        return workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    }
}
