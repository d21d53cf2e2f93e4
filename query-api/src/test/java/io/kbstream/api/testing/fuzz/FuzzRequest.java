package io.kbstream.api.testing.fuzz;

import java.nio.charset.StandardCharsets;

/**
 * One generated request. {@code target} is the request-target as written on the wire (path and
 * query, already encoded or deliberately not); {@code authorization} the whole header value or
 * null. When {@code wire} is set the request is those bytes, sent verbatim on a socket (malformed
 * HTTP that no client library would send).
 */
public record FuzzRequest(
        String kind,
        String method,
        String target,
        String authorization,
        String contentType,
        byte[] body,
        byte[] wire) {

    static FuzzRequest http(
            String kind,
            String method,
            String target,
            String authorization,
            String contentType,
            byte[] body) {
        return new FuzzRequest(kind, method, target, authorization, contentType, body, null);
    }

    static FuzzRequest wire(String kind, String bytes) {
        return new FuzzRequest(
                kind, null, null, null, null, null, bytes.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** What a failure message shows: kind, method, target (cut), body size. */
    public String describe() {
        if (wire != null) {
            return kind + " wire: " + cut(new String(wire, StandardCharsets.ISO_8859_1));
        }
        return kind
                + " "
                + method
                + " "
                + cut(target)
                + (body == null ? "" : " (" + body.length + " bytes of " + contentType + ")");
    }

    private static String cut(String s) {
        // test keys are throwaway, but keys never go into reports
        String masked = s.replaceAll("Bearer \\S+", "Bearer ***");
        String c = masked.length() > 160 ? masked.substring(0, 160) + "…" : masked;
        return c.replaceAll("\\p{Cntrl}", "?");
    }
}
