package io.kbstream.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** JSON helpers for tests. */
public final class Bodies {

    private Bodies() {}

    public static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    public static String quote(String s) {
        try {
            return Json.MAPPER.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A multipart/form-data body; returns it with {@link #BOUNDARY}. */
    public static final String BOUNDARY = "kbtest" + UUID.randomUUID().toString().replace("-", "");

    public static byte[] multipart(
            String filename, String fileContentType, byte[] file, String... fields) {
        StringBuilder head = new StringBuilder();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            head.append("--")
                    .append(BOUNDARY)
                    .append("\r\nContent-Disposition: form-data; name=\"")
                    .append(fields[i])
                    .append("\"\r\n\r\n")
                    .append(fields[i + 1])
                    .append("\r\n");
        }
        head.append("--")
                .append(BOUNDARY)
                .append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"")
                .append(filename)
                .append("\"\r\nContent-Type: ")
                .append(fileContentType)
                .append("\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] t = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + file.length + t.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(file, 0, out, h.length, file.length);
        System.arraycopy(t, 0, out, h.length + file.length, t.length);
        return out;
    }

    public static String multipartType() {
        return "multipart/form-data; boundary=" + BOUNDARY;
    }
}
