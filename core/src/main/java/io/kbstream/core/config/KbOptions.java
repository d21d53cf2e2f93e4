package io.kbstream.core.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Every setting of kb-stream, declared once with its default and meaning. Sections: the local
 * stack, Postgres shards, Redis, Kafka, then (added by their modules' needs) embedding, chunking,
 * pipeline and API. Ports default from {@link #STACK_PORT_BASE} so two checkouts can coexist by
 * changing one number.
 */
public final class KbOptions {

    private KbOptions() {}

    // ---- local stack ------------------------------------------------------------------------

    public static final ConfigOption<Integer> STACK_PORT_BASE =
            ConfigOption.key("kb.stack.port-base")
                    .intType()
                    .defaultValue(25400)
                    .withDescription(
                            "First port of the local stack: shards at +0.., Redis +10, Kafka +20/+21,"
                                    + " API +80, Flink web UI +81, Flink session cluster +82.");

    public static final ConfigOption<String> STACK_DATA_DIR =
            ConfigOption.key("kb.stack.data-dir")
                    .stringType()
                    .defaultFrom(c -> KbConfig.home().resolve(".kb").toString())
                    .withDescription(
                            "Folder holding all data, logs and pid files of the local stack.");

    public static final ConfigOption<Integer> STACK_SHARD_COUNT =
            ConfigOption.key("kb.stack.postgres.shard-count")
                    .intType()
                    .defaultValue(2)
                    .withDescription("How many Postgres clusters (shards) the local stack runs.");

    public static final ConfigOption<String> STACK_POSTGRES_BIN =
            ConfigOption.key("kb.stack.postgres.bin-dir")
                    .stringType()
                    .defaultValue("/usr/lib/postgresql/15/bin")
                    .withDescription("Folder with initdb and pg_ctl of the Postgres server.");

    public static final ConfigOption<Integer> STACK_KAFKA_PARTITIONS =
            ConfigOption.key("kb.stack.kafka.partitions")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Partitions of kb.documents (the indexing job's max useful parallelism).");

    public static final ConfigOption<Integer> STACK_KAFKA_HEAP_MB =
            ConfigOption.key("kb.stack.kafka.heap-mb")
                    .intType()
                    .defaultValue(512)
                    .withDescription("Heap of the local Kafka broker JVM.");

    // ---- Postgres shards --------------------------------------------------------------------

    public static final ConfigOption<String> POSTGRES_DATABASE =
            ConfigOption.key("kb.postgres.database")
                    .stringType()
                    .defaultValue("kb")
                    .withDescription("Database name on each shard.");

    public static final ConfigOption<List<String>> POSTGRES_SHARDS =
            ConfigOption.key("kb.postgres.shards")
                    .listType()
                    .defaultFrom(
                            c ->
                                    IntStream.range(0, c.get(STACK_SHARD_COUNT))
                                            .mapToObj(
                                                    i ->
                                                            "jdbc:postgresql://127.0.0.1:"
                                                                    + (c.get(STACK_PORT_BASE) + i)
                                                                    + "/"
                                                                    + c.get(POSTGRES_DATABASE))
                                            .toList())
                    .withDescription(
                            "JDBC URLs of the shards, comma-separated; the order is the shard number.");

    public static final ConfigOption<String> POSTGRES_USER =
            ConfigOption.key("kb.postgres.user")
                    .stringType()
                    .defaultValue("kb")
                    .withDescription("Database user on every shard.");

    public static final ConfigOption<String> POSTGRES_PASSWORD =
            ConfigOption.key("kb.postgres.password")
                    .stringType()
                    .secret()
                    .withDescription(
                            "Database password; the local stack generates one into .kb/secrets.properties.");

    public static final ConfigOption<Integer> POSTGRES_POOL_SIZE =
            ConfigOption.key("kb.postgres.pool-size")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Connections per shard per process.");

    public static final ConfigOption<Integer> STORE_BUCKETS =
            ConfigOption.key("kb.store.buckets")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "Logical buckets (fixed for the life of the data): bucket = hash(tenant, id)"
                                    + " mod buckets; buckets map to shards.");

    // ---- Redis ------------------------------------------------------------------------------

    public static final ConfigOption<String> REDIS_HOST =
            ConfigOption.key("kb.redis.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Redis host.");

    public static final ConfigOption<Integer> REDIS_PORT =
            ConfigOption.key("kb.redis.port")
                    .intType()
                    .defaultFrom(c -> c.get(STACK_PORT_BASE) + 10)
                    .withDescription("Redis port.");

    public static final ConfigOption<String> REDIS_PASSWORD =
            ConfigOption.key("kb.redis.password")
                    .stringType()
                    .secret()
                    .withDescription(
                            "Redis password (requirepass); the local stack generates one into"
                                    + " .kb/secrets.properties.");

    public static final ConfigOption<java.time.Duration> REDIS_TIMEOUT =
            ConfigOption.key("kb.redis.timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMillis(500))
                    .withDescription(
                            "Connect and read timeout for Redis; searches fall back to the shards"
                                    + " after it.");

    public static final ConfigOption<Integer> REDIS_POOL_SIZE =
            ConfigOption.key("kb.redis.pool-size")
                    .intType()
                    .defaultValue(32)
                    .withDescription("Pooled Redis connections per process.");

    // ---- Kafka ------------------------------------------------------------------------------

    public static final ConfigOption<String> KAFKA_BOOTSTRAP =
            ConfigOption.key("kb.kafka.bootstrap-servers")
                    .stringType()
                    .defaultFrom(c -> "127.0.0.1:" + (c.get(STACK_PORT_BASE) + 20))
                    .withDescription("Kafka bootstrap servers.");

    public static final ConfigOption<String> TOPIC_DOCUMENTS =
            ConfigOption.key("kb.kafka.topic.documents")
                    .stringType()
                    .defaultValue("kb.documents")
                    .withDescription(
                            "Topic of DocumentEvents (upserts and deletes), keyed tenant/docId.");

    public static final ConfigOption<String> TOPIC_STATUS =
            ConfigOption.key("kb.kafka.topic.status")
                    .stringType()
                    .defaultValue("kb.document-status")
                    .withDescription("Topic of DocumentStatus events.");

    public static final ConfigOption<String> TOPIC_DLQ =
            ConfigOption.key("kb.kafka.topic.dlq")
                    .stringType()
                    .defaultValue("kb.documents.dlq")
                    .withDescription(
                            "Dead-letter topic: copies of records that could not be indexed.");

    // ---- API and Flink ports ----------------------------------------------------------------

    public static final ConfigOption<Integer> API_PORT =
            ConfigOption.key("kb.api.port")
                    .intType()
                    .defaultFrom(c -> c.get(STACK_PORT_BASE) + 80)
                    .withDescription("HTTP port of the query API.");

    public static final ConfigOption<Integer> FLINK_WEB_PORT =
            ConfigOption.key("kb.flink.web-port")
                    .intType()
                    .defaultFrom(c -> c.get(STACK_PORT_BASE) + 81)
                    .withDescription("Port of the Flink web UI of the local MiniCluster.");

    /** Every option declared in this class, for env lookup and {@link KbConfig#describe()}. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : KbOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }
}
