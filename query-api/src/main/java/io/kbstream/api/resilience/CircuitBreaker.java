package io.kbstream.api.resilience;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Skips a dependency that just failed. After a failure the breaker is open: calls are refused, and
 * one call per pause goes through as a probe; the first success closes it. A dead Redis or shard
 * then costs one timeout per pause instead of one per request. A probe that never reports back
 * cannot wedge it: the next pause lets another through.
 */
public final class CircuitBreaker {

    private final long pauseNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextProbeAt = new AtomicLong();
    private volatile boolean open;

    public CircuitBreaker(Duration pause) {
        this(pause, System::nanoTime);
    }

    CircuitBreaker(Duration pause, LongSupplier nanoClock) {
        this.pauseNanos = pause.toNanos();
        this.nanoClock = nanoClock;
    }

    /** True if a call may go now: the breaker is closed, or this call is the pause's probe. */
    public boolean allow() {
        if (!open) {
            return true;
        }
        long now = nanoClock.getAsLong();
        long probeAt = nextProbeAt.get();
        return now - probeAt >= 0 && nextProbeAt.compareAndSet(probeAt, now + pauseNanos);
    }

    public void succeeded() {
        open = false;
    }

    public void failed() {
        nextProbeAt.set(nanoClock.getAsLong() + pauseNanos);
        open = true;
    }

    /**
     * Exports this breaker as a gauge {@code name} with {@code tags}: 1 while calls are skipped,
     * else 0 (the shard and Redis alerts read it).
     */
    public void monitor(MeterRegistry registry, String name, String... tags) {
        Gauge.builder(name, this, b -> b.closed() ? 0 : 1)
                .description("1 while the breaker skips calls after a failure, else 0")
                .tags(tags)
                .register(registry);
    }

    /** False while calls are being skipped after a failure. */
    public boolean closed() {
        return !open;
    }
}
