package io.kbstream.jobs.sink;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.jobs.records.BytesRecord;
import io.kbstream.jobs.records.BytesRecordSerializer;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * A Kafka sink for ready-made event bytes (uploads from files, dead letters). At least once: the
 * readers are idempotent by event id and version. Records may be as large as an upload.
 */
public final class EventLogSink {

    private EventLogSink() {}

    public static KafkaSink<BytesRecord> to(KbConfig config, String topic) {
        return KafkaSink.<BytesRecord>builder()
                .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP))
                .setRecordSerializer(new BytesRecordSerializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setProperty(
                        "max.request.size",
                        Integer.toString(config.get(KafkaOptions.MAX_RECORD_BYTES)))
                .build();
    }
}
