package io.kbstream.api.search;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kbstream.core.store.Bm25Query;
import io.kbstream.core.store.Bm25Settings;
import io.kbstream.core.store.Bm25Statistics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Weighs keyword queries with statistics gathered from every shard (see {@link Bm25Statistics}),
 * and remembers the result per tenant index generation: a commit to the tenant's index bumps the
 * generation, so a cached weighting is never used with statistics that have changed since. Only a
 * weighting built from every shard's statistics is remembered.
 */
public final class Bm25Weights {

    /** Weighted queries kept; each is a few lexemes and numbers. */
    static final int CACHE_SIZE = 10_000;

    private final Bm25Settings settings;
    private final Cache<String, Bm25Query> cache;

    public Bm25Weights(Bm25Settings settings, Duration ttl) {
        this.settings = settings;
        this.cache = Caffeine.newBuilder().maximumSize(CACHE_SIZE).expireAfterWrite(ttl).build();
    }

    /** The remembered weighting of {@code query} in this generation, if any. */
    Optional<Bm25Query> cached(String tenant, Long generation, String query) {
        return generation == null
                ? Optional.empty()
                : Optional.ofNullable(cache.getIfPresent(key(tenant, generation, query)));
    }

    /**
     * Weighs {@code query} with the shards' statistics summed; remembered when {@code complete}
     * (every shard answered) and the generation is known.
     */
    Bm25Query weigh(
            String tenant,
            Long generation,
            String query,
            List<Bm25Statistics> shards,
            boolean complete) {
        Bm25Query weighted = Bm25Query.of(Bm25Statistics.sum(shards), settings);
        if (complete && generation != null) {
            cache.put(key(tenant, generation, query), weighted);
        }
        return weighted;
    }

    private static String key(String tenant, long generation, String query) {
        return tenant.length() + ":" + tenant + ":" + generation + ":" + query;
    }
}
