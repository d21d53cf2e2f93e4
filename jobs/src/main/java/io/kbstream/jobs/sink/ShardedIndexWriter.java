package io.kbstream.jobs.sink;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.RedisOptions;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.store.ChunkRow;
import io.kbstream.core.store.IndexedDocument;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.EventKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
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
    private final String model;
    private final int batchSize;
    private final long flushIntervalMillis;
    private final ProcessingTimeService time;
    private List<IndexOp> buffer = new ArrayList<>();

    ShardedIndexWriter(KbConfig config, ProcessingTimeService time) {
        this.store = ShardedStore.open(config);
        this.redis = RedisConnections.pooled(config);
        this.statuses = new StatusStore(redis, config.get(RedisOptions.STATUS_TTL));
        this.generations = new IndexGenerations(redis);
        this.producer = KafkaClients.producer(config, "kb-indexer-status");
        this.statusTopic = config.get(KafkaOptions.TOPIC_STATUS);
        this.model = Embedders.shared(config).modelInfo().name();
        this.batchSize = config.get(PipelineOptions.SINK_BATCH_SIZE);
        this.flushIntervalMillis = config.get(PipelineOptions.SINK_FLUSH_INTERVAL).toMillis();
        this.time = time;
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
            if ("UPSERT".equals(op.kind)) {
                upserts.add(toDocument(op));
            }
        }
        // Postgres first: only what is committed there is ever reported INDEXED.
        store.upsert(upserts);
        for (IndexOp op : ops) {
            if ("DELETE".equals(op.kind)) {
                store.delete(op.tenant, op.documentId, op.version);
            }
        }
        publish(ops);
    }

    private IndexedDocument toDocument(IndexOp op) {
        List<ChunkRow> rows = new ArrayList<>(op.chunks.length);
        for (ChunkTask c : op.chunks) {
            rows.add(new ChunkRow(c.chunkNo, c.text, c.startChar, c.endChar, c.embedding));
        }
        return new IndexedDocument(
                op.tenant,
                op.documentId,
                op.version,
                op.contentHash,
                op.title,
                Map.copyOf(op.metadata),
                model,
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
                case "UPSERT" -> {
                    changedTenants.add(op.tenant);
                    events.add(status(op, DocumentState.INDEXED, null, op.chunkCount));
                }
                case "DELETE" -> changedTenants.add(op.tenant);
                default ->
                        events.add(
                                status(
                                        op,
                                        DocumentState.valueOf(op.state),
                                        op.reason,
                                        op.chunkCount));
            }
        }
        try {
            for (String tenant : changedTenants) {
                generations.bump(tenant);
            }
            for (IndexOp op : ops) {
                if ("DELETE".equals(op.kind)) {
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
        return DocumentStatus.newBuilder()
                .setEventId(op.eventId == null ? "" : op.eventId)
                .setTenant(op.tenant)
                .setDocumentId(op.documentId)
                .setVersion(op.version)
                .setState(state)
                .setReason(reason)
                .setChunkCount(chunkCount)
                .setUploadedAt(Instant.ofEpochMilli(op.uploadedAt))
                .setUpdatedAt(Instant.now())
                .build();
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
