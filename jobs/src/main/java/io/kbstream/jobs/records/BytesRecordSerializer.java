package io.kbstream.jobs.records;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a {@link BytesRecord} as is to one topic, with its reason (if any) in a header. */
public final class BytesRecordSerializer implements KafkaRecordSerializationSchema<BytesRecord> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public BytesRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            BytesRecord record, KafkaSinkContext context, Long timestamp) {
        ProducerRecord<byte[], byte[]> out =
                new ProducerRecord<>(topic, null, timestamp, record.key, record.value);
        if (record.reason != null) {
            out.headers().add("kb.reason", record.reason.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }
}
