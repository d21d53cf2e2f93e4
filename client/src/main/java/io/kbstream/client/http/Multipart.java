package io.kbstream.client.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * A multipart/form-data body: text fields and files, the files either in memory or streamed from
 * disk (a job jar of 200 MB is never read into memory). Used for document uploads and for Flink's
 * jar upload.
 */
public final class Multipart {

    private final String boundary = "kb-" + UUID.randomUUID();
    // each element is a byte[] (headers, fields, in-memory files) or a Path (a file to stream)
    private final List<Object> parts = new ArrayList<>();

    public Multipart field(String name, String value) {
        parts.add(head(name, null, null));
        parts.add(value.getBytes(StandardCharsets.UTF_8));
        parts.add(crlf());
        return this;
    }

    public Multipart file(String name, String fileName, String contentType, byte[] content) {
        parts.add(head(name, fileName, contentType));
        parts.add(content.clone());
        parts.add(crlf());
        return this;
    }

    public Multipart file(String name, String fileName, String contentType, Path file) {
        parts.add(head(name, fileName, contentType));
        parts.add(file);
        parts.add(crlf());
        return this;
    }

    /** The Content-Type header value, with the boundary. */
    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    HttpRequest.BodyPublisher publisher() {
        List<Object> all = new ArrayList<>(parts);
        all.add(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        if (all.stream().allMatch(p -> p instanceof byte[])) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            all.forEach(p -> out.writeBytes((byte[]) p));
            return HttpRequest.BodyPublishers.ofByteArray(out.toByteArray());
        }
        return HttpRequest.BodyPublishers.ofInputStream(() -> stream(all));
    }

    private static InputStream stream(List<Object> all) {
        List<InputStream> streams = new ArrayList<>();
        for (Object part : all) {
            if (part instanceof byte[] bytes) {
                streams.add(new ByteArrayInputStream(bytes));
            } else {
                try {
                    streams.add(Files.newInputStream((Path) part));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + part, e);
                }
            }
        }
        return new SequenceInputStream(Collections.enumeration(streams));
    }

    private byte[] head(String name, String fileName, String contentType) {
        StringBuilder h =
                new StringBuilder("--")
                        .append(boundary)
                        .append("\r\nContent-Disposition: form-data; name=\"")
                        .append(quote(name))
                        .append('"');
        if (fileName != null) {
            h.append("; filename=\"").append(quote(fileName)).append('"');
        }
        h.append("\r\n");
        if (contentType != null) {
            h.append("Content-Type: ").append(contentType).append("\r\n");
        }
        return h.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\r\n]", " ");
    }

    private static byte[] crlf() {
        return new byte[] {'\r', '\n'};
    }
}
