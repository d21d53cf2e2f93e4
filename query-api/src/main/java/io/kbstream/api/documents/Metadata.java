package io.kbstream.api.documents;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.http.ApiException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A document's metadata: up to 64 string entries, taken from a JSON object whose values are
 * strings, numbers or booleans (kept as their text). Search filters name the same keys and values,
 * so they are checked by the same rules.
 */
public final class Metadata {

    public static final int MAX_ENTRIES = 64;
    public static final int MAX_KEY_LENGTH = 128;
    public static final int MAX_VALUE_LENGTH = 4_096;

    private Metadata() {}

    /** Metadata from a JSON object; null, arrays and nested objects as values are rejected. */
    public static Map<String, String> fromJson(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        if (node == null || node.isNull() || node.isMissingNode()) {
            return out;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("metadata must be a JSON object");
        }
        if (node.size() > MAX_ENTRIES) {
            throw ApiException.badRequest("metadata has more than " + MAX_ENTRIES + " entries");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(key(e.getKey()), value("metadata." + e.getKey(), e.getValue()));
        }
        return out;
    }

    /** A key: 1..128 characters without control characters. */
    public static String key(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || Validation.hasControl(key)) {
            throw ApiException.badRequest(
                    "metadata keys are 1.."
                            + MAX_KEY_LENGTH
                            + " characters without control characters");
        }
        return key;
    }

    /** A JSON string, number or boolean as text; anything else is a 400 naming {@code field}. */
    public static String value(String field, JsonNode value) {
        String text;
        if (value.isTextual()) {
            text = value.textValue();
        } else if (value.isNumber() || value.isBoolean()) {
            text = value.asText();
        } else {
            throw ApiException.badRequest(field + " must be a string, number or boolean");
        }
        return text(field, text);
    }

    /** A value's text: at most 4,096 characters without NUL; else a 400 naming {@code field}. */
    public static String text(String field, String text) {
        if (text.length() > MAX_VALUE_LENGTH || text.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest(
                    field + " must be at most " + MAX_VALUE_LENGTH + " chars, without NUL");
        }
        return text;
    }
}
