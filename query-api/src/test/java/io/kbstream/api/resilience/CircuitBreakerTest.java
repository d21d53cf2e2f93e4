package io.kbstream.api.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final CircuitBreaker breaker = new CircuitBreaker(Duration.ofNanos(100), now::get);

    @Test
    void closed_breaker_lets_every_call_through() {
        assertThat(breaker.allow()).isTrue();
        assertThat(breaker.allow()).isTrue();
        assertThat(breaker.closed()).isTrue();
    }

    @Test
    void after_a_failure_calls_are_refused_until_the_pause_ends_then_one_probe_goes() {
        breaker.failed();

        assertThat(breaker.allow()).isFalse();
        now.addAndGet(99);
        assertThat(breaker.allow()).isFalse();
        now.addAndGet(1);
        assertThat(breaker.allow()).as("the probe").isTrue();
        assertThat(breaker.allow()).as("a second caller while the probe runs").isFalse();
        assertThat(breaker.closed()).isFalse();
    }

    @Test
    void a_successful_probe_closes_it_and_a_failed_one_starts_a_new_pause() {
        breaker.failed();
        now.addAndGet(100);
        assertThat(breaker.allow()).isTrue();
        breaker.failed();
        now.addAndGet(50);
        assertThat(breaker.allow()).isFalse();
        now.addAndGet(50);
        assertThat(breaker.allow()).isTrue();
        breaker.succeeded();

        assertThat(breaker.closed()).isTrue();
        assertThat(breaker.allow()).isTrue();
        assertThat(breaker.allow()).isTrue();
    }

    @Test
    void a_probe_that_never_reports_back_does_not_keep_it_open_forever() {
        breaker.failed();
        now.addAndGet(100);
        assertThat(breaker.allow()).isTrue(); // its caller never reports
        now.addAndGet(100);
        assertThat(breaker.allow()).as("the next pause's probe").isTrue();
    }
}
