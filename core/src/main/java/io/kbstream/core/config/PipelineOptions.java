package io.kbstream.core.config;

/** The indexing job: parallelism, micro-batches, sink batches, checkpoints and restarts. */
public final class PipelineOptions {

    private PipelineOptions() {}

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOption.key("kb.pipeline.parallelism")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Parallelism of the indexing job (at most the kb.documents partitions).");

    public static final ConfigOption<Integer> CPU_NICE =
            ConfigOption.key("kb.pipeline.cpu-nice")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Nice value (0-19) the local pipeline runs at, so its inference yields"
                                    + " the CPU to the API on the same machine; 0: normal priority.");

    public static final ConfigOption<String> CONSUMER_GROUP =
            ConfigOption.key("kb.pipeline.consumer-group")
                    .stringType()
                    .defaultValue("kb-indexer")
                    .withDescription(
                            "Kafka consumer group of the indexing job (offsets committed on checkpoint).");

    public static final ConfigOption<Integer> EMBED_BATCH_SIZE =
            ConfigOption.key("kb.pipeline.embed-batch-size")
                    .intType()
                    .defaultValue(32)
                    .withDescription(
                            "Chunks per embedding call: a micro-batch flushes at this count ...");

    public static final ConfigOption<java.time.Duration> EMBED_BATCH_TIMEOUT =
            ConfigOption.key("kb.pipeline.embed-batch-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMillis(100))
                    .withDescription(
                            "... or this long after its first chunk arrived, whichever is first.");

    public static final ConfigOption<Integer> SINK_BATCH_SIZE =
            ConfigOption.key("kb.pipeline.sink-batch-size")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "Documents per shard write: the sink commits at this count ...");

    public static final ConfigOption<java.time.Duration> SINK_FLUSH_INTERVAL =
            ConfigOption.key("kb.pipeline.sink-flush-interval")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMillis(200))
                    .withDescription("... or at this interval, and always before a checkpoint.");

    public static final ConfigOption<java.time.Duration> CHECKPOINT_INTERVAL =
            ConfigOption.key("kb.pipeline.checkpoint-interval")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(2))
                    .withDescription("Exactly-once checkpoint interval (RocksDB, incremental).");

    public static final ConfigOption<String> CHECKPOINT_DIR =
            ConfigOption.key("kb.pipeline.checkpoint-dir")
                    .stringType()
                    .defaultFrom(
                            c ->
                                    java.nio.file.Path.of(
                                                    c.get(StackOptions.DATA_DIR),
                                                    "flink",
                                                    "checkpoints")
                                            .toUri()
                                            .toString())
                    .withDescription("Checkpoint storage URI (file://, s3://, ...).");

    public static final ConfigOption<Integer> RESTART_ATTEMPTS =
            ConfigOption.key("kb.pipeline.restart-attempts")
                    .intType()
                    .defaultValue(20)
                    .withDescription(
                            "Restarts from the last checkpoint in a row (the count resets after a"
                                    + " minute without failure) before the job gives up.");

    public static final ConfigOption<java.time.Duration> RESTART_DELAY =
            ConfigOption.key("kb.pipeline.restart-delay")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(2))
                    .withDescription(
                            "First pause between restarts, doubling up to 30 s (a shard or broker may"
                                    + " be coming back).");

    public static final ConfigOption<Integer> MAX_DOCUMENT_BYTES =
            ConfigOption.key("kb.pipeline.max-document-bytes")
                    .intType()
                    .defaultValue(10 * 1024 * 1024)
                    .withDescription("Larger documents are FAILED (\"too large\"), never indexed.");

    public static final ConfigOption<java.time.Duration> TOMBSTONE_TTL =
            ConfigOption.key("kb.pipeline.tombstone-ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofDays(7))
                    .withDescription(
                            "How long a delete's version is remembered to drop older, late upserts.");

    public static final ConfigOption<java.util.List<String>> REBUILD_SHARDS =
            ConfigOption.key("kb.rebuild.shards")
                    .listType()
                    .defaultValue(java.util.List.of())
                    .withDescription(
                            "JDBC URLs of the shards kb rebuild replays kb.documents into,"
                                    + " comma-separated (the order is the shard number; any count)."
                                    + " Missing databases are created on their servers; a shard"
                                    + " holding any rebuilt tenant's documents is refused.");

    public static final ConfigOption<String> REBUILD_CONSUMER_GROUP =
            ConfigOption.key("kb.rebuild.consumer-group")
                    .stringType()
                    .defaultValue("kb-rebuild")
                    .withDescription(
                            "Consumer group of kb rebuild: reset at its start (it reads from the"
                                    + " earliest offsets), left at where it stopped, so an indexing"
                                    + " job over the rebuilt shards continues with this group.");

    public static final ConfigOption<Integer> FLINK_WEB_PORT =
            ConfigOption.key("kb.flink.web-port")
                    .intType()
                    .defaultFrom(c -> c.get(StackOptions.PORT_BASE) + 81)
                    .withDescription("Port of the Flink web UI of the local MiniCluster.");

    public static final ConfigOption<Integer> METRICS_PORT =
            ConfigOption.key("kb.pipeline.metrics-port")
                    .intType()
                    .defaultFrom(c -> c.get(StackOptions.PORT_BASE) + 61)
                    .withDescription(
                            "Port of the local pipeline's Prometheus endpoint (Flink's Prometheus"
                                    + " reporter: the job's and Flink's metrics).");
}
