package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link SoakWindows}. */
class SoakWindowsTest {

    private static final long MS = 1_000_000L;

    private static SoakWindows.Sample sample(long start, long millis, boolean failed) {
        return new SoakWindows.Sample(start, millis * MS, failed);
    }

    @Test
    void each_request_of_the_phase_counts_in_the_window_it_was_scheduled_in() {
        Outage outage = Outage.begin(() -> {});
        outage.restart(() -> {});
        long down = outage.killedAt();
        long restarted = outage.restartedAt();
        long phaseStart = down - 10_000 * MS;
        List<SoakWindows.Sample> samples =
                List.of(
                        sample(phaseStart - 1, 900, false), // before the phase: left out
                        sample(down, 5_000, false), // scheduled while the broker was down
                        sample(down, 7, true), // failed: counts as the request timeout
                        sample(restarted, 30, false),
                        sample(restarted + 59_000 * MS, 10, false),
                        sample(restarted + 61_000 * MS, 4, false), // past the minute after
                        sample(phaseStart, 2, false));

        Map<String, Map<String, Object>> windows =
                SoakWindows.of(
                        List.of(new SoakWindows.Fault("kafka", outage)), samples, phaseStart, 10.0);

        assertThat(windows.keySet())
                .containsExactly("1 kafka down", "1 kafka +60 s", "between faults");
        assertThat(windows.get("1 kafka down"))
                .containsEntry("count", 2L)
                .containsEntry("failed", 1L)
                .containsEntry("over2xReference", 2L);
        assertThat((double) windows.get("1 kafka down").get("maxMs"))
                .isGreaterThanOrEqualTo(SoakWorker.FAILED_MICROS / 1000.0 * 0.99);
        assertThat(windows.get("1 kafka +60 s"))
                .containsEntry("count", 2L)
                .containsEntry("failed", 0L)
                .containsEntry("over2xReference", 1L);
        assertThat(windows.get("between faults"))
                .containsEntry("count", 2L)
                .containsEntry("over2xReference", 0L);
        assertThat((double) windows.get("between faults").get("p95Ms")).isBetween(3.9, 4.1);
    }
}
