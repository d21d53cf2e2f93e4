package io.kbstream.jobs;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.tenant.TenantDeleted;
import io.kbstream.core.tenant.TenantTombstones;
import io.kbstream.jobs.functions.BatchEmbedOperator;
import io.kbstream.jobs.functions.ChunkFunction;
import io.kbstream.jobs.functions.DeletedTenants;
import io.kbstream.jobs.functions.DocumentAssembler;
import io.kbstream.jobs.functions.ParseDocumentFunction;
import io.kbstream.jobs.functions.VersionGateFunction;
import io.kbstream.jobs.records.AssemblyInput;
import io.kbstream.jobs.records.BytesRecord;
import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.records.DocumentCommand;
import io.kbstream.jobs.records.DocumentEventDeserializer;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.jobs.records.ParsedDocument;
import io.kbstream.jobs.records.TenantEventDeserializer;
import io.kbstream.jobs.sink.EventLogSink;
import io.kbstream.jobs.sink.ShardedIndexSink;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The indexing pipeline: {@code kb.documents} → validate and extract → version gate (RocksDB) →
 * chunk → batched embedding → assemble documents → sharded pgvector + Redis + status events. The
 * source and sinks are injected, so tests run the same pipeline on a bounded source.
 */
public final class IndexingJob {

    /** Operator uids: savepoints map state by them, so they never change. */
    static final String UID_SOURCE = "kb-documents-source";

    static final String UID_PARSE = "parse-documents";
    static final String UID_TENANT_EVENTS = "kb-tenant-events-source";
    static final String UID_GATE = "version-gate";
    static final String UID_CHUNK = "chunk";
    static final String UID_EMBED = "batch-embed";
    static final String UID_TO_ASSEMBLE_CHUNKS = "chunks-to-assemble";
    static final String UID_TO_ASSEMBLE_DELETES = "deletes-to-assemble";
    static final String UID_ASSEMBLE = "assemble-documents";
    static final String UID_FAULT = "fault-injection";
    static final String UID_INDEX_SINK = "sharded-index-sink";
    static final String UID_DLQ_SINK = "dead-letter-sink";

    /** The embedding operator's name, and its job vertex's, which the autoscaling tests watch. */
    public static final String EMBED_NAME = "embed micro-batches";

    private final KbConfig config;
    private final Source<DocumentCommand, ?, ?> source;
    private final Sink<IndexOp> indexSink;
    private final Sink<BytesRecord> deadLetterSink;
    private final MapFunction<IndexOp, IndexOp> beforeSink;

    public IndexingJob(
            KbConfig config,
            Source<DocumentCommand, ?, ?> source,
            Sink<IndexOp> indexSink,
            Sink<BytesRecord> deadLetterSink,
            MapFunction<IndexOp, IndexOp> beforeSink) {
        this.config = config;
        this.source = source;
        this.indexSink = indexSink;
        this.deadLetterSink = deadLetterSink;
        this.beforeSink = beforeSink;
    }

    /**
     * The production wiring: Kafka in (from the group's committed offsets), shards + Redis + Kafka
     * out.
     */
    public static IndexingJob withKafka(KbConfig config) {
        return withKafka(config, OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }

    /**
     * The production wiring, starting where {@code startingOffsets} says when nothing is committed.
     */
    public static IndexingJob withKafka(KbConfig config, OffsetsInitializer startingOffsets) {
        return reading(
                config, kafkaSource(config, new DocumentEventDeserializer(), startingOffsets));
    }

    /**
     * A rebuild: the documents log replayed from its earliest offsets up to {@code until} (then the
     * job ends), {@code tenant}'s records only (null: every tenant's), into the shards of {@code
     * config}. Run it with fresh state and its own consumer group: it is a new index, not the live
     * pipeline resumed.
     *
     * <p>The tenant tombstones are read first, the whole of {@code kb.tenant-events} ({@link
     * TenantTombstones#readAll}), and the records of a deleted tenant they cover are skipped at the
     * source: the job's tombstone source and documents source are not ordered with each other, so
     * without this a deleted tenant's documents could reach the version gate before its tombstone
     * and be indexed again.
     */
    public static IndexingJob replay(KbConfig config, String tenant, OffsetsInitializer until) {
        return reading(
                config,
                kafkaSource(
                                config,
                                new DocumentEventDeserializer(
                                        tenant, TenantTombstones.readAll(config)),
                                OffsetsInitializer.earliest())
                        .setBounded(until));
    }

    private static KafkaSourceBuilder<DocumentCommand> kafkaSource(
            KbConfig config,
            DocumentEventDeserializer deserializer,
            OffsetsInitializer startingOffsets) {
        return KafkaSource.<DocumentCommand>builder()
                .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP))
                .setTopics(config.get(KafkaOptions.TOPIC_DOCUMENTS))
                .setGroupId(config.get(PipelineOptions.CONSUMER_GROUP))
                .setStartingOffsets(startingOffsets)
                .setDeserializer(deserializer)
                .setProperty("commit.offsets.on.checkpoint", "true");
    }

    /** The production sinks behind {@code source}. */
    private static IndexingJob reading(
            KbConfig config, KafkaSourceBuilder<DocumentCommand> source) {
        return new IndexingJob(
                config,
                source.build(),
                new ShardedIndexSink(config),
                deadLetterSink(config),
                op -> op);
    }

    /** The production dead-letter sink: {@code kb.documents.dlq}. */
    public static KafkaSink<BytesRecord> deadLetterSink(KbConfig config) {
        return EventLogSink.to(config, config.get(KafkaOptions.TOPIC_DLQ));
    }

    /**
     * Fills in the Flink settings the cluster leaves unset: parallelism, checkpoints, state backend
     * and restart strategy, from the kb options. What the cluster's configuration already says (a
     * FlinkDeployment's flinkConfiguration and job.parallelism, a standalone cluster's config.yaml,
     * {@code -D} options) is never overridden, so the operator and its autoscaler run and size the
     * job they configured.
     */
    public static void configure(StreamExecutionEnvironment env, KbConfig config) {
        Configuration unset = new Configuration();
        defaults(config)
                .forEach((option, value) -> fillIn(env.getConfiguration(), unset, option, value));
        if (env instanceof LocalStreamEnvironment) {
            // a MiniCluster in this JVM is ours (kb pipeline, tests): Flink defaults its
            // parallelism to the core count, the kb option is what was meant
            unset.set(CoreOptions.DEFAULT_PARALLELISM, config.get(PipelineOptions.PARALLELISM));
        }
        env.configure(unset);
    }

    /** The kb options' Flink settings, each used only where the cluster sets nothing. */
    static Map<ConfigOption<?>, Object> defaults(KbConfig config) {
        Map<ConfigOption<?>, Object> d = new LinkedHashMap<>();
        d.put(CoreOptions.DEFAULT_PARALLELISM, config.get(PipelineOptions.PARALLELISM));
        d.put(StateBackendOptions.STATE_BACKEND, "rocksdb");
        d.put(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        d.put(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                config.get(PipelineOptions.CHECKPOINT_DIR));
        d.put(
                CheckpointingOptions.CHECKPOINTING_INTERVAL,
                config.get(PipelineOptions.CHECKPOINT_INTERVAL));
        d.put(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        d.put(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofMillis(500));
        d.putAll(restartStrategy(config));
        return d;
    }

    @SuppressWarnings("unchecked")
    private static <T> void fillIn(
            ReadableConfig cluster, Configuration unset, ConfigOption<T> option, Object value) {
        // getOptional also finds the option's deprecated and fallback keys (state.checkpoints.dir)
        if (cluster.getOptional(option).isEmpty()) {
            unset.set(option, (T) value);
        }
    }

    /**
     * Exponential back-off between restarts (restart-delay doubling up to 30 s), and the attempt
     * count resets after a minute without failure: a fixed-delay strategy counts every failure of
     * the job's life, so a long-running job would give up after its 20th shard or broker outage.
     */
    private static Map<ConfigOption<?>, Object> restartStrategy(KbConfig config) {
        Map<ConfigOption<?>, Object> restart = new LinkedHashMap<>();
        restart.put(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        restart.put(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                config.get(PipelineOptions.RESTART_DELAY));
        restart.put(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofSeconds(30));
        restart.put(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        restart.put(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofMinutes(1));
        restart.put(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        restart.put(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS,
                config.get(PipelineOptions.RESTART_ATTEMPTS));
        return restart;
    }

    /** Builds the pipeline on {@code env}, top to bottom. */
    public void build(StreamExecutionEnvironment env) {
        DataStream<DocumentCommand> commands =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "kb.documents")
                        .uid(UID_SOURCE)
                        .name("kb.documents");

        SingleOutputStreamOperator<ParsedDocument> parsed =
                commands.process(new ParseDocumentFunction(config))
                        .uid(UID_PARSE)
                        .name("validate and extract");

        // one source, broadcast to both keyed operators that hold a tenant's state
        BroadcastStream<TenantDeleted> tombstones = tenantTombstones(env);

        SingleOutputStreamOperator<ParsedDocument> changed =
                parsed.keyBy(ParsedDocument::documentKey)
                        .connect(tombstones)
                        .process(new VersionGateFunction(config))
                        .uid(UID_GATE)
                        .name("skip unchanged, order versions");

        SingleOutputStreamOperator<ChunkTask> chunked =
                changed.process(new ChunkFunction(config)).uid(UID_CHUNK).name("chunk");

        DataStream<ChunkTask> embedded =
                chunked.rebalance()
                        .transform(
                                EMBED_NAME,
                                TypeInformation.of(ChunkTask.class),
                                new BatchEmbedOperator(config))
                        .uid(UID_EMBED);

        DataStream<AssemblyInput> deletes =
                changed.getSideOutput(VersionGateFunction.IN_ORDER)
                        .map(AssemblyInput::delete)
                        .uid(UID_TO_ASSEMBLE_DELETES)
                        .name("deletes to assemble");
        DataStream<IndexOp> documents =
                embedded.map(AssemblyInput::chunk)
                        .uid(UID_TO_ASSEMBLE_CHUNKS)
                        .name("chunks to assemble")
                        // not chained to the embedding: its vertex keeps the name EMBED_NAME, which
                        // the autoscaling tests look up; one local hop, little next to a model call
                        .startNewChain()
                        .union(deletes)
                        .keyBy(AssemblyInput::documentKey)
                        .connect(tombstones)
                        .process(new DocumentAssembler())
                        .uid(UID_ASSEMBLE)
                        .name("assemble documents, keep order");

        documents
                .union(
                        changed.getSideOutput(VersionGateFunction.STATUSES),
                        chunked.getSideOutput(ChunkFunction.UNCHANGED),
                        parsed.getSideOutput(ParseDocumentFunction.FAILED))
                .map(beforeSink)
                .uid(UID_FAULT)
                .name("before sink")
                .keyBy(IndexOp::documentKey)
                .sinkTo(indexSink)
                .uid(UID_INDEX_SINK)
                .name("shards + redis + status");

        parsed.getSideOutput(ParseDocumentFunction.DEAD_LETTERS)
                .sinkTo(deadLetterSink)
                .uid(UID_DLQ_SINK)
                .name(config.get(KafkaOptions.TOPIC_DLQ));
    }

    /**
     * The tenant tombstones of {@code kb.tenant-events}, broadcast to the version gate and the
     * document assembler. Read from the job's consumer group's committed offsets (earliest when
     * none), so a restored job reads again every tombstone its checkpoint had not seen; bounded
     * like the documents source, so a bounded run still ends.
     */
    private BroadcastStream<TenantDeleted> tenantTombstones(StreamExecutionEnvironment env) {
        String topic = config.get(KafkaOptions.TOPIC_TENANT_EVENTS);
        var events =
                KafkaSource.<TenantDeleted>builder()
                        .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP))
                        .setTopics(topic)
                        .setGroupId(config.get(PipelineOptions.CONSUMER_GROUP))
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(new TenantEventDeserializer())
                        .setProperty("commit.offsets.on.checkpoint", "true");
        if (source.getBoundedness() == Boundedness.BOUNDED) {
            events.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(events.build(), WatermarkStrategy.noWatermarks(), topic)
                .uid(UID_TENANT_EVENTS)
                .name(topic)
                .setParallelism(1)
                .broadcast(DeletedTenants.STATE);
    }

    /** Builds and runs the job on {@code env} (blocking until it ends). */
    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute("kb-stream indexing");
    }

    /**
     * Entry point for {@code flink run} and the Kubernetes operator. Arguments are {@code
     * --kb.some.option=value} pairs overriding the config files and environment.
     */
    public static void main(String[] args) throws Exception {
        KbConfig config = KbConfig.load(JobArgs.parse(args));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, config);
        withKafka(config).execute(env);
    }
}
