package io.kbstream.api.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token bucket per tenant: {@code ratePerSecond} tokens refill continuously up to {@code burst};
 * each request takes one. Buckets of tenants live as long as the process; tenants come from
 * configured keys, so their number is bounded.
 */
public final class RateLimiter {

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(double ratePerSecond, int burst) {
        this(ratePerSecond, burst, System::nanoTime);
    }

    RateLimiter(double ratePerSecond, int burst, LongSupplier nanoClock) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
        }
        this.ratePerNano = ratePerSecond / TimeUnit.SECONDS.toNanos(1);
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    /**
     * Takes a token for {@code tenant}.
     *
     * @return 0 if allowed, else the whole seconds until a token is available (at least 1)
     */
    public long acquire(String tenant) {
        Bucket bucket =
                buckets.computeIfAbsent(tenant, t -> new Bucket(burst, nanoClock.getAsLong()));
        synchronized (bucket) {
            long now = nanoClock.getAsLong();
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.last) * ratePerNano);
            bucket.last = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            double waitNanos = (1 - bucket.tokens) / ratePerNano;
            return Math.max(1, (long) Math.ceil(waitNanos / TimeUnit.SECONDS.toNanos(1)));
        }
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }
    }
}
