package io.kbstream.api.search;

import com.fasterxml.jackson.core.type.TypeReference;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kbstream.api.http.Json;
import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.core.redis.RedisKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * Two levels of complete (never partial) search results: L1 in process (Caffeine, bounded in
 * entries and time), L2 in Redis (TTL). Keys are {@link RedisKeys#search(String, long, String)}:
 * tenant, the tenant's index generation and a hash of the request and of the settings that rank it,
 * so a commit to the tenant's index makes every older entry unreachable at once, and an API
 * restarted with another fusion or query instruction never serves answers ranked the old way.
 */
public final class SearchCache {

    private static final TypeReference<List<SearchHit>> HITS = new TypeReference<>() {};

    private final Cache<String, List<SearchHit>> l1;
    private final UnifiedJedis redis;
    private final RedisGuard guard;
    private final long l2TtlMillis;
    private final Counter l1Hit;
    private final Counter l1Miss;
    private final Counter l2Hit;
    private final Counter l2Miss;

    public SearchCache(
            SearchSettings settings, UnifiedJedis redis, RedisGuard guard, MeterRegistry metrics) {
        this.l1 =
                Caffeine.newBuilder()
                        .maximumSize(settings.l1Size())
                        .expireAfterWrite(settings.l1Ttl())
                        .recordStats()
                        .build();
        // Caffeine's own statistics (cache_gets_total, cache_evictions_total, cache_size...)
        CaffeineCacheMetrics.monitor(metrics, l1, "search-l1");
        this.redis = redis;
        this.guard = guard;
        this.l2TtlMillis = settings.l2Ttl().toMillis();
        this.l1Hit = counter(metrics, "l1", "hit");
        this.l1Miss = counter(metrics, "l1", "miss");
        this.l2Hit = counter(metrics, "l2", "hit");
        this.l2Miss = counter(metrics, "l2", "miss");
    }

    private static Counter counter(MeterRegistry metrics, String level, String result) {
        return Counter.builder("kb.api.search.cache")
                .description("Search cache lookups by level and result")
                .tag("level", level)
                .tag("result", result)
                .register(metrics);
    }

    /**
     * The cache key of a request for a tenant at a generation, answered with {@code settings} (a
     * description of everything besides the index and the request that decides the answer).
     */
    public static String key(
            String tenant, long generation, String settings, SearchRequest request) {
        return RedisKeys.search(
                tenant, generation, SearchRequest.sha256(settings + "\n" + request.cacheKey()));
    }

    public Optional<List<SearchHit>> get(String key) {
        List<SearchHit> local = l1.getIfPresent(key);
        if (local != null) {
            l1Hit.increment();
            return Optional.of(local);
        }
        l1Miss.increment();
        String json = guard.call(() -> redis.get(key), null);
        if (json == null) {
            l2Miss.increment();
            return Optional.empty();
        }
        try {
            List<SearchHit> hits = List.copyOf(Json.MAPPER.readValue(json, HITS));
            l2Hit.increment();
            l1.put(key, hits);
            return Optional.of(hits);
        } catch (IOException e) {
            l2Miss.increment();
            return Optional.empty();
        }
    }

    public void put(String key, List<SearchHit> hits) {
        l1.put(key, hits);
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(hits);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        guard.run(() -> redis.set(key, json, SetParams.setParams().px(l2TtlMillis)));
    }
}
