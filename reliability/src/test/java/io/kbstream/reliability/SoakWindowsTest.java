package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakWindowsTest {

    private static final long MS = 1_000_000L;

    private static Ledger.Attempt upload(long start, long millis, int status) {
        return new Ledger.Attempt("d", false, "t", status, 1, false, start, start + millis * MS);
    }

    @Test
    void each_acknowledged_upload_of_the_phase_counts_in_the_window_it_began_in() {
        Outage outage = Outage.begin(() -> {});
        outage.restart(() -> {});
        long down = outage.killedAt();
        long restarted = outage.restartedAt();
        long phaseStart = down - 10_000 * MS;
        List<Ledger.Attempt> attempts =
                List.of(
                        upload(phaseStart - 1, 900, 202), // before the phase: left out
                        upload(down, 5_000, 202), // began while the broker was down
                        upload(down, 7, 503), // not acknowledged: left out
                        upload(restarted, 30, 202),
                        upload(restarted + 59_000 * MS, 10, 202),
                        upload(restarted + 61_000 * MS, 4, 202), // past the minute after
                        upload(phaseStart, 2, 202),
                        new Ledger.Attempt("d", true, null, 202, 2, false, down, down + 80 * MS));

        Map<String, Map<String, Object>> windows =
                SoakWindows.of(
                        List.of(new SoakWindows.Fault("kafka", outage)),
                        SoakWindows.acknowledgedUploads(attempts),
                        phaseStart,
                        10.0);

        assertThat(windows.keySet())
                .containsExactly("1 kafka down", "1 kafka +60 s", "between faults");
        assertThat(windows.get("1 kafka down"))
                .containsEntry("count", 1L)
                .containsEntry("over2xReference", 1L);
        assertThat((double) windows.get("1 kafka down").get("maxMs")).isBetween(4990.0, 5010.0);
        assertThat(windows.get("1 kafka +60 s"))
                .containsEntry("count", 2L)
                .containsEntry("over2xReference", 1L);
        assertThat(windows.get("between faults"))
                .containsEntry("count", 2L)
                .containsEntry("over2xReference", 0L);
        assertThat((double) windows.get("between faults").get("p95Ms")).isBetween(3.9, 4.1);
    }
}
