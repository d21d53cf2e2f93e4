package io.kbstream.core.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
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

    public static final ConfigOption<Integer> KAFKA_MAX_RECORD_BYTES =
            ConfigOption.key("kb.kafka.max-record-bytes")
                    .intType()
                    .defaultFrom(c -> c.get(KbOptions.API_MAX_UPLOAD_BYTES) + 1024 * 1024)
                    .withDescription(
                            "Largest record kb-stream's producers send and the local broker"
                                    + " accepts: the largest upload plus room for the event's"
                                    + " envelope (Kafka's own default, 1 MiB, is below the upload"
                                    + " limit).");

    public static final ConfigOption<java.time.Duration> KAFKA_SEND_TIMEOUT =
            ConfigOption.key("kb.kafka.send-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(5))
                    .withDescription(
                            "How long a send may take before it fails (the API then answers 503,"
                                    + " never 202).");

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

    // ---- indexing pipeline ------------------------------------------------------------------

    public static final ConfigOption<Integer> PIPELINE_PARALLELISM =
            ConfigOption.key("kb.pipeline.parallelism")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Parallelism of the indexing job (at most the kb.documents partitions).");

    public static final ConfigOption<String> PIPELINE_CONSUMER_GROUP =
            ConfigOption.key("kb.pipeline.consumer-group")
                    .stringType()
                    .defaultValue("kb-indexer")
                    .withDescription(
                            "Kafka consumer group of the indexing job (offsets committed on checkpoint).");

    public static final ConfigOption<Integer> PIPELINE_EMBED_BATCH_SIZE =
            ConfigOption.key("kb.pipeline.embed-batch-size")
                    .intType()
                    .defaultValue(32)
                    .withDescription(
                            "Chunks per embedding call: a micro-batch flushes at this count ...");

    public static final ConfigOption<java.time.Duration> PIPELINE_EMBED_BATCH_TIMEOUT =
            ConfigOption.key("kb.pipeline.embed-batch-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMillis(100))
                    .withDescription(
                            "... or this long after its first chunk arrived, whichever is first.");

    public static final ConfigOption<Integer> PIPELINE_SINK_BATCH_SIZE =
            ConfigOption.key("kb.pipeline.sink-batch-size")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "Documents per shard write: the sink commits at this count ...");

    public static final ConfigOption<java.time.Duration> PIPELINE_SINK_FLUSH_INTERVAL =
            ConfigOption.key("kb.pipeline.sink-flush-interval")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMillis(200))
                    .withDescription("... or at this interval, and always before a checkpoint.");

    public static final ConfigOption<java.time.Duration> PIPELINE_CHECKPOINT_INTERVAL =
            ConfigOption.key("kb.pipeline.checkpoint-interval")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(2))
                    .withDescription("Exactly-once checkpoint interval (RocksDB, incremental).");

    public static final ConfigOption<String> PIPELINE_CHECKPOINT_DIR =
            ConfigOption.key("kb.pipeline.checkpoint-dir")
                    .stringType()
                    .defaultFrom(
                            c ->
                                    java.nio.file.Path.of(
                                                    c.get(STACK_DATA_DIR), "flink", "checkpoints")
                                            .toUri()
                                            .toString())
                    .withDescription("Checkpoint storage URI (file://, s3://, ...).");

    public static final ConfigOption<Integer> PIPELINE_RESTART_ATTEMPTS =
            ConfigOption.key("kb.pipeline.restart-attempts")
                    .intType()
                    .defaultValue(20)
                    .withDescription(
                            "Restarts from the last checkpoint in a row (the count resets after a"
                                    + " minute without failure) before the job gives up.");

    public static final ConfigOption<java.time.Duration> PIPELINE_RESTART_DELAY =
            ConfigOption.key("kb.pipeline.restart-delay")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(2))
                    .withDescription(
                            "First pause between restarts, doubling up to 30 s (a shard or broker may"
                                    + " be coming back).");

    public static final ConfigOption<Integer> PIPELINE_MAX_DOCUMENT_BYTES =
            ConfigOption.key("kb.pipeline.max-document-bytes")
                    .intType()
                    .defaultValue(10 * 1024 * 1024)
                    .withDescription("Larger documents are FAILED (\"too large\"), never indexed.");

    public static final ConfigOption<java.time.Duration> PIPELINE_TOMBSTONE_TTL =
            ConfigOption.key("kb.pipeline.tombstone-ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofDays(7))
                    .withDescription(
                            "How long a delete's version is remembered to drop older, late upserts.");

    public static final ConfigOption<java.time.Duration> STATUS_TTL =
            ConfigOption.key("kb.status.ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofDays(7))
                    .withDescription(
                            "Lifetime of a document status in Redis; the shard stays the record.");

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

    // ---- embedding and chunking -------------------------------------------------------------

    public static final ConfigOption<String> EMBEDDING_MODEL =
            ConfigOption.key("kb.embedding.model")
                    .stringType()
                    .defaultValue("all-minilm-l6-v2")
                    .withDescription(
                            "Embedding model: all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v15,"
                                    + " bge-small-en-v15-q (ONNX, from the langchain4j model jars),"
                                    + " a folder with a TorchScript model and its tokenizer.json, or a"
                                    + " djl:// model-zoo URL already in the local DJL cache.");

    public static final ConfigOption<String> EMBEDDING_CACHE_DIR =
            ConfigOption.key("kb.embedding.cache-dir")
                    .stringType()
                    .defaultFrom(
                            c ->
                                    Path.of(System.getProperty("user.home"), ".cache", "kb-stream")
                                            .resolve("models")
                                            .toString())
                    .withDescription(
                            "Folder the bundled ONNX models and tokenizers are extracted to, once.");

    public static final ConfigOption<Integer> EMBEDDING_MAX_TOKENS =
            ConfigOption.key("kb.embedding.max-tokens")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Model window in tokens (special tokens included); longer texts are"
                                    + " truncated.");

    public static final ConfigOption<Integer> EMBEDDING_BATCH_SIZE =
            ConfigOption.key("kb.embedding.batch-size")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Texts per inference run (one padded tensor); an embed call of more"
                                    + " texts is split into runs spread over the workers. 1 is"
                                    + " fastest on CPU (measured, see benchmark/README.md).");

    public static final ConfigOption<Integer> EMBEDDING_THREADS =
            ConfigOption.key("kb.embedding.threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "ONNX Runtime intra-op threads per inference run; 0 means one per"
                                    + " available processor.");

    public static final ConfigOption<Integer> EMBEDDING_WORKERS =
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

    // ---- store and search -------------------------------------------------------------------

    public static final ConfigOption<java.time.Duration> STORE_SEARCH_TIMEOUT =
            ConfigOption.key("kb.store.search-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(2))
                    .withDescription(
                            "statement_timeout of one search query on one shard, so a slow shard"
                                    + " cannot hang a search.");

    public static final ConfigOption<java.time.Duration> STORE_WRITE_TIMEOUT =
            ConfigOption.key("kb.store.write-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(60))
                    .withDescription(
                            "statement_timeout of every other statement (upserts, deletes, migrations).");

    public static final ConfigOption<java.time.Duration> STORE_CONNECT_TIMEOUT =
            ConfigOption.key("kb.store.connect-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(3))
                    .withDescription(
                            "How long to wait for a pooled connection to a shard before giving up.");

    public static final ConfigOption<Boolean> STORE_MIGRATE_ON_OPEN =
            ConfigOption.key("kb.store.migrate-on-open")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Apply the packaged shard migrations to every shard when the store opens.");

    public static final ConfigOption<Integer> SEARCH_EF_SEARCH =
            ConfigOption.key("kb.search.ef-search")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "HNSW ef_search per shard query: candidates examined (higher: better recall,"
                                    + " slower).");

    // ---- query API --------------------------------------------------------------------------

    public static final ConfigOption<String> API_HOST =
            ConfigOption.key("kb.api.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Address the query API binds to; 0.0.0.0 in a container.");

    public static final ConfigOption<List<String>> API_KEYS =
            ConfigOption.key("kb.api.keys")
                    .listType()
                    .defaultValue(List.of())
                    .secret()
                    .withDescription(
                            "API keys as tenant:sha256hex(key), comma-separated; only hashes, never"
                                    + " the keys themselves.");

    public static final ConfigOption<Integer> API_MAX_UPLOAD_BYTES =
            ConfigOption.key("kb.api.max-upload-bytes")
                    .intType()
                    .defaultValue(10 * 1024 * 1024)
                    .withDescription("Largest document an upload may carry (larger: 413).");

    public static final ConfigOption<Double> API_RATE_LIMIT_PER_SECOND =
            ConfigOption.key("kb.api.rate-limit-per-second")
                    .doubleType()
                    .defaultValue(500.0)
                    .withDescription("Requests per second a tenant may sustain (more: 429).");

    public static final ConfigOption<Integer> API_RATE_LIMIT_BURST =
            ConfigOption.key("kb.api.rate-limit-burst")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Requests a tenant may send at once above its steady rate.");

    public static final ConfigOption<java.time.Duration> API_RETRY_AFTER =
            ConfigOption.key("kb.api.retry-after")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(5))
                    .withDescription("Retry-After sent with 503 when a dependency is down.");

    public static final ConfigOption<Integer> API_CACHE_L1_SIZE =
            ConfigOption.key("kb.api.cache.l1-size")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription("Search responses kept in process (Caffeine, LRU-ish).");

    public static final ConfigOption<java.time.Duration> API_CACHE_L1_TTL =
            ConfigOption.key("kb.api.cache.l1-ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(60))
                    .withDescription(
                            "Lifetime of an in-process search response (keys carry the index"
                                    + " generation, so this bounds memory, not staleness).");

    public static final ConfigOption<java.time.Duration> API_CACHE_L2_TTL =
            ConfigOption.key("kb.api.cache.l2-ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMinutes(10))
                    .withDescription("Lifetime of a search response cached in Redis.");

    public static final ConfigOption<java.time.Duration> API_CACHE_EMBEDDING_TTL =
            ConfigOption.key("kb.api.cache.embedding-ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofDays(1))
                    .withDescription("Lifetime of a cached query embedding in Redis.");

    public static final ConfigOption<java.time.Duration> API_SEARCH_SHARD_TIMEOUT =
            ConfigOption.key("kb.api.search.shard-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMillis(1500))
                    .withDescription(
                            "How long a search waits for each shard; a later shard makes the answer"
                                    + " partial.");

    public static final ConfigOption<java.time.Duration> API_FAILURE_PAUSE =
            ConfigOption.key("kb.api.failure-pause")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(1))
                    .withDescription(
                            "After Redis or a shard fails a call, the API skips it for this long"
                                    + " (one probe call per pause), answering uncached or partial"
                                    + " at once instead of waiting on a dead dependency.");

    public static final ConfigOption<Integer> API_SEARCH_THREADS =
            ConfigOption.key("kb.api.search.threads")
                    .intType()
                    .defaultValue(16)
                    .withDescription("Threads querying shards for searches (bounded queue).");

    public static final ConfigOption<Integer> API_SEARCH_RRF_K =
            ConfigOption.key("kb.api.search.rrf-k")
                    .intType()
                    // 30 with keyword weight 0.2: the best of the offline sweep on SciFact train
                    // (README, Retrieval quality)
                    .defaultValue(30)
                    .withDescription(
                            "Reciprocal rank fusion constant of hybrid search: score = sum 1/(k +"
                                    + " rank).");

    public static final ConfigOption<Double> API_SEARCH_KEYWORD_WEIGHT =
            ConfigOption.key("kb.api.search.keyword-weight")
                    .doubleType()
                    // the keyword ranking (ts_rank_cd, no IDF) is much weaker than the vector one
                    .defaultValue(0.2)
                    .withDescription(
                            "Weight of the keyword list in hybrid fusion (the vector list weighs"
                                    + " 1): score = sum w/(k + rank).");

    public static final ConfigOption<Integer> API_EVENTS_QUEUE_SIZE =
            ConfigOption.key("kb.api.events.queue-size")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Status messages buffered per WebSocket client; a client that falls this"
                                    + " far behind is closed (1013).");

    public static final ConfigOption<java.time.Duration> API_EVENTS_AUTH_TIMEOUT =
            ConfigOption.key("kb.api.events.auth-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(10))
                    .withDescription(
                            "How long a WebSocket may wait before sending its key (1008 after).");

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
