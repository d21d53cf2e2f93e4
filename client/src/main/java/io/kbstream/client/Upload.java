package io.kbstream.client;

import java.util.Map;
import java.util.Objects;

/**
 * A document to upload as JSON: text with an optional title, content type ({@code text/plain},
 * {@code text/markdown}, {@code text/html}) and string metadata. For files (PDF...) see {@link
 * FileUpload}.
 */
public record Upload(String title, String text, String contentType, Map<String, String> metadata) {

    public Upload {
        Objects.requireNonNull(text, "text");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** Plain text without title or metadata. */
    public static Upload text(String text) {
        return new Upload(null, text, null, Map.of());
    }

    public Upload title(String title) {
        return new Upload(title, text, contentType, metadata);
    }

    public Upload contentType(String contentType) {
        return new Upload(title, text, contentType, metadata);
    }

    public Upload metadata(Map<String, String> metadata) {
        return new Upload(title, text, contentType, metadata);
    }
}
