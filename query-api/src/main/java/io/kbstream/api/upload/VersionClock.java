package io.kbstream.api.upload;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Document versions: microseconds since the epoch, strictly increasing within the process (+1 on a
 * tie or a clock step back). Two API instances may hand out equal versions for the same document in
 * the same microsecond; Kafka's per-key order then decides, which is the order the job applies.
 */
public final class VersionClock {

    private final AtomicLong last = new AtomicLong();
    private final Supplier<Instant> clock;

    public VersionClock() {
        this(Instant::now);
    }

    VersionClock(Supplier<Instant> clock) {
        this.clock = clock;
    }

    public long next() {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, clock.get());
        return last.updateAndGet(prev -> Math.max(prev + 1, now));
    }
}
