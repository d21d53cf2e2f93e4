package io.kbstream.api.resilience;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls Redis as a cache: any failure yields the fallback instead of an error, and a {@link
 * CircuitBreaker} skips Redis for a pause after a failure.
 */
public final class RedisGuard {

    private static final Logger LOG = LoggerFactory.getLogger(RedisGuard.class);

    private final CircuitBreaker breaker;

    public RedisGuard(Duration pause, MeterRegistry metrics) {
        this.breaker = new CircuitBreaker(pause);
        breaker.monitor(metrics, "kb.api.redis.breaker.open");
    }

    public <T> T call(Supplier<T> call, T fallback) {
        if (!breaker.allow()) {
            return fallback;
        }
        try {
            T result = call.get();
            breaker.succeeded();
            return result;
        } catch (RuntimeException e) {
            breaker.failed();
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
}
