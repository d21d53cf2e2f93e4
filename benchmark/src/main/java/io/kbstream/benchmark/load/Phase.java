package io.kbstream.benchmark.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The measured requests of one phase of load. A request is measured when its scheduled time falls
 * inside the phase's window; its latency runs from that scheduled time (not from when it was sent),
 * so a generator or server that falls behind shows as latency instead of hiding (coordinated
 * omission). Each measured request is registered when it is due and counted exactly once: by its
 * answer, or by {@link #close} as an error when it is still unanswered then.
 */
public final class Phase {

    static final String UNFINISHED = "unfinished when the phase closed";

    private final Map<String, OpStats> ops = new ConcurrentHashMap<>();
    private final OpStats all = new OpStats();
    private final OpStats sendLag = new OpStats();
    private final Map<Long, Open> open = new ConcurrentHashMap<>();
    private final AtomicLong unfinished = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;
    double seconds;
    double offeredPerSecond = Double.NaN;
    String stoppedBecause;

    private record Open(long dueNanos, String kind) {}

    /**
     * Registers a request of {@code kind} due at {@code dueNanos}; its id goes to {@link
     * #answered}.
     */
    long due(long dueNanos, String kind) {
        long id = ids.incrementAndGet();
        open.put(id, new Open(dueNanos, kind));
        return id;
    }

    /** How late the generator sent a request against its schedule. */
    void sent(long lagNanos) {
        if (!closed) {
            sendLag.success(Math.max(0, lagNanos), false);
        }
    }

    /** Records the answer of request {@code id}, unless {@link #close} already counted it. */
    void answered(long id, long nowNanos, boolean ok, boolean cached, String error) {
        Open request = open.remove(id);
        if (request == null) {
            return;
        }
        long nanos = nowNanos - request.dueNanos();
        OpStats op = ops.computeIfAbsent(request.kind(), k -> new OpStats());
        if (ok) {
            op.success(nanos, cached);
            all.success(nanos, cached);
        } else {
            op.error(nanos, error);
            all.error(nanos, error);
        }
    }

    /**
     * Closes the phase at {@code nowNanos}: every request still unanswered counts as an error of
     * its kind with the time it has waited so far (a lower bound), and later answers are ignored.
     */
    void close(long nowNanos) {
        closed = true;
        for (Long id : open.keySet()) {
            Open request = open.remove(id);
            if (request != null) {
                unfinished.incrementAndGet();
                long waited = nowNanos - request.dueNanos();
                ops.computeIfAbsent(request.kind(), k -> new OpStats()).error(waited, UNFINISHED);
                all.error(waited, UNFINISHED);
            }
        }
    }

    /** Requests registered and not yet answered. */
    public int open() {
        return open.size();
    }

    public OpStats all() {
        return all;
    }

    /** The requests of one kind ("search", "upload", "status", "live"); empty when none. */
    public OpStats op(String kind) {
        return ops.getOrDefault(kind, new OpStats());
    }

    public OpStats sendLag() {
        return sendLag;
    }

    public long unfinished() {
        return unfinished.get();
    }

    public double seconds() {
        return seconds;
    }

    public String stoppedBecause() {
        return stoppedBecause;
    }

    /** Answered requests (good or not) per second of the window. */
    public double achievedPerSecond() {
        return seconds > 0 ? (all.count() - unfinished.get()) / seconds : 0;
    }

    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", Math.round(seconds * 10) / 10.0);
        if (!Double.isNaN(offeredPerSecond)) {
            m.put("offeredPerSecond", Math.round(offeredPerSecond * 10) / 10.0);
        }
        m.put("achievedPerSecond", Math.round(achievedPerSecond() * 10) / 10.0);
        m.put("errorRate", all.errorRate());
        m.put("unfinished", unfinished.get());
        if (stoppedBecause != null) {
            m.put("stoppedBecause", stoppedBecause);
        }
        m.put("all", all.summary(seconds));
        ops.forEach((k, v) -> m.put(k, v.summary(seconds)));
        m.put("sendLagMs", sendLag.summary(seconds));
        return m;
    }
}
