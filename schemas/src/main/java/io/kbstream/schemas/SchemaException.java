package io.kbstream.schemas;

/**
 * Bytes that are not a record this project can read: not single-object encoded, written with a
 * schema whose fingerprint is unknown here, or truncated/corrupt. Consumers treat it as a bad
 * record (dead-letter it), never as a reason to fail.
 */
public class SchemaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SchemaException(String message) {
        super(message);
    }

    public SchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
