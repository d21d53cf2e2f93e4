package io.kbstream.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/** The one JSON mapper of the API: strict parsing, bounded nesting and sizes. */
public final class Json {

    public static final ObjectMapper MAPPER = create();

    private Json() {}

    private static ObjectMapper create() {
        ObjectMapper mapper =
                JsonMapper.builder()
                        .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
                        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                        .build();
        mapper.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder()
                                .maxNestingDepth(64)
                                .maxStringLength(64 * 1024 * 1024)
                                .maxNumberLength(100)
                                .build());
        return mapper;
    }

    /** A request body that must be one JSON object; anything else is a 400. */
    public static JsonNode object(byte[] body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("malformed JSON: " + reason(e));
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        return root;
    }

    /** A short reason for a parse failure, without echoing the input. */
    public static String reason(Exception e) {
        if (e instanceof JsonProcessingException j && j.getOriginalMessage() != null) {
            String msg = j.getOriginalMessage();
            msg = msg.length() > 160 ? msg.substring(0, 160) + "…" : msg;
            return msg.replaceAll("\\p{Cntrl}", "?");
        }
        return "unreadable";
    }
}
