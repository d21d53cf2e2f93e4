package io.kbstream.jobs.records;

import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentVersions;
import java.nio.ByteBuffer;
import java.util.HashMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes {@code kb.documents} records. The version of each is taken from its offset ({@link
 * DocumentVersions#ofOffset}), the value the API answered the upload with; what the writer put in
 * the event's version field is not used. It never throws: a record that is not a DocumentEvent
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
        DocumentCommand command = decode(serde, record.key(), record.value(), record.offset());
        command.partition = record.partition();
        out.collect(command);
    }

    /**
     * Decodes one record; undecodable input yields a command with {@code decodeError}.
     *
     * @param offset where the record is in its partition
     */
    public static DocumentCommand decode(
            AvroSerde<DocumentEvent> serde, byte[] key, byte[] value, long offset) {
        DocumentCommand command;
        try {
            if (value == null) {
                throw new IllegalArgumentException("record has no value");
            }
            command = fromEvent(serde.deserialize(value), DocumentVersions.ofOffset(offset));
        } catch (RuntimeException e) {
            command = new DocumentCommand();
            command.decodeError = "undecodable record: " + e.getMessage();
        }
        command.rawKey = key;
        command.rawValue = value;
        return command;
    }

    static DocumentCommand fromEvent(DocumentEvent event, long version) {
        DocumentCommand command = new DocumentCommand();
        command.type = event.getType();
        command.eventId = event.getEventId();
        command.tenant = event.getTenant();
        command.documentId = event.getDocumentId();
        command.version = version;
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
