package io.kbstream.jobs.records;

import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import java.nio.ByteBuffer;
import java.util.HashMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes {@code kb.documents} records. It never throws: a record that is not a DocumentEvent
 * becomes a {@link DocumentCommand} carrying the reason and the raw bytes, so one bad record can
 * neither fail nor stall the job.
 */
public final class DocumentEventDeserializer
        implements KafkaRecordDeserializationSchema<DocumentCommand> {

    private static final long serialVersionUID = 1L;

    private transient AvroSerde<DocumentEvent> serde;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DocumentCommand> out) {
        if (serde == null) {
            serde = AvroSerde.documentEvents();
        }
        out.collect(decode(serde, record.key(), record.value()));
    }

    /** Decodes one record's bytes; undecodable input yields a command with {@code decodeError}. */
    public static DocumentCommand decode(AvroSerde<DocumentEvent> serde, byte[] key, byte[] value) {
        try {
            if (value == null) {
                throw new IllegalArgumentException("record has no value");
            }
            return fromEvent(serde.deserialize(value));
        } catch (RuntimeException e) {
            DocumentCommand bad = new DocumentCommand();
            bad.decodeError = "undecodable record: " + e.getMessage();
            bad.rawKey = key;
            bad.rawValue = value;
            return bad;
        }
    }

    static DocumentCommand fromEvent(DocumentEvent event) {
        DocumentCommand command = new DocumentCommand();
        command.type = event.getType().name();
        command.eventId = event.getEventId();
        command.tenant = event.getTenant();
        command.documentId = event.getDocumentId();
        command.version = event.getVersion();
        command.title = event.getTitle();
        command.contentType = event.getContentType();
        ByteBuffer content = event.getContent();
        if (content != null) {
            byte[] bytes = new byte[content.remaining()];
            content.duplicate().get(bytes);
            command.content = bytes;
        }
        command.metadata = new HashMap<>(event.getMetadata());
        command.uploadedAt = event.getUploadedAt().toEpochMilli();
        return command;
    }

    @Override
    public TypeInformation<DocumentCommand> getProducedType() {
        return TypeInformation.of(DocumentCommand.class);
    }
}
