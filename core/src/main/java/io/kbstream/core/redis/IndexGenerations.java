package io.kbstream.core.redis;

import redis.clients.jedis.UnifiedJedis;

/**
 * A tenant's index generation: a counter bumped after each committed batch. Search cache keys
 * contain it, so a newly indexed document is visible to the very next search with no TTL wait.
 */
public final class IndexGenerations {

    private final UnifiedJedis redis;

    public IndexGenerations(UnifiedJedis redis) {
        this.redis = redis;
    }

    /** Marks the tenant's index as changed; returns the new generation. */
    public long bump(String tenant) {
        return redis.incr(RedisKeys.generation(tenant));
    }

    /** The current generation (0 before the first commit). */
    public long current(String tenant) {
        String value = redis.get(RedisKeys.generation(tenant));
        return value == null ? 0L : Long.parseLong(value);
    }
}
