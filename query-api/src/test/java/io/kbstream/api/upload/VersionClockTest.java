package io.kbstream.api.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Tests for {@link VersionClock}. */
class VersionClockTest {

    @Test
    void versions_are_microseconds_and_strictly_increase_on_ties_and_clock_steps_back() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(1_700_000_000L));
        VersionClock clock = new VersionClock(now::get);

        long first = clock.next();
        long tie = clock.next();
        now.set(now.get().minusSeconds(10));
        long back = clock.next();
        now.set(Instant.ofEpochSecond(1_700_000_001L));
        long later = clock.next();

        assertThat(first).isEqualTo(1_700_000_000_000_000L);
        assertThat(tie).isEqualTo(first + 1);
        assertThat(back).isEqualTo(first + 2);
        assertThat(later).isEqualTo(1_700_000_001_000_000L);
    }
}
