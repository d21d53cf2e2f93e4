package io.kbstream.api.documents;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.kbstream.api.http.ApiException;
import io.kbstream.api.http.Json;
import io.kbstream.core.extract.ContentTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an upload request into an {@link Upload}: a JSON body {@code {id?, title?, text,
 * contentType?, metadata?}}, a {@code multipart/form-data} body with a {@code file} part and
 * optional {@code id}, {@code title}, {@code contentType} and {@code metadata} (a JSON object)
 * fields, or the document itself as the body, typed by its Content-Type. Bodies are read with a
 * hard byte limit; nothing is parsed beyond the envelope.
 */
public final class UploadParser {

    /** Room for the JSON envelope (escapes, title, metadata) around the document's own bytes. */
    static final int ENVELOPE_BYTES = 256 * 1024;

    /** A raw-body upload's title. */
    public static final String TITLE_HEADER = "X-Kb-Title";

    /** A raw-body upload's metadata: one header per entry, lower-case after the prefix. */
    public static final String META_HEADER_PREFIX = "x-kb-meta-";

    private static final Pattern FILE_NAME = Pattern.compile("filename=\"?([^\";]+)\"?");

    private static final Set<String> JSON_FIELDS =
            Set.of("id", "title", "text", "contentType", "metadata");

    private final int maxContentBytes;

    public UploadParser(int maxContentBytes) {
        this.maxContentBytes = maxContentBytes;
    }

    /** The most bytes the uploaded document itself may have. */
    public int maxContentBytes() {
        return maxContentBytes;
    }

    /**
     * The most bytes a whole upload request may have: the document plus its envelope. (JSON that
     * escapes every character can need more; such uploads get 413 and can use multipart.) This also
     * bounds the memory one upload request can take.
     */
    public long maxRequestBytes() {
        return (long) maxContentBytes + ENVELOPE_BYTES;
    }

    /** Parses the request; {@code pathId} is the id of a PUT, null for a POST. */
    public Upload parse(Context ctx, String pathId) {
        long length = ctx.contentLength();
        if (length > maxRequestBytes()) {
            throw ApiException.tooLarge(maxContentBytes);
        }
        String type = ContentTypes.mediaType(ctx.contentType());
        if (type.equals("application/json")) {
            return fromJson(readBounded(ctx, maxRequestBytes()), pathId);
        }
        if (type.equals("multipart/form-data")) {
            return fromMultipart(ctx, pathId);
        }
        if (ContentTypes.SUPPORTED.contains(type)) {
            return fromRawBody(ctx, pathId, type);
        }
        throw ApiException.unsupportedType(
                "send application/json, multipart/form-data, or the document itself as one of "
                        + new TreeSet<>(ContentTypes.SUPPORTED)
                        + ", not '"
                        + printable(type)
                        + "'");
    }

    Upload fromJson(byte[] body, String pathId) {
        JsonNode root = Json.object(body);
        root.fieldNames()
                .forEachRemaining(
                        f -> {
                            if (!JSON_FIELDS.contains(f)) {
                                throw ApiException.badRequest(
                                        "unknown field '" + printable(f) + "'");
                            }
                        });
        JsonNode text = root.get("text");
        if (text == null || !text.isTextual()) {
            throw ApiException.badRequest("text is required and must be a string");
        }
        byte[] content = text.textValue().getBytes(StandardCharsets.UTF_8);
        if (content.length > maxContentBytes) {
            throw ApiException.tooLarge(maxContentBytes);
        }
        String contentType = optionalString(root, "contentType", "text/plain");
        if (ContentTypes.mediaType(contentType).equals("application/pdf")) {
            throw ApiException.unsupportedType("send PDF files as multipart/form-data");
        }
        return new Upload(
                id(pathId, optionalString(root, "id", null)),
                Validation.title(optionalString(root, "title", null)),
                content,
                Validation.contentType(contentType),
                Metadata.fromJson(root.get("metadata")));
    }

    private Upload fromMultipart(Context ctx, String pathId) {
        UploadedFile file;
        try {
            file = ctx.uploadedFile("file");
        } catch (Exception e) { // Jetty's parser throws IOException undeclared, through Kotlin
            throw tooLarge(e)
                    ? ApiException.tooLarge(maxContentBytes)
                    : ApiException.badRequest("malformed multipart body");
        }
        if (file == null) {
            throw ApiException.badRequest("multipart upload needs a 'file' part");
        }
        if (file.size() > maxContentBytes) {
            throw ApiException.tooLarge(maxContentBytes);
        }
        String contentType = ctx.formParam("contentType");
        if (contentType == null) {
            contentType = typeOf(file);
        }
        String metadata = ctx.formParam("metadata");
        Map<String, String> meta = Map.of();
        if (metadata != null) {
            try {
                meta = Metadata.fromJson(Json.MAPPER.readTree(metadata));
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("metadata is not JSON: " + Json.reason(e));
            }
        }
        String title = ctx.formParam("title");
        return new Upload(
                id(pathId, ctx.formParam("id")),
                Validation.title(title != null ? title : file.filename()),
                read(file),
                Validation.contentType(contentType),
                meta);
    }

    /**
     * The body is the document itself ({@code curl --data-binary @report.pdf -H 'Content-Type:
     * application/pdf'}): its title from {@value #TITLE_HEADER} or the file name of a {@code
     * Content-Disposition} header, its metadata from {@value #META_HEADER_PREFIX}{@code <key>}
     * headers (keys lower-cased: header names have no case).
     */
    private Upload fromRawBody(Context ctx, String pathId, String type) {
        byte[] content = readBounded(ctx, maxContentBytes);
        Map<String, String> meta = new TreeMap<>();
        ctx.headerMap()
                .forEach(
                        (name, value) -> {
                            String lower = name.toLowerCase(Locale.ROOT);
                            if (lower.startsWith(META_HEADER_PREFIX)) {
                                String key = lower.substring(META_HEADER_PREFIX.length());
                                meta.put(Metadata.key(key), Metadata.text("header " + name, value));
                            }
                        });
        if (meta.size() > Metadata.MAX_ENTRIES) {
            throw ApiException.badRequest(
                    "metadata has more than " + Metadata.MAX_ENTRIES + " entries");
        }
        String title = ctx.header(TITLE_HEADER);
        if (title == null) {
            title = fileName(ctx.header("Content-Disposition"));
        }
        return new Upload(
                id(pathId, null),
                Validation.title(title),
                content,
                Validation.contentType(type),
                meta);
    }

    /** The {@code filename} of a Content-Disposition header, or null. */
    static String fileName(String disposition) {
        if (disposition == null) {
            return null;
        }
        Matcher m = FILE_NAME.matcher(disposition);
        return m.find() ? m.group(1).strip() : null;
    }

    /** The part's declared type, or one guessed from the file name when it says nothing useful. */
    static String typeOf(UploadedFile file) {
        String declared = ContentTypes.mediaType(file.contentType());
        if (ContentTypes.SUPPORTED.contains(declared)) {
            return declared;
        }
        return ContentTypes.ofFileName(file.filename()).orElse(declared);
    }

    /** Jetty reports multipart size limits as exceptions saying "exceeds max…". */
    private static boolean tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains("exceeds")) {
                return true;
            }
        }
        return false;
    }

    private String id(String pathId, String bodyId) {
        if (pathId != null) {
            if (bodyId != null && !bodyId.equals(pathId)) {
                throw ApiException.badRequest("the body's id differs from the path's");
            }
            return Validation.documentId(pathId);
        }
        return bodyId == null ? UUID.randomUUID().toString() : Validation.documentId(bodyId);
    }

    private static String optionalString(JsonNode root, String field, String fallback) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field + " must be a string");
        }
        return node.textValue();
    }

    /** The body, refused with 413 beyond {@code limit} bytes. */
    private byte[] readBounded(Context ctx, long limit) {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw ApiException.tooLarge(maxContentBytes);
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body");
        }
    }

    private byte[] read(UploadedFile file) {
        try (InputStream in = file.content()) {
            byte[] bytes = in.readNBytes(maxContentBytes + 1);
            if (bytes.length > maxContentBytes) {
                throw ApiException.tooLarge(maxContentBytes);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** User text for an error message: bounded, without control characters. */
    static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
