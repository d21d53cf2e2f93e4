package io.kbstream.api.http;

/**
 * A request that cannot be served, with the HTTP status and the stable error code the client sees
 * as {@code {"error": {"code", "message"}}}. Thrown by handlers and services; mapped to the
 * response once, by {@link ErrorMapper}. Messages are shown to the caller: never put secrets or
 * other tenants' data in them.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    public ApiException(int status, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message, 0);
    }

    public static ApiException unauthorized() {
        return new ApiException(
                401, "unauthorized", "missing or invalid API key (Authorization: Bearer <key>)", 0);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message, 0);
    }

    public static ApiException tooLarge(long limitBytes) {
        return new ApiException(
                413, "payload_too_large", "the request is larger than " + limitBytes + " bytes", 0);
    }

    public static ApiException unsupportedType(String message) {
        return new ApiException(415, "unsupported_media_type", message, 0);
    }

    public static ApiException rateLimited(long retryAfterSeconds) {
        return new ApiException(
                429, "rate_limited", "too many requests for this tenant", retryAfterSeconds);
    }

    public static ApiException unavailable(String message, long retryAfterSeconds) {
        return new ApiException(503, "unavailable", message, retryAfterSeconds);
    }

    /** A configured Retry-After as the header's whole seconds, at least 1. */
    public static long retryAfterSeconds(java.time.Duration retryAfter) {
        return Math.max(1, retryAfter.toSeconds());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds for the Retry-After header; 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
