package io.kbstream.benchmark.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Search latencies seen by the client, in microseconds, 1 µs to 60 s at 3 significant digits. */
public final class Latencies {

    private final Histogram histogram = new Histogram(1, 60_000_000, 3);

    public synchronized void record(long nanos) {
        histogram.recordValue(Math.max(1, Math.min(60_000_000, nanos / 1_000)));
    }

    public synchronized long count() {
        return histogram.getTotalCount();
    }

    /** Milliseconds at a percentile (0..100). */
    public synchronized double millisAt(double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** count, mean, p50, p95, p99, max (milliseconds). */
    public synchronized Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", histogram.getTotalCount());
        out.put("meanMs", round(histogram.getMean() / 1000.0));
        out.put("p50Ms", round(millisAt(50)));
        out.put("p95Ms", round(millisAt(95)));
        out.put("p99Ms", round(millisAt(99)));
        out.put("maxMs", round(histogram.getMaxValue() / 1000.0));
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
