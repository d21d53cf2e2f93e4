package io.kbstream.api.search;

import io.kbstream.api.http.ApiException;
import io.kbstream.api.resilience.BoundedPools;
import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.core.redis.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.Tuple;

/**
 * How often each tenant searched for what, lately: the memory behind the cache warm-up. A search is
 * counted in process (no Redis call on the search path); every {@link #FLUSH_EVERY} and at {@link
 * #close()} the counts are added in Redis to a sorted set per tenant and time bucket ({@link
 * RedisKeys#searchCounts}: normalized request as JSON → count). The window is {@link #BUCKETS}
 * buckets long; a bucket expires when it leaves the window, and is trimmed to the {@code tracked}
 * most frequent requests once it holds twice as many, so Redis holds at most {@code 2 × tracked ×
 * BUCKETS} entries per tenant. {@link #top} sums the buckets of the window.
 */
public final class SearchCounts implements AutoCloseable {

    /** Time buckets in the window: recent enough to age out, few enough to read at start. */
    static final int BUCKETS = 12;

    /** How often an instance adds its counts to Redis; a restart loses at most this much. */
    static final Duration FLUSH_EVERY = Duration.ofSeconds(1);

    private record Counted(String tenant, String request) {}

    private final UnifiedJedis redis;
    private final RedisGuard guard;
    private final Clock clock;
    private final long bucketMillis;
    private final int tracked;
    private final AtomicReference<Map<Counted, LongAdder>> pending =
            new AtomicReference<>(new ConcurrentHashMap<>());
    private final ScheduledExecutorService flusher = BoundedPools.timer("kb-search-counts");

    public SearchCounts(
            UnifiedJedis redis, RedisGuard guard, Clock clock, Duration window, int tracked) {
        this.redis = redis;
        this.guard = guard;
        this.clock = clock;
        this.bucketMillis = Math.max(1, window.toMillis() / BUCKETS);
        this.tracked = tracked;
    }

    /** Starts the periodic flush. */
    public SearchCounts start() {
        long every = FLUSH_EVERY.toMillis();
        flusher.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Counts one search. Between two flushes at most {@code tracked} distinct searches are counted
     * (the rest are not: the counts only rank candidates for the warm-up, and a search frequent
     * enough to matter is seen again in the next interval).
     */
    public void count(String tenant, SearchRequest request) {
        Map<Counted, LongAdder> counts = pending.get();
        Counted key = new Counted(tenant, request.toJson());
        LongAdder adder = counts.get(key);
        if (adder == null) {
            if (counts.size() >= tracked) {
                return;
            }
            adder = counts.computeIfAbsent(key, k -> new LongAdder());
        }
        // a count landing on a map just swapped out by flush() is lost: a heuristic's rounding
        adder.increment();
    }

    /** Adds the counts gathered since the last flush to Redis (best effort: Redis is a cache). */
    public void flush() {
        Map<Counted, LongAdder> counts = pending.getAndSet(new ConcurrentHashMap<>());
        if (counts.isEmpty()) {
            return;
        }
        long bucket = bucket();
        Set<String> keys = new LinkedHashSet<>();
        guard.run(
                () -> {
                    counts.forEach(
                            (counted, adder) -> {
                                String key = RedisKeys.searchCounts(counted.tenant(), bucket);
                                redis.zincrby(key, adder.sum(), counted.request());
                                keys.add(key);
                            });
                    for (String key : keys) {
                        // the bucket leaves the window BUCKETS buckets after it began
                        redis.pexpire(key, bucketMillis * (BUCKETS + 1));
                        if (redis.zcard(key) > 2L * tracked) {
                            redis.zremrangeByRank(key, 0, -(tracked + 1));
                        }
                    }
                });
    }

    /** The tenant's {@code limit} most frequent searches of the window, most frequent first. */
    public List<Ranked> top(String tenant, int limit) {
        long now = bucket();
        Map<String, Double> sums = new HashMap<>();
        for (long b = now - BUCKETS + 1; b <= now; b++) {
            String key = RedisKeys.searchCounts(tenant, b);
            List<Tuple> entries =
                    guard.call(() -> redis.zrevrangeWithScores(key, 0, tracked - 1), List.of());
            for (Tuple t : entries) {
                sums.merge(t.getElement(), t.getScore(), Double::sum);
            }
        }
        List<Ranked> ranked = new ArrayList<>();
        sums.forEach(
                (json, count) -> {
                    try {
                        ranked.add(
                                new Ranked(
                                        tenant,
                                        SearchRequest.fromJson(
                                                json.getBytes(StandardCharsets.UTF_8)),
                                        count));
                    } catch (ApiException e) {
                        // written by a version that took other requests: not worth warming
                    }
                });
        ranked.sort(Comparator.comparingDouble(Ranked::count).reversed());
        return List.copyOf(ranked.subList(0, Math.min(limit, ranked.size())));
    }

    /** A search and how often it was made in the window. */
    public record Ranked(String tenant, SearchRequest request, double count) {}

    private long bucket() {
        return clock.millis() / bucketMillis;
    }

    /** Stops the periodic flush and flushes what is left, so a restart loses no counts. */
    @Override
    public void close() {
        flusher.shutdownNow();
        flush();
    }
}
