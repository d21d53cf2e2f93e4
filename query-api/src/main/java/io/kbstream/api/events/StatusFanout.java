package io.kbstream.api.events;

import io.kbstream.api.http.Json;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.SchemaException;
import io.kbstream.schemas.StatusJson;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer per API instance on the status topic, fanned out to the WebSocket clients of
 * each tenant. It reads every partition from the end as of its start (live notifications, not
 * history), with no group coordination (so no rebalance delay), and hands each status as JSON to
 * the tenant's subscribers; subscribers must not block (they queue and drop themselves when full).
 */
public final class StatusFanout implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusFanout.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final AvroSerde<DocumentStatus> serde = AvroSerde.documentStatuses();
    private final Map<String, Set<Consumer<String>>> subscribers = new ConcurrentHashMap<>();
    private final CountDownLatch positioned = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;

    public StatusFanout(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        this.consumer = consumer;
        this.topic = topic;
        this.thread = new Thread(this::run, "kb-api-status-fanout");
        this.thread.setDaemon(true);
    }

    /** Starts consuming; waits (bounded) until positioned at the end, so later events are seen. */
    public void start(Duration waitForPosition) {
        started = true;
        thread.start();
        try {
            if (!positioned.await(waitForPosition.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("status consumer not positioned after {}; continuing", waitForPosition);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void subscribe(String tenant, Consumer<String> subscriber) {
        subscribers.computeIfAbsent(tenant, t -> ConcurrentHashMap.newKeySet()).add(subscriber);
    }

    public void unsubscribe(String tenant, Consumer<String> subscriber) {
        subscribers.computeIfPresent(
                tenant,
                (t, set) -> {
                    set.remove(subscriber);
                    return set.isEmpty() ? null : set;
                });
    }

    /** The tenants with a subscriber now. */
    public Set<String> tenants() {
        return Set.copyOf(subscribers.keySet());
    }

    /** Hands an event of the API's own (not a status) to the tenant's subscribers. */
    public void publish(String tenant, String json) {
        send(subscribers.get(tenant), json);
    }

    public int subscriberCount() {
        return subscribers.values().stream().mapToInt(Set::size).sum();
    }

    private void run() {
        while (running) {
            try {
                position();
                positioned.countDown();
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        dispatch(r.value());
                    }
                }
            } catch (WakeupException e) {
                // close() asked us to stop
            } catch (RuntimeException e) {
                LOG.warn("status consumer failed, retrying in 1 s: {}", e.toString());
                sleep(1000);
            }
        }
        consumer.close(Duration.ofSeconds(2));
    }

    private void position() {
        if (!consumer.assignment().isEmpty()) {
            return;
        }
        List<TopicPartition> partitions =
                consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // resolve the lazy seek now, so a status written after start() returns is delivered
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
    }

    private void dispatch(byte[] value) {
        DocumentStatus status;
        try {
            status = serde.deserialize(value);
        } catch (SchemaException e) {
            LOG.debug("skipping an unreadable status record: {}", e.getMessage());
            return;
        }
        publish(status.getTenant(), StatusJson.toMap(status));
    }

    /** Sends one JSON message to this instance's subscribers of {@code tenant}. */
    public void publish(String tenant, Map<String, ?> message) {
        Set<Consumer<String>> targets = subscribers.get(tenant);
        if (targets == null || targets.isEmpty()) {
            return;
        }
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(message);
        } catch (Exception e) {
            return;
        }
        send(targets, json);
    }

    private static void send(Set<Consumer<String>> targets, String json) {
        if (targets == null) {
            return;
        }
        for (Consumer<String> target : targets) {
            try {
                target.accept(json);
            } catch (RuntimeException e) {
                LOG.debug("a subscriber failed: {}", e.toString());
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        if (!started) {
            consumer.close(Duration.ofSeconds(2));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
