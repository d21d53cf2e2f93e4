package io.kbstream.api.documents;

import java.util.Map;

/** A validated upload, ready to become a DocumentEvent. */
public record Upload(
        String id, String title, byte[] content, String contentType, Map<String, String> metadata) {

    public Upload {
        metadata = Map.copyOf(metadata);
    }
}
