package io.kbstream.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The API said no, or did not answer. {@link #status()} is the HTTP status (0: no answer — refused,
 * reset or timed out, with the cause attached); {@link #code()} and {@link #serverMessage()} are
 * the server's {@code {"error": {"code", "message"}}}; {@link #retryAfter()} its Retry-After.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The code of a request that got no answer. */
    public static final String UNREACHABLE = "unreachable";

    private final int status;
    private final String code;
    private final String serverMessage;
    private final Duration retryAfter;

    ApiException(int status, String code, String serverMessage, Duration retryAfter) {
        super(status + " " + code + ": " + serverMessage);
        this.status = status;
        this.code = code;
        this.serverMessage = serverMessage;
        this.retryAfter = retryAfter;
    }

    ApiException(String what, Throwable cause) {
        super("0 " + UNREACHABLE + ": " + what + ": " + cause, cause);
        this.status = 0;
        this.code = UNREACHABLE;
        this.serverMessage = String.valueOf(cause.getMessage());
        this.retryAfter = null;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String serverMessage() {
        return serverMessage;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** No answer at all (status 0). */
    public boolean unreachable() {
        return status == 0;
    }

    /**
     * Worth trying again later: no answer, rate limited (429) or a dependency down (503). Anything
     * else would be refused again.
     */
    public boolean retryable() {
        return status == 0 || status == 429 || status == 503;
    }
}
