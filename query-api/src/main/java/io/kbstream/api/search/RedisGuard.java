package io.kbstream.api.search;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls Redis as a cache: any failure yields the fallback instead of an error, and after a failure
 * Redis is skipped for a short pause so a dead Redis costs one timeout per pause, not one per call.
 */
public final class RedisGuard {

    private static final Logger LOG = LoggerFactory.getLogger(RedisGuard.class);

    private final long pauseNanos;
    private volatile long skipUntil = System.nanoTime();

    public RedisGuard(long pauseMillis) {
        this.pauseNanos = pauseMillis * 1_000_000L;
    }

    public <T> T call(Supplier<T> call, T fallback) {
        if (System.nanoTime() - skipUntil < 0) {
            return fallback;
        }
        try {
            return call.get();
        } catch (RuntimeException e) {
            skipUntil = System.nanoTime() + pauseNanos;
            LOG.warn("Redis call failed, serving without it for a moment: {}", e.toString());
            return fallback;
        }
    }

    public void run(Runnable call) {
        call(
                () -> {
                    call.run();
                    return null;
                },
                null);
    }

    /** False while Redis is being skipped after a failure. */
    public boolean available() {
        return System.nanoTime() - skipUntil >= 0;
    }
}
