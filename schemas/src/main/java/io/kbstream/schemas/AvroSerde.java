package io.kbstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Serializes one record type with Avro single-object encoding: a 2-byte marker, the writer schema's
 * 8-byte fingerprint (CRC-64-AVRO of its parsing canonical form), then the binary body.
 *
 * <p>The decoder knows every released writer schema of the type (loaded from {@code
 * avro-history/<Record>-v1.avsc, -v2, ...} on the classpath) and resolves each to the current
 * reader schema, so records written by older or newer producers decode as long as their schema was
 * released. Anything else (unknown fingerprint, garbage, truncation) is a {@link SchemaException}.
 *
 * <p>Thread-safe (Avro's message codecs keep per-thread buffers) and {@link Serializable}, so a
 * Flink operator may hold one as a field; it is rebuilt from its type after deserialization.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Folder on the classpath with every released schema version. */
    public static final String HISTORY_FOLDER = "avro-history";

    private final Class<T> type;
    private final List<String> extraWriterSchemas;

    private final transient Schema readerSchema;
    private final transient List<Schema> writerSchemas;
    private final transient BinaryMessageEncoder<T> encoder;
    private final transient BinaryMessageDecoder<T> decoder;

    private AvroSerde(Class<T> type, List<String> extraWriterSchemas) {
        this.type = Objects.requireNonNull(type, "type");
        this.extraWriterSchemas = List.copyOf(extraWriterSchemas);
        SpecificData model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        this.writerSchemas = new ArrayList<>(history(readerSchema.getName()));
        for (String json : extraWriterSchemas) {
            writerSchemas.add(new Schema.Parser().parse(json));
        }
        this.encoder = new BinaryMessageEncoder<>(model, readerSchema);
        this.decoder = new BinaryMessageDecoder<>(model, readerSchema);
        // the current schema is always readable, even before it is recorded in the history
        decoder.addSchema(readerSchema);
        for (Schema writer : writerSchemas) {
            decoder.addSchema(writer);
        }
    }

    /** The serde of {@code type}, knowing every released version of its schema. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type, List.of());
    }

    public static AvroSerde<DocumentEvent> documentEvents() {
        return of(DocumentEvent.class);
    }

    public static AvroSerde<DocumentStatus> documentStatuses() {
        return of(DocumentStatus.class);
    }

    /**
     * A copy that also accepts records written with {@code writer} (e.g. a schema not yet released,
     * in a compatibility test).
     */
    public AvroSerde<T> withWriterSchema(Schema writer) {
        List<String> extra = new ArrayList<>(extraWriterSchemas);
        extra.add(writer.toString());
        return new AvroSerde<>(type, extra);
    }

    /** The reader (current) schema. */
    public Schema schema() {
        return readerSchema;
    }

    /** The released schemas found in the history, oldest first, plus any extra writer schemas. */
    public List<Schema> writerSchemas() {
        return List.copyOf(writerSchemas);
    }

    /** The 64-bit fingerprint written in every record's header by this serde. */
    public long fingerprint() {
        return SchemaNormalization.parsingFingerprint64(readerSchema);
    }

    public byte[] serialize(T record) {
        Objects.requireNonNull(record, "record");
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            // e.g. a required field left null: a programming error, but typed for callers
            throw new SchemaException(
                    "cannot serialize " + readerSchema.getName() + ": " + e.getMessage(), e);
        }
    }

    public T deserialize(byte[] bytes) {
        String name = readerSchema.getName();
        if (bytes == null || bytes.length == 0) {
            throw new SchemaException("empty bytes are not a " + name);
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new SchemaException(
                    "unknown writer schema for "
                            + name
                            + " (fingerprint "
                            + fingerprintOf(bytes)
                            + "); known versions: "
                            + writerSchemas.size()
                            + " in "
                            + HISTORY_FOLDER
                            + "/",
                    e);
        } catch (BadHeaderException e) {
            throw new SchemaException(
                    "not an Avro single-object encoded " + name + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // AvroRuntimeException, EOFException, ArrayIndexOutOfBounds... on corrupt bodies
            throw new SchemaException(
                    "corrupt " + name + " record (" + bytes.length + " bytes): " + e, e);
        }
    }

    private static String fingerprintOf(byte[] bytes) {
        if (bytes.length < 10) {
            return "?";
        }
        return String.format(
                "%016x",
                ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
    }

    /** Reads {@code avro-history/<name>-v1.avsc, -v2, ...} until the first missing version. */
    static List<Schema> history(String recordName) {
        List<Schema> schemas = new ArrayList<>();
        ClassLoader loader = AvroSerde.class.getClassLoader();
        for (int v = 1; ; v++) {
            String path = HISTORY_FOLDER + "/" + recordName + "-v" + v + ".avsc";
            try (InputStream in = loader.getResourceAsStream(path)) {
                if (in == null) {
                    break;
                }
                schemas.add(
                        new Schema.Parser()
                                .parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            } catch (AvroRuntimeException e) {
                throw new SchemaException("invalid schema file " + path + ": " + e.getMessage(), e);
            }
        }
        if (schemas.isEmpty()) {
            throw new SchemaException(
                    "no released schema for " + recordName + " under " + HISTORY_FOLDER + "/");
        }
        return schemas;
    }

    private Object readResolve() throws ObjectStreamException {
        return new AvroSerde<>(type, extraWriterSchemas);
    }
}
