package io.kbstream.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Where the faulted phase's slow requests came from: each search and acknowledged upload is put in
 * the window it was scheduled in (a part down, the minute after its restart, or between faults),
 * and each window gets its own count and percentiles. A p95 over the whole phase says only that it
 * rose; this says which fault raised it.
 */
final class SoakWindows {

    /** One fault as the soak injected it. */
    record Fault(String service, Outage outage) {}

    private record Window(String name, long from, long to) {
        boolean holds(long nanos) {
            return nanos >= from && nanos < to;
        }
    }

    private static final long AFTER_RESTART_NANOS = 60_000_000_000L;

    private SoakWindows() {}

    /**
     * One request: its scheduled start and how long it took from there (System.nanoTime values); a
     * failed one counts as {@link SoakWorker#FAILED_MICROS}.
     */
    record Sample(long startNanos, long nanos, boolean failed) {
        long micros() {
            return failed ? SoakWorker.FAILED_MICROS : nanos / 1000;
        }
    }

    /**
     * Per window, from the samples that began at or after {@code phaseStart}: count, failed, p50,
     * p95, max (ms) and how many took more than twice {@code referenceP95Ms}.
     */
    static Map<String, Map<String, Object>> of(
            List<Fault> faults, List<Sample> samples, long phaseStart, double referenceP95Ms) {
        List<Window> windows = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            String name = (i + 1) + " " + f.service();
            windows.add(
                    new Window(name + " down", f.outage().killedAt(), f.outage().restartedAt()));
            windows.add(
                    new Window(
                            name + " +60 s",
                            f.outage().restartedAt(),
                            f.outage().restartedAt() + AFTER_RESTART_NANOS));
        }
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        windows.forEach(w -> histograms.put(w.name(), new Histogram(3)));
        histograms.put("between faults", new Histogram(3));
        Map<String, Long> failed = new LinkedHashMap<>();
        for (Sample sample : samples) {
            if (sample.startNanos() < phaseStart) {
                continue;
            }
            String name =
                    windows.stream()
                            .filter(w -> w.holds(sample.startNanos()))
                            .map(Window::name)
                            .findFirst()
                            .orElse("between faults");
            histograms.get(name).recordValue(sample.micros());
            if (sample.failed()) {
                failed.merge(name, 1L, Long::sum);
            }
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        histograms.forEach(
                (name, h) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("count", h.getTotalCount());
                    row.put("failed", failed.getOrDefault(name, 0L));
                    row.put("p50Ms", millis(h.getValueAtPercentile(50)));
                    row.put("p95Ms", millis(h.getValueAtPercentile(95)));
                    row.put("maxMs", millis(h.getMaxValue()));
                    row.put(
                            "over2xReference",
                            h.getCountBetweenValues(
                                    (long) (2 * referenceP95Ms * 1000) + 1, Long.MAX_VALUE));
                    out.put(name, row);
                });
        return out;
    }

    private static double millis(long micros) {
        return Math.round(micros / 100.0) / 10.0;
    }
}
