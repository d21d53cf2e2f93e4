package io.kbstream.client;

import java.util.Map;
import java.util.Objects;

/**
 * A file to upload as multipart/form-data: its bytes, name and content type (when null the server
 * goes by the file name's extension), with an optional title and string metadata.
 */
public record FileUpload(
        String fileName,
        String contentType,
        byte[] content,
        String title,
        Map<String, String> metadata) {

    public FileUpload {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(content, "content");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static FileUpload of(String fileName, String contentType, byte[] content) {
        return new FileUpload(fileName, contentType, content, null, Map.of());
    }

    public FileUpload title(String title) {
        return new FileUpload(fileName, contentType, content, title, metadata);
    }

    public FileUpload metadata(Map<String, String> metadata) {
        return new FileUpload(fileName, contentType, content, title, metadata);
    }
}
