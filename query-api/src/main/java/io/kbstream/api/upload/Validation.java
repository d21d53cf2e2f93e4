package io.kbstream.api.upload;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.ApiException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Checks on user-supplied ids, titles, content types and metadata; failures are 400 or 415. */
public final class Validation {

    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_TITLE_LENGTH = 1_000;
    public static final int MAX_METADATA_ENTRIES = 64;
    public static final int MAX_METADATA_KEY_LENGTH = 128;
    public static final int MAX_METADATA_VALUE_LENGTH = 4_096;

    /** The formats the indexing job can extract text from. */
    public static final Set<String> CONTENT_TYPES =
            Set.of("text/plain", "text/markdown", "text/html", "application/pdf");

    private Validation() {}

    /** A document id: 1..256 chars, no control characters, no '/' or '\', not '.' or '..'. */
    public static String documentId(String id) {
        if (id == null || id.isEmpty()) {
            throw ApiException.badRequest("id must not be empty");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw ApiException.badRequest("id is longer than " + MAX_ID_LENGTH + " characters");
        }
        if (hasControl(id) || id.indexOf('/') >= 0 || id.indexOf('\\') >= 0) {
            throw ApiException.badRequest("id must not contain control characters, '/' or '\\'");
        }
        if (id.equals(".") || id.equals("..") || id.contains("..")) {
            throw ApiException.badRequest("id must not contain '..'");
        }
        if (!id.equals(id.strip())) {
            throw ApiException.badRequest("id must not start or end with whitespace");
        }
        return id;
    }

    public static String title(String title) {
        if (title == null) {
            return null;
        }
        if (title.length() > MAX_TITLE_LENGTH) {
            throw ApiException.badRequest(
                    "title is longer than " + MAX_TITLE_LENGTH + " characters");
        }
        if (title.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest("title must not contain NUL");
        }
        return title;
    }

    /** The media type without parameters, lower-case, if it is one the pipeline extracts. */
    public static String contentType(String contentType) {
        String base = baseType(contentType);
        if (!CONTENT_TYPES.contains(base)) {
            throw ApiException.unsupportedType(
                    "content type must be one of " + new java.util.TreeSet<>(CONTENT_TYPES));
        }
        return base;
    }

    public static String baseType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase();
    }

    /**
     * Metadata from a JSON object: string, number and boolean values are kept as their text; null,
     * arrays and nested objects are rejected.
     */
    public static Map<String, String> metadata(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        if (node == null || node.isNull() || node.isMissingNode()) {
            return out;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("metadata must be a JSON object");
        }
        if (node.size() > MAX_METADATA_ENTRIES) {
            throw ApiException.badRequest(
                    "metadata has more than " + MAX_METADATA_ENTRIES + " entries");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(metadataKey(e.getKey()), scalar("metadata." + e.getKey(), e.getValue()));
        }
        return out;
    }

    public static String metadataKey(String key) {
        if (key.isEmpty() || key.length() > MAX_METADATA_KEY_LENGTH || hasControl(key)) {
            throw ApiException.badRequest(
                    "metadata keys are 1.."
                            + MAX_METADATA_KEY_LENGTH
                            + " characters without control characters");
        }
        return key;
    }

    /** A JSON string, number or boolean as text; anything else is a 400 naming {@code field}. */
    public static String scalar(String field, JsonNode value) {
        String text;
        if (value.isTextual()) {
            text = value.textValue();
        } else if (value.isNumber() || value.isBoolean()) {
            text = value.asText();
        } else {
            throw ApiException.badRequest(field + " must be a string, number or boolean");
        }
        if (text.length() > MAX_METADATA_VALUE_LENGTH || text.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest(
                    field
                            + " must be at most "
                            + MAX_METADATA_VALUE_LENGTH
                            + " chars, without NUL");
        }
        return text;
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }
}
