package io.kbstream.jobs.records;

import io.kbstream.schemas.EventKeys;
import java.util.HashMap;
import java.util.Map;

/** A valid upsert with its text extracted, or a valid delete (text null). */
public class ParsedDocument {

    public String eventId;
    public boolean delete;
    public String tenant;
    public String documentId;
    public long version;

    /** See {@link DocumentCommand#partition}. */
    public int partition;

    public String title;
    public String text;

    /** SHA-256 of the extracted text and title: equal hash = nothing to re-index. */
    public String contentHash;

    /**
     * Set by the version gate: same content as the live version, so only its status is reported.
     */
    public boolean unchanged;

    public Map<String, String> metadata = new HashMap<>();
    public long uploadedAt;

    public ParsedDocument() {}

    public String documentKey() {
        return EventKeys.documentKey(tenant, documentId);
    }
}
