package io.kbstream.core.tenant;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Publishes tenant tombstones and waits for the indexing job to honour them. The job's Kafka source
 * commits its offsets only when a checkpoint completes, and a checkpoint taken after the tombstone
 * was read holds the cleared state and every write of the tenant's earlier events (the sink flushes
 * before each checkpoint). So once the job's consumer group is past the tombstone, removing the
 * tenant's rows cannot be undone by an event still in flight, and a restore cannot bring the state
 * back.
 */
public final class TenantTombstones {

    private TenantTombstones() {}

    /**
     * Marks where {@code kb.documents} ends now and sends the tenant's tombstone with that mark
     * (keyed by tenant); returns where Kafka stored it. Call it only when no upload of the tenant
     * can be acknowledged any more: every later event of the tenant is taken for a re-created
     * tenant's.
     */
    public static RecordMetadata publish(
            KbConfig config, Producer<byte[], byte[]> producer, String tenant)
            throws InterruptedException {
        Map<TopicPartition, Long> ends =
                KafkaClients.endOffsets(config, config.get(KafkaOptions.TOPIC_DOCUMENTS));
        long[] documentsEnd = new long[ends.size()];
        ends.forEach((tp, end) -> documentsEnd[tp.partition()] = end);
        TenantDeleted event = TenantDeleted.of(tenant, documentsEnd);
        try {
            return producer.send(
                            new ProducerRecord<>(
                                    config.get(KafkaOptions.TOPIC_TENANT_EVENTS),
                                    event.tenant.getBytes(StandardCharsets.UTF_8),
                                    event.toBytes()))
                    .get(
                            config.get(KafkaOptions.SEND_TIMEOUT).toMillis() + 1000,
                            TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish the tenant tombstone: " + e, e);
        }
    }

    /**
     * Every tenant tombstone on {@code kb.tenant-events} now: the whole topic (one small partition)
     * read up to its end offsets with a plain consumer that commits nothing. Tenant → its latest
     * tombstone, whose mark covers every earlier one's. For a replay of {@code kb.documents}, which
     * must know every deletion before it reads the first document (records that are not tombstones
     * are skipped).
     */
    public static Map<String, TenantDeleted> readAll(KbConfig config) {
        String topic = config.get(KafkaOptions.TOPIC_TENANT_EVENTS);
        Map<TopicPartition, Long> ends = KafkaClients.endOffsets(config, topic);
        Map<String, TenantDeleted> deleted = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.consumer(config, "kb-tenant-events-reader-" + UUID.randomUUID())) {
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (ends.entrySet().stream()
                    .anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "cannot read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        TenantDeleted e = TenantDeleted.parse(r.value());
                        deleted.put(e.tenant, e);
                    } catch (IllegalArgumentException notATombstone) {
                        // the job's own reader skips it too
                    }
                }
            }
        }
        return deleted;
    }

    /**
     * Waits until the indexing job's consumer group has committed past {@code tombstone}; false if
     * {@code timeout} passed first (the job is not running or far behind).
     */
    public static boolean awaitApplied(KbConfig config, RecordMetadata tombstone, Duration timeout)
            throws InterruptedException {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaOptions.BOOTSTRAP));
        TopicPartition partition = new TopicPartition(tombstone.topic(), tombstone.partition());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    Map<TopicPartition, OffsetAndMetadata> committed =
                            admin.listConsumerGroupOffsets(
                                            config.get(PipelineOptions.CONSUMER_GROUP))
                                    .partitionsToOffsetAndMetadata()
                                    .get(10, TimeUnit.SECONDS);
                    OffsetAndMetadata at = committed.get(partition);
                    if (at != null && at.offset() > tombstone.offset()) {
                        return true;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // the broker is briefly unreachable: ask again until the deadline
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(200);
            }
        }
    }
}
