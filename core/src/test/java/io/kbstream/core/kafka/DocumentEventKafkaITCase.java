package io.kbstream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.testing.LocalStackConfig;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentEvents;
import io.kbstream.schemas.EventKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Tests a DocumentEvent's trip through the local broker with the project's serde. */
class DocumentEventKafkaITCase {

    @Test
    void event_produced_to_documents_topic_is_consumed_back_unchanged() throws Exception {
        KbConfig config = LocalStackConfig.load();
        AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();
        String topic = config.get(KafkaOptions.TOPIC_DOCUMENTS);
        DocumentEvent sent =
                DocumentEvents.upsert(
                        LocalStackConfig.uniqueTenant("kafka-it"),
                        "doc-ü-1",
                        "Grüße",
                        "hello 世界".getBytes(StandardCharsets.UTF_8),
                        "text/plain",
                        Map.of("lang", "de"),
                        Instant.now().truncatedTo(ChronoUnit.MILLIS));

        RecordMetadata written;
        try (KafkaProducer<byte[], byte[]> producer =
                KafkaClients.producer(config, "it-producer")) {
            written =
                    producer.send(
                                    new ProducerRecord<>(
                                            topic, EventKeys.key(sent), serde.serialize(sent)))
                            .get();
        }

        List<DocumentEvent> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.consumer(config, "it-" + UUID.randomUUID())) {
            TopicPartition partition = new TopicPartition(topic, written.partition());
            consumer.assign(List.of(partition));
            consumer.seek(partition, written.offset());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() == written.offset()) {
                        assertThat(new String(record.key(), StandardCharsets.UTF_8))
                                .isEqualTo(sent.getTenant() + "/doc-ü-1");
                        received.add(serde.deserialize(record.value()));
                    }
                }
            }
        }
        assertThat(received).containsExactly(sent);
    }
}
