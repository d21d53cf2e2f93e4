package io.kbstream.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Tests for {@link RateLimiter}. */
class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void burst_then_steady_rate_per_tenant() {
        RateLimiter limiter = new RateLimiter(2, 3, now::get);

        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isEqualTo(1);
        assertThat(limiter.acquire("b")).as("own bucket").isZero();

        now.addAndGet(500_000_000L); // half a second: one token at 2/s
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isEqualTo(1);
    }

    @Test
    void retry_after_rounds_up_to_whole_seconds() {
        RateLimiter limiter = new RateLimiter(0.25, 1, now::get);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isEqualTo(4);
    }

    @Test
    void tokens_never_exceed_the_burst() {
        RateLimiter limiter = new RateLimiter(100, 2, now::get);
        limiter.acquire("a");
        now.addAndGet(3_600_000_000_000L);
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isZero();
        assertThat(limiter.acquire("a")).isPositive();
    }
}
