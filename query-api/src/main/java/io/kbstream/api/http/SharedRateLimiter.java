package io.kbstream.api.http;

import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.core.redis.RedisKeys;
import io.kbstream.core.redis.RedisScript;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * A tenant's requests/s across every API instance: one token bucket per tenant in Redis, refilled
 * and taken in one Lua script (atomic, with Redis' own clock, so instances' clocks do not matter).
 * When Redis does not answer, each instance falls back to its own bucket ({@link RateLimiter}): the
 * limit then holds per instance rather than not at all.
 */
public final class SharedRateLimiter {

    // KEYS[1] the bucket; ARGV rate/s, burst. Returns 0 (taken) or whole seconds to wait.
    private static final RedisScript SCRIPT =
            new RedisScript(
                    """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
            local tokens = tonumber(b[1])
            local ts = tonumber(b[2])
            if tokens == nil or ts == nil then tokens = burst; ts = now end
            tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000000)
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
            else
              wait = math.max(1, math.ceil((1 - tokens) / rate))
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
            return wait
            """);

    private final UnifiedJedis redis;
    private final RedisGuard guard;
    private final RateLimiter local;

    public SharedRateLimiter(UnifiedJedis redis, RedisGuard guard, RateLimiter local) {
        this.redis = redis;
        this.guard = guard;
        this.local = local;
    }

    /**
     * Takes a token of {@code tenant}'s bucket.
     *
     * @return 0 if allowed, else the whole seconds until a token is available (at least 1)
     */
    public long acquire(String tenant, TenantDirectory.Limits limits) {
        Long wait =
                guard.call(
                        () ->
                                (Long)
                                        SCRIPT.run(
                                                redis,
                                                List.of(RedisKeys.rateBucket(tenant)),
                                                List.of(
                                                        Double.toString(limits.requestsPerSecond()),
                                                        Integer.toString(limits.burst()))),
                        null);
        return wait != null ? wait : local.acquire(tenant);
    }
}
