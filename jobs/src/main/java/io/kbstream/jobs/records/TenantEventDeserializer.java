package io.kbstream.jobs.records;

import io.kbstream.core.tenant.TenantDeleted;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes {@code kb.tenant-events} records. A record that is not a tenant tombstone is logged and
 * skipped: a control topic must neither fail the job nor be guessed at.
 */
public final class TenantEventDeserializer
        implements KafkaRecordDeserializationSchema<TenantDeleted> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TenantEventDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TenantDeleted> out) {
        if (record.value() == null) {
            return;
        }
        try {
            out.collect(TenantDeleted.parse(record.value()));
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "skipping record {}@{} of {}: {}",
                    record.partition(),
                    record.offset(),
                    record.topic(),
                    e.getMessage());
        }
    }

    @Override
    public TypeInformation<TenantDeleted> getProducedType() {
        return TypeInformation.of(TenantDeleted.class);
    }
}
