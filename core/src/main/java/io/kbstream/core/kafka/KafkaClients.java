package io.kbstream.core.kafka;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentRecords;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka clients with kb-stream's settings; values are Avro single-object bytes (schemas/). */
public final class KafkaClients {

    private KafkaClients() {}

    /**
     * A durable producer: acks=all and idempotence, so a send that completed is on the broker's log
     * once, and retries never duplicate it.
     */
    public static KafkaProducer<byte[], byte[]> producer(KbConfig config, String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaOptions.BOOTSTRAP));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // A send fails within the send timeout (the API then answers 503); Kafka requires
        // delivery >= linger + request timeout.
        long sendTimeout = config.get(KafkaOptions.SEND_TIMEOUT).toMillis();
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, sendTimeout - 10));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(1011, sendTimeout));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, sendTimeout);
        props.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.get(KafkaOptions.MAX_RECORD_BYTES));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * {@code event} as a record of the documents topic ({@link DocumentRecords}): an upsert's value
     * is the Avro event, a delete is a tombstone whose headers carry its event id and time.
     */
    public static ProducerRecord<byte[], byte[]> documentRecord(
            String topic, AvroSerde<DocumentEvent> serde, DocumentEvent event) {
        DocumentRecords.Encoded encoded = DocumentRecords.encode(serde, event);
        ProducerRecord<byte[], byte[]> record =
                new ProducerRecord<>(topic, encoded.key(), encoded.value());
        encoded.headers().forEach((name, value) -> record.headers().add(name, value));
        return record;
    }

    /** An admin client of the configured brokers. */
    public static Admin admin(KbConfig config) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaOptions.BOOTSTRAP));
        return Admin.create(props);
    }

    /**
     * The current end offset of every partition of {@code topic}: where a reader starts to see only
     * what is written from now on.
     */
    public static Map<TopicPartition, Long> endOffsets(KbConfig config, String topic) {
        try (Admin admin = admin(config)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .forEach(
                            p ->
                                    latest.put(
                                            new TopicPartition(topic, p.partition()),
                                            OffsetSpec.latest()));
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get(10, TimeUnit.SECONDS)
                    .forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "cannot read the end offsets of " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the end offsets of " + topic, e);
        }
    }

    /**
     * A reader that commits nothing (every caller here reads on its own — the API's status fan-out,
     * test probes), so no consumer group is left behind on the broker. It starts from the earliest
     * offset unless the caller seeks.
     */
    public static KafkaConsumer<byte[], byte[]> consumer(KbConfig config, String groupId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaOptions.BOOTSTRAP));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
