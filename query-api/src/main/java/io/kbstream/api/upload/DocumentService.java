package io.kbstream.api.upload;

import io.kbstream.api.ApiException;
import io.kbstream.api.search.RedisGuard;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoredDocument;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.EventKeys;
import io.kbstream.schemas.EventType;
import io.kbstream.schemas.StatusJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads and deletes become DocumentEvents on Kafka; a request is acknowledged only after the
 * broker has the event (acks=all, idempotent producer), so nothing acknowledged can be lost. The
 * ACCEPTED status then goes to Redis (and, best effort, to the status topic for live clients); a
 * Redis failure does not fail the upload, since the event is already durable.
 */
public final class DocumentService {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentService.class);

    private final Producer<byte[], byte[]> producer;
    private final String documentsTopic;
    private final String statusTopic;
    private final Duration sendTimeout;
    private final long retryAfterSeconds;
    private final StatusStore statuses;
    private final RedisGuard redis;
    private final ShardedStore store;
    private final VersionClock clock = new VersionClock();
    private final AvroSerde<DocumentEvent> events = AvroSerde.documentEvents();
    private final AvroSerde<DocumentStatus> statusSerde = AvroSerde.documentStatuses();
    private final Timer sendOk;
    private final Timer sendFailed;

    /** What an upload or delete was acknowledged with. */
    public record Accepted(String id, long version) {}

    public DocumentService(
            Producer<byte[], byte[]> producer,
            String documentsTopic,
            String statusTopic,
            Duration sendTimeout,
            Duration retryAfter,
            StatusStore statuses,
            RedisGuard redis,
            ShardedStore store,
            MeterRegistry metrics) {
        this.producer = producer;
        this.documentsTopic = documentsTopic;
        this.statusTopic = statusTopic;
        this.sendTimeout = sendTimeout;
        this.retryAfterSeconds = Math.max(1, retryAfter.toSeconds());
        this.statuses = statuses;
        this.redis = redis;
        this.store = store;
        this.sendOk = sendTimer(metrics, "ok");
        this.sendFailed = sendTimer(metrics, "error");
    }

    private static Timer sendTimer(MeterRegistry metrics, String outcome) {
        return Timer.builder("kb.api.kafka.send")
                .description("Time until Kafka acknowledged a DocumentEvent")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(metrics);
    }

    public Accepted upload(String tenant, Upload upload) {
        Instant now = Instant.now();
        DocumentEvent event =
                DocumentEvent.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setType(EventType.UPSERT)
                        .setTenant(tenant)
                        .setDocumentId(upload.id())
                        .setVersion(clock.next())
                        .setTitle(upload.title())
                        .setContent(ByteBuffer.wrap(upload.content()))
                        .setContentType(upload.contentType())
                        .setMetadata(new LinkedHashMap<>(upload.metadata()))
                        .setUploadedAt(now)
                        .build();
        send(event);
        DocumentStatus accepted =
                DocumentStatus.newBuilder()
                        .setEventId(event.getEventId())
                        .setTenant(tenant)
                        .setDocumentId(upload.id())
                        .setVersion(event.getVersion())
                        .setState(DocumentState.ACCEPTED)
                        .setReason(null)
                        .setChunkCount(0)
                        .setUploadedAt(now)
                        .setUpdatedAt(now)
                        .build();
        recordAccepted(accepted);
        return new Accepted(upload.id(), event.getVersion());
    }

    /** Sends a DELETE for a document the tenant has; 404 if it has none by that id. */
    public Accepted delete(String tenant, String id) {
        if (status(tenant, id).isEmpty()) {
            throw ApiException.notFound("no document '" + id + "'");
        }
        DocumentEvent event =
                DocumentEvent.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setType(EventType.DELETE)
                        .setTenant(tenant)
                        .setDocumentId(id)
                        .setVersion(clock.next())
                        .setUploadedAt(Instant.now())
                        .build();
        send(event);
        return new Accepted(id, event.getVersion());
    }

    /** The latest status: Redis first, then the document's shard. */
    public Optional<Map<String, Object>> status(String tenant, String id) {
        Optional<DocumentStatus> cached =
                redis.call(() -> statuses.get(tenant, id), Optional.empty());
        if (cached.isPresent()) {
            return cached.map(StatusJson::toMap);
        }
        Optional<StoredDocument> doc;
        try {
            doc = store.find(tenant, id);
        } catch (RuntimeException e) {
            throw ApiException.unavailable(
                    "the document's shard is not answering", retryAfterSeconds);
        }
        return doc.map(DocumentService::toMap);
    }

    private static Map<String, Object> toMap(StoredDocument d) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", d.id());
        map.put("tenant", d.tenant());
        map.put("version", d.version());
        map.put("status", d.status());
        map.put("reason", d.reason());
        map.put("chunkCount", d.chunkCount());
        map.put("uploadedAt", d.createdAt() == null ? null : d.createdAt().toString());
        map.put("updatedAt", d.updatedAt() == null ? null : d.updatedAt().toString());
        return map;
    }

    private void send(DocumentEvent event) {
        long start = System.nanoTime();
        try {
            producer.send(
                            new ProducerRecord<>(
                                    documentsTopic, EventKeys.key(event), events.serialize(event)))
                    .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            sendOk.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(start, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            if (e.getCause() instanceof RecordTooLargeException
                    || e instanceof RecordTooLargeException) {
                // the document, not Kafka, is the problem: a 503 would invite endless retries
                throw new ApiException(
                        413,
                        "payload_too_large",
                        "the document is larger than the event log (Kafka) accepts in one record",
                        0);
            }
            throw failed(start, e);
        }
    }

    private ApiException failed(long start, Exception e) {
        sendFailed.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        LOG.warn("Kafka did not acknowledge an event: {}", e.toString());
        return ApiException.unavailable(
                "the event log (Kafka) is not available", retryAfterSeconds);
    }

    private void recordAccepted(DocumentStatus accepted) {
        // the event is durable on Kafka: without Redis the status comes from the job and the shard
        redis.call(() -> statuses.put(accepted), false);
        try {
            producer.send(
                    new ProducerRecord<>(
                            statusTopic, EventKeys.key(accepted), statusSerde.serialize(accepted)));
        } catch (RuntimeException e) {
            LOG.debug("could not publish ACCEPTED: {}", e.toString());
        }
    }
}
