package io.kbstream.core.config;

/**
 * The local stack that {@code ./kb} runs on one machine: ports, folders, sizes. Ports of every
 * other section default from {@link #PORT_BASE}, so two checkouts coexist by changing one number.
 */
public final class StackOptions {

    private StackOptions() {}

    public static final ConfigOption<Integer> PORT_BASE =
            ConfigOption.key("kb.stack.port-base")
                    .intType()
                    .defaultValue(25400)
                    .withDescription(
                            "First port of the local stack: shards at +0.., Redis +10, Kafka +20/+21,"
                                    + " shard replicas at +40.. (replica r of shard s: +40+10r+s),"
                                    + " API +80, Flink web UI +81, local Flink cluster +82..84.");

    public static final ConfigOption<String> DATA_DIR =
            ConfigOption.key("kb.stack.data-dir")
                    .stringType()
                    .defaultFrom(c -> KbConfig.home().resolve(".kb").toString())
                    .withDescription(
                            "Folder holding all data, logs and pid files of the local stack.");

    public static final ConfigOption<Integer> SHARD_COUNT =
            ConfigOption.key("kb.stack.postgres.shard-count")
                    .intType()
                    .defaultValue(2)
                    .withDescription("How many Postgres clusters (shards) the local stack runs.");

    public static final ConfigOption<Integer> REPLICAS_PER_SHARD =
            ConfigOption.key("kb.stack.postgres.replicas-per-shard")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Streaming replicas of each shard in the local stack (pg_basebackup -R"
                                    + " from its primary, 0..4); searches may read from them, writes"
                                    + " never do.");

    /** The port of replica {@code replica} of shard {@code shard} (see {@link #PORT_BASE}). */
    public static int replicaPort(KbConfig config, int shard, int replica) {
        return config.get(PORT_BASE) + 40 + 10 * replica + shard;
    }

    public static final ConfigOption<String> POSTGRES_BIN =
            ConfigOption.key("kb.stack.postgres.bin-dir")
                    .stringType()
                    .defaultValue("/usr/lib/postgresql/15/bin")
                    .withDescription("Folder with initdb and pg_ctl of the Postgres server.");

    public static final ConfigOption<Integer> KAFKA_PARTITIONS =
            ConfigOption.key("kb.stack.kafka.partitions")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Partitions of kb.documents (the indexing job's max useful parallelism).");

    public static final ConfigOption<Integer> KAFKA_HEAP_MB =
            ConfigOption.key("kb.stack.kafka.heap-mb")
                    .intType()
                    .defaultValue(512)
                    .withDescription("Heap of the local Kafka broker JVM.");

    public static final ConfigOption<String> SCIFACT_DIR =
            ConfigOption.key("kb.stack.scifact-dir")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "SciFact folder (BEIR layout) for kb eval, kb bench and their tests;"
                                    + " empty: the nearest shared/data/scifact above the checkout.");

    public static final ConfigOption<Integer> PROMETHEUS_PORT =
            ConfigOption.key("kb.stack.prometheus.port")
                    .intType()
                    .defaultFrom(c -> c.get(PORT_BASE) + 60)
                    .withDescription(
                            "Port of the stack's Prometheus (UI and API); it scrapes the API, the"
                                    + " pipeline and the exporters.");

    public static final ConfigOption<Integer> EXPORTER_PORT_BASE =
            ConfigOption.key("kb.stack.exporters.port-base")
                    .intType()
                    .defaultFrom(c -> c.get(PORT_BASE) + 62)
                    .withDescription(
                            "First port of the stack's exporters: node exporter on it, Redis"
                                    + " exporter +1, one Postgres exporter per shard from +2.");
}
