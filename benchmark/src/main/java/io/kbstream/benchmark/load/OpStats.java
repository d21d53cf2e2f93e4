package io.kbstream.benchmark.load;

import io.kbstream.benchmark.eval.Latencies;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** Latency (HdrHistogram), successes and errors of one kind of request in one phase. */
public final class OpStats {

    private static final int MAX_SAMPLE_ERRORS = 5;

    final Latencies latencies = new Latencies();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong cached = new AtomicLong();
    private final ConcurrentLinkedQueue<String> sampleErrors = new ConcurrentLinkedQueue<>();

    void success(long nanos, boolean wasCached) {
        latencies.record(nanos);
        ok.incrementAndGet();
        if (wasCached) {
            cached.incrementAndGet();
        }
    }

    void error(long nanos, String what) {
        // a failed request's wait counts too: a timeout must not make the percentiles look better
        latencies.record(nanos);
        errors.incrementAndGet();
        if (sampleErrors.size() < MAX_SAMPLE_ERRORS) {
            sampleErrors.add(what.length() > 200 ? what.substring(0, 200) : what);
        }
    }

    public long count() {
        return ok.get() + errors.get();
    }

    public long errors() {
        return errors.get();
    }

    public double errorRate() {
        long n = count();
        return n == 0 ? 0 : errors.get() / (double) n;
    }

    public double millisAt(double percentile) {
        return latencies.count() == 0 ? Double.NaN : latencies.millisAt(percentile);
    }

    public Map<String, Object> summary(double seconds) {
        Map<String, Object> m = new LinkedHashMap<>(latencies.summary());
        m.put("ok", ok.get());
        m.put("errors", errors.get());
        m.put("cachedResponses", cached.get());
        m.put("perSecond", seconds > 0 ? Math.round(ok.get() / seconds * 10) / 10.0 : 0);
        m.put("sampleErrors", sampleErrors.stream().toList());
        return m;
    }
}
