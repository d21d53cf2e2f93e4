package io.kbstream.jobs.records;

import io.kbstream.core.tenant.TenantDeleted;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentRecords;
import io.kbstream.schemas.DocumentVersions;
import io.kbstream.schemas.EventKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Decodes {@code kb.documents} records. The version of each is taken from its offset ({@link
 * DocumentVersions#ofOffset}), the value the API answered the upload with; what the writer put in
 * the event's version field is not used. A tombstone (null value) is a delete ({@link
 * DocumentRecords}). It never throws: a record that is not a DocumentEvent becomes a {@link
 * DocumentCommand} carrying the reason and the raw bytes, so one bad record can neither fail nor
 * stall the job.
 */
public final class DocumentEventDeserializer
        implements KafkaRecordDeserializationSchema<DocumentCommand> {

    private static final long serialVersionUID = 1L;

    /** Key prefix ({@code tenant/}) of the only tenant read, or null for all. */
    private final byte[] tenantPrefix;

    /** Tenant → its tombstone: the records it covers are skipped (a replay's; empty live). */
    private final HashMap<String, TenantDeleted> deleted;

    private transient AvroSerde<DocumentEvent> serde;

    /** Every tenant's records. */
    public DocumentEventDeserializer() {
        this(null);
    }

    /**
     * Only {@code tenant}'s records (null: all); the others are skipped by their key, undecoded (a
     * rebuild of one tenant reads the whole log).
     */
    public DocumentEventDeserializer(String tenant) {
        this(tenant, Map.of());
    }

    /**
     * As {@link #DocumentEventDeserializer(String)}, and skips, undecoded, every record of a
     * deleted tenant that its tombstone in {@code deleted} (tenant → tombstone) covers: a replay
     * knows the deletions before it starts, so no order between the tombstones and the documents
     * matters.
     */
    public DocumentEventDeserializer(String tenant, Map<String, TenantDeleted> deleted) {
        this.tenantPrefix = tenant == null ? null : EventKeys.key(tenant, "");
        this.deleted = new HashMap<>(deleted);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<DocumentCommand> out) {
        if (tenantPrefix != null && !hasPrefix(record.key())) {
            return;
        }
        if (!deleted.isEmpty() && coveredByDeletion(record)) {
            return;
        }
        if (serde == null) {
            serde = AvroSerde.documentEvents();
        }
        DocumentCommand command =
                decode(
                        serde,
                        record.key(),
                        record.value(),
                        header(record.headers()),
                        record.offset());
        command.partition = record.partition();
        out.collect(command);
    }

    private boolean coveredByDeletion(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            return false;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        int slash = key.indexOf('/'); // tenant ids cannot contain '/' (EventKeys)
        TenantDeleted deletion = slash < 0 ? null : deleted.get(key.substring(0, slash));
        return deletion != null
                && deletion.covers(record.partition(), DocumentVersions.ofOffset(record.offset()));
    }

    private boolean hasPrefix(byte[] key) {
        return key != null
                && key.length >= tenantPrefix.length
                && Arrays.equals(key, 0, tenantPrefix.length, tenantPrefix, 0, tenantPrefix.length);
    }

    private static Function<String, byte[]> header(Headers headers) {
        return name -> {
            Header h = headers.lastHeader(name);
            return h == null ? null : h.value();
        };
    }

    /**
     * Decodes one record; undecodable input yields a command with {@code decodeError}.
     *
     * @param header the record's header values by name (null when absent): a tombstone's event id
     *     and time
     * @param offset where the record is in its partition
     */
    public static DocumentCommand decode(
            AvroSerde<DocumentEvent> serde,
            byte[] key,
            byte[] value,
            Function<String, byte[]> header,
            long offset) {
        DocumentCommand command;
        try {
            command =
                    fromEvent(
                            DocumentRecords.decode(serde, key, value, header),
                            DocumentVersions.ofOffset(offset));
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
