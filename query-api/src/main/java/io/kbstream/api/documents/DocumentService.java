package io.kbstream.api.documents;

import io.kbstream.api.http.ApiException;
import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.api.tenants.TenantUsage;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoredDocument;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentEvents;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.DocumentStatuses;
import io.kbstream.schemas.DocumentVersions;
import io.kbstream.schemas.EventKeys;
import io.kbstream.schemas.StatusJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Uploads and deletes become DocumentEvents on Kafka; a request is acknowledged only after the
 * broker has the event (acks=all, idempotent producer), so nothing acknowledged can be lost. The
 * ACCEPTED status then goes to Redis (and, best effort, to the status topic for live clients); a
 * Redis failure does not fail the upload, since the event is already durable.
 *
 * <p>The version an upload or delete is answered with is where Kafka stored its event ({@link
 * DocumentVersions#ofOffset}): the indexing job reads the same offset with the record, so the 202,
 * the ACCEPTED status and the indexed document carry one version, and a later event of the document
 * (same key, same partition) always has a higher one, whichever instance sent it. The clock only
 * stamps {@code uploadedAt}. A delete goes to the compacted topic as a tombstone ({@link
 * KafkaClients#documentRecord}).
 */
public final class DocumentService {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentService.class);

    private final DocumentSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final StatusStore statuses;
    private final RedisGuard guard;
    private final ShardedStore store;
    private final Clock clock;
    private final AvroSerde<DocumentEvent> events = AvroSerde.documentEvents();
    private final AvroSerde<DocumentStatus> statusSerde = AvroSerde.documentStatuses();
    private final Timer sendOk;
    private final Timer sendFailed;
    private final TenantUsage usage;

    /** What an upload or delete was acknowledged with. */
    public record Accepted(String id, long version) {}

    /**
     * @param redis where statuses are kept; every call goes through {@code guard}
     * @param clock stamps {@code uploadedAt}; versions never depend on it
     */
    public DocumentService(
            DocumentSettings settings,
            Producer<byte[], byte[]> producer,
            UnifiedJedis redis,
            RedisGuard guard,
            ShardedStore store,
            Clock clock,
            MeterRegistry metrics,
            TenantUsage usage) {
        this.settings = settings;
        this.producer = producer;
        this.statuses = new StatusStore(redis, settings.statusTtl());
        this.guard = guard;
        this.store = store;
        this.clock = clock;
        this.usage = usage;
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
        DocumentEvent event =
                DocumentEvents.upsert(
                        tenant,
                        upload.id(),
                        upload.title(),
                        upload.content(),
                        upload.contentType(),
                        upload.metadata(),
                        clock.instant());
        // the quotas are checked (and the room reserved) before Kafka sees anything
        TenantUsage.Reservation reserved =
                usage.reserve(tenant, upload.id(), upload.content().length);
        long version;
        try {
            version = send(event);
        } catch (RuntimeException e) {
            usage.cancel(reserved);
            throw e;
        }
        // "" for no title: this version has none, whatever an earlier one had
        recordAccepted(
                DocumentStatuses.accepted(event, version),
                upload.title() == null ? "" : upload.title());
        return new Accepted(upload.id(), version);
    }

    /** Sends a DELETE for a document the tenant has; 404 if it has none by that id. */
    public Accepted delete(String tenant, String id) {
        if (status(tenant, id).isEmpty()) {
            throw ApiException.notFound("no document '" + id + "'");
        }
        Accepted accepted =
                new Accepted(id, send(DocumentEvents.delete(tenant, id, clock.instant())));
        usage.removed(tenant, id);
        return accepted;
    }

    /** The latest status: Redis first, then the document's shard. */
    public Optional<Map<String, Object>> status(String tenant, String id) {
        Optional<DocumentStatus> cached =
                guard.call(() -> statuses.get(tenant, id), Optional.empty());
        if (cached.isPresent()) {
            return cached.map(StatusJson::toMap);
        }
        Optional<StoredDocument> doc;
        try {
            doc = store.find(tenant, id);
        } catch (RuntimeException e) {
            throw ApiException.unavailable(
                    "the document's shard is not answering", settings.retryAfterSeconds());
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

    /** Sends the event and waits for Kafka's ack; returns the version it got there. */
    private long send(DocumentEvent event) {
        long start = System.nanoTime();
        RecordMetadata stored;
        try {
            stored =
                    producer.send(
                                    KafkaClients.documentRecord(
                                            settings.documentsTopic(), events, event))
                            .get(settings.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
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
        if (!stored.hasOffset()) {
            // only an acks=0 producer is answered without an offset; ours waits for all replicas
            throw failed(start, new IllegalStateException("acknowledged without an offset"));
        }
        sendOk.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return DocumentVersions.ofOffset(stored.offset());
    }

    private ApiException failed(long start, Exception e) {
        sendFailed.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        LOG.warn("Kafka did not acknowledge an event: {}", e.toString());
        return ApiException.unavailable(
                "the event log (Kafka) is not available", settings.retryAfterSeconds());
    }

    private void recordAccepted(DocumentStatus accepted, String title) {
        // the event is durable on Kafka: without Redis the status comes from the job and the shard
        guard.call(() -> statuses.put(accepted, title), false);
        try {
            producer.send(
                    new ProducerRecord<>(
                            settings.statusTopic(),
                            EventKeys.key(accepted),
                            statusSerde.serialize(accepted)));
        } catch (RuntimeException e) {
            LOG.debug("could not publish ACCEPTED: {}", e.toString());
        }
    }
}
