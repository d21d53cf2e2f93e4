package io.kbstream.core.extract;

import java.util.Objects;

/**
 * A document's text could not be extracted. The message is meant for the uploader (it becomes the
 * reason of the document's FAILED status), so it says what is wrong, not where in our code.
 */
public class ExtractionException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why extraction failed, for metrics and for callers that react differently. */
    public enum Reason {
        /** No extractor for the content type. */
        UNSUPPORTED_TYPE,
        /** The bytes are not a valid document of the declared type. */
        CORRUPT,
        /** The document is encrypted and cannot be opened without a password. */
        ENCRYPTED,
        /** The document is valid but holds no text (e.g. a scanned PDF). */
        NO_TEXT
    }

    private final Reason reason;

    public ExtractionException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public ExtractionException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
