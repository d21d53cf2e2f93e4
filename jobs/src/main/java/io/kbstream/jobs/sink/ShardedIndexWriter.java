package io.kbstream.jobs.sink;

import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.RedisOptions;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.store.ChunkRow;
import io.kbstream.core.store.IndexedDocument;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.jobs.metrics.JobMetrics;
import io.kbstream.jobs.metrics.JobMetrics.Outcome;
import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.DocumentStatuses;
import io.kbstream.schemas.EventKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;

/** The writer of {@link ShardedIndexSink}: buffers ops and commits them in batches. */
final class ShardedIndexWriter implements SinkWriter<IndexOp> {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedIndexWriter.class);

    private final ShardedStore store;
    private final JedisPooled redis;
    private final StatusStore statuses;
    private final IndexGenerations generations;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroSerde<DocumentStatus> statusSerde = AvroSerde.documentStatuses();
    private final String statusTopic;

    /** The model of a document without chunks (nothing was embedded). */
    private final String defaultModel;

    private final int batchSize;
    private final long flushIntervalMillis;
    private final ProcessingTimeService time;
    private final Map<Outcome, Counter> documents = new EnumMap<>(Outcome.class);
    private final Histogram shardWriteMillis;
    private final Histogram rowsPerTransaction;
    private final Histogram uploadToIndexedMillis;
    private List<IndexOp> buffer = new ArrayList<>();

    ShardedIndexWriter(KbConfig config, ProcessingTimeService time, MetricGroup metrics) {
        this.store = ShardedStore.open(config);
        this.redis = RedisConnections.pooled(config);
        this.statuses = new StatusStore(redis, config.get(RedisOptions.STATUS_TTL));
        this.generations = new IndexGenerations(redis);
        this.producer = KafkaClients.producer(config, "kb-indexer-status");
        this.statusTopic = config.get(KafkaOptions.TOPIC_STATUS);
        this.defaultModel = config.get(EmbeddingOptions.MODEL);
        this.batchSize = config.get(PipelineOptions.SINK_BATCH_SIZE);
        this.flushIntervalMillis = config.get(PipelineOptions.SINK_FLUSH_INTERVAL).toMillis();
        this.time = time;
        for (Outcome outcome : Outcome.values()) {
            documents.put(outcome, JobMetrics.documents(metrics, outcome));
        }
        this.shardWriteMillis = JobMetrics.histogram(metrics, "shard_write_latency_milliseconds");
        this.rowsPerTransaction = JobMetrics.histogram(metrics, "shard_write_rows_per_transaction");
        this.uploadToIndexedMillis =
                JobMetrics.histogram(metrics, "upload_to_indexed_latency_milliseconds");
        scheduleFlush();
    }

    @Override
    public void write(IndexOp op, Context context) {
        buffer.add(op);
        if (buffer.size() >= batchSize) {
            commit();
        }
    }

    /** Called before every checkpoint and at the end of input. */
    @Override
    public void flush(boolean endOfInput) {
        commit();
    }

    private void scheduleFlush() {
        time.registerTimer(
                time.getCurrentProcessingTime() + flushIntervalMillis,
                t -> {
                    commit();
                    scheduleFlush();
                });
    }

    private void commit() {
        if (buffer.isEmpty()) {
            return;
        }
        List<IndexOp> ops = buffer;
        buffer = new ArrayList<>();
        List<IndexedDocument> upserts = new ArrayList<>();
        for (IndexOp op : ops) {
            if (op.kind == IndexOp.Kind.UPSERT) {
                upserts.add(toDocument(op));
            }
        }
        // Postgres first: only what is committed there is ever reported INDEXED.
        long start = System.nanoTime();
        int applied = store.upsert(upserts);
        shardWriteMillis.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        for (IndexOp op : ops) {
            if (op.kind == IndexOp.Kind.DELETE) {
                store.delete(op.tenant, op.documentId, op.version);
            }
        }
        publish(ops);
        measure(ops, upserts, applied);
    }

    /** Outcomes, rows per shard transaction, and each upload's time to its commit. */
    private void measure(List<IndexOp> ops, List<IndexedDocument> upserts, int applied) {
        documents.get(Outcome.INDEXED).inc(applied);
        documents.get(Outcome.STALE).inc(upserts.size() - applied);
        Map<Integer, Integer> rowsByShard = new HashMap<>();
        for (IndexedDocument doc : upserts) {
            rowsByShard.merge(
                    store.shardOf(doc.tenant(), doc.id()), doc.chunks().size(), Integer::sum);
        }
        rowsByShard.values().forEach(rowsPerTransaction::update);
        long now = System.currentTimeMillis();
        for (IndexOp op : ops) {
            switch (op.kind) {
                case UPSERT -> uploadToIndexedMillis.update(Math.max(0, now - op.uploadedAt));
                case DELETE -> documents.get(Outcome.DELETED).inc();
                case STATUS -> {
                    if (op.state == DocumentState.FAILED) {
                        documents.get(Outcome.FAILED).inc();
                    } else if (op.state == DocumentState.INDEXED) {
                        documents.get(Outcome.UNCHANGED).inc();
                    }
                }
            }
        }
    }

    private IndexedDocument toDocument(IndexOp op) {
        List<ChunkRow> rows = new ArrayList<>(op.chunks.length);
        for (ChunkTask c : op.chunks) {
            Map<String, float[]> others = new HashMap<>();
            for (int i = 0; i < c.otherModels.length; i++) {
                others.put(c.otherModels[i], c.otherEmbeddings[i]);
            }
            rows.add(new ChunkRow(c.chunkNo, c.text, c.startChar, c.endChar, c.embedding, others));
        }
        return new IndexedDocument(
                op.tenant,
                op.documentId,
                op.version,
                op.contentHash,
                op.title,
                Map.copyOf(op.metadata),
                op.chunks.length > 0 ? op.chunks[0].model : defaultModel,
                rows);
    }

    /**
     * Redis and the status topic after the commit. Redis is a cache: if it is down the statuses are
     * still on Kafka and in the shard, so a Redis failure is logged, not retried forever.
     */
    private void publish(List<IndexOp> ops) {
        Set<String> changedTenants = new LinkedHashSet<>();
        List<DocumentStatus> events = new ArrayList<>(ops.size());
        for (IndexOp op : ops) {
            switch (op.kind) {
                case UPSERT -> {
                    changedTenants.add(op.tenant);
                    events.add(status(op, DocumentState.INDEXED, null, op.chunkCount));
                }
                case DELETE -> changedTenants.add(op.tenant);
                case STATUS -> events.add(status(op, op.state, op.reason, op.chunkCount));
            }
        }
        try {
            for (String tenant : changedTenants) {
                generations.bump(tenant);
            }
            for (IndexOp op : ops) {
                if (op.kind == IndexOp.Kind.DELETE) {
                    statuses.markDeleted(op.tenant, op.documentId, op.version);
                }
            }
            for (DocumentStatus status : events) {
                statuses.put(status);
            }
        } catch (RuntimeException e) {
            LOG.warn(
                    "Redis unavailable, statuses and cache generations not updated: {}",
                    e.getMessage());
        }
        for (DocumentStatus status : events) {
            producer.send(
                    new ProducerRecord<>(
                            statusTopic, EventKeys.key(status), statusSerde.serialize(status)));
        }
        producer.flush();
    }

    private static DocumentStatus status(
            IndexOp op, DocumentState state, String reason, int chunkCount) {
        return DocumentStatuses.of(
                op.eventId,
                op.tenant,
                op.documentId,
                op.version,
                state,
                reason,
                chunkCount,
                Instant.ofEpochMilli(op.uploadedAt),
                Instant.now());
    }

    @Override
    public void close() throws Exception {
        // No commit here: close also runs on failure; what is buffered is replayed from the
        // checkpoint.
        producer.close();
        redis.close();
        store.close();
    }
}
