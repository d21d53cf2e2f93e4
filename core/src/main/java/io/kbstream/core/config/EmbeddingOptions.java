package io.kbstream.core.config;

import java.nio.file.Path;

/** The embedding model, its inference threads and the chunker that feeds it. */
public final class EmbeddingOptions {

    private EmbeddingOptions() {}

    // Model and query instruction chosen together by the model table (benchmark/README.md, "The
    // model"): the fastest model within 0.9 of the best nDCG@10 on SciFact train.
    public static final ConfigOption<String> MODEL =
            ConfigOption.key("kb.embedding.model")
                    .stringType()
                    .defaultValue("bge-small-en-v15-q")
                    .withDescription(
                            "Embedding model: all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v15,"
                                    + " bge-small-en-v15-q (ONNX, from the langchain4j model jars),"
                                    + " a folder with a TorchScript model and its tokenizer.json, or a"
                                    + " djl:// model-zoo URL already in the local DJL cache.");

    public static final ConfigOption<Boolean> QUERY_INSTRUCTION =
            ConfigOption.key("kb.embedding.query-instruction")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Put the model's documented query instruction before search queries"
                                    + " (bge-small-en-v15 and its -q twin: 'Represent this sentence"
                                    + " for searching relevant passages: '; the MiniLM models have"
                                    + " none). Off by default: on SciFact's claims (sentences, not"
                                    + " short queries) it lowered nDCG@10 by 0.008-0.013."
                                    + " Documents are always embedded as they are.");

    public static final ConfigOption<String> CACHE_DIR =
            ConfigOption.key("kb.embedding.cache-dir")
                    .stringType()
                    .defaultFrom(
                            c ->
                                    Path.of(System.getProperty("user.home"), ".cache", "kb-stream")
                                            .resolve("models")
                                            .toString())
                    .withDescription(
                            "Folder the bundled ONNX models and tokenizers are extracted to, once.");

    public static final ConfigOption<java.time.Duration> TENANT_MODELS_REFRESH =
            ConfigOption.key("kb.embedding.tenant-models-refresh")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(2))
                    .withDescription(
                            "How long a process trusts what it read of a tenant's models (active,"
                                    + " migration target, previous) before reading the shards"
                                    + " again; the API also rereads when the tenant's index"
                                    + " generation changes. A migration waits this long after it"
                                    + " starts before it reads chunks, so every writer embeds new"
                                    + " chunks with the target model too by then.");

    public static final ConfigOption<Integer> REEMBED_READ_BATCH =
            ConfigOption.key("kb.embedding.reembed-read-batch")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "Chunks a re-embed job reads from a shard at a time and embeds as one"
                                    + " micro-batch (kb reembed).");

    public static final ConfigOption<Integer> MAX_TOKENS =
            ConfigOption.key("kb.embedding.max-tokens")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Model window in tokens (special tokens included); longer texts are"
                                    + " truncated.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOption.key("kb.embedding.batch-size")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Texts per inference run (one padded tensor); an embed call of more"
                                    + " texts is split into runs spread over the workers. 1 is"
                                    + " fastest on CPU (measured, see benchmark/README.md).");

    public static final ConfigOption<Integer> THREADS =
            ConfigOption.key("kb.embedding.threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "ONNX Runtime intra-op threads per inference run; 0 means one per"
                                    + " available processor.");

    public static final ConfigOption<Integer> WORKERS =
            ConfigOption.key("kb.embedding.workers")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Inference runs in parallel per model and JVM, shared by all callers;"
                                    + " 0 means one per available processor.");

    public static final ConfigOption<Integer> CHUNK_TARGET_TOKENS =
            ConfigOption.key("kb.chunk.target-tokens")
                    .intType()
                    .defaultValue(200)
                    .withDescription(
                            "Most model tokens per chunk; leaves room for special tokens in a"
                                    + " 256-token window.");

    public static final ConfigOption<Integer> CHUNK_OVERLAP_TOKENS =
            ConfigOption.key("kb.chunk.overlap-tokens")
                    .intType()
                    .defaultValue(40)
                    .withDescription(
                            "Tokens a chunk repeats from the end of the previous one (at most;"
                                    + " chunks start at word boundaries).");
}
