package io.kbstream.jobs.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbstream.core.extract.ContentTypes;
import io.kbstream.jobs.records.BytesRecord;
import io.kbstream.jobs.records.UploadedFile;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentEvents;
import io.kbstream.schemas.EventKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Turns uploaded files and BEIR corpus lines into encoded DocumentEvents for {@code kb.documents}.
 * Like an API upload, an event gets its version from the log (its offset there): re-importing the
 * same corpus gives newer versions with equal content, which the indexing job skips as unchanged.
 */
public final class ToDocumentEvent {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ToDocumentEvent() {}

    /** A file becomes a document whose id is its path below {@code root}. */
    public static BytesRecord fromFile(
            String tenant, String root, UploadedFile file, AvroSerde<DocumentEvent> serde) {
        String id = file.path.startsWith(root) ? file.path.substring(root.length()) : file.path;
        id = id.replaceFirst("^/+", "");
        String name = id.substring(id.lastIndexOf('/') + 1);
        return encode(
                serde, tenant, id, name, file.content, contentTypeOf(name), Map.of("path", id));
    }

    /** A BEIR {@code corpus.jsonl} line: {@code {"_id", "title", "text", ...}}. */
    public static BytesRecord fromBeirLine(
            String tenant, String line, AvroSerde<DocumentEvent> serde) {
        try {
            JsonNode doc = JSON.readTree(line);
            String id = doc.path("_id").asText("");
            if (id.isEmpty()) {
                throw new IllegalArgumentException("corpus line without _id");
            }
            String title = doc.path("title").asText("");
            byte[] text = doc.path("text").asText("").getBytes(StandardCharsets.UTF_8);
            return encode(
                    serde,
                    tenant,
                    id,
                    title.isEmpty() ? null : title,
                    text,
                    "text/plain",
                    Map.of());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a JSON corpus line: " + e.getMessage(), e);
        }
    }

    /** By extension; anything else is read as plain text (and fails there if it is binary). */
    static String contentTypeOf(String name) {
        return ContentTypes.ofFileName(name).orElse("text/plain");
    }

    private static BytesRecord encode(
            AvroSerde<DocumentEvent> serde,
            String tenant,
            String id,
            String title,
            byte[] content,
            String contentType,
            Map<String, String> metadata) {
        DocumentEvent event =
                DocumentEvents.upsert(
                        tenant, id, title, content, contentType, metadata, Instant.now());
        return new BytesRecord(EventKeys.key(event), serde.serialize(event), null);
    }
}
