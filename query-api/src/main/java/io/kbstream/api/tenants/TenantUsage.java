package io.kbstream.api.tenants;

import io.kbstream.api.http.ApiException;
import io.kbstream.api.http.TenantDirectory;
import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.core.redis.RedisKeys;
import io.kbstream.core.redis.RedisScript;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * What each tenant holds, counted where uploads are acknowledged, so a quota is checked before the
 * 202 and nothing over it reaches Kafka. Redis keeps per tenant the size of every acknowledged
 * document (hash {@code kb:usage:docs:{tenant}}: id → bytes; its length is the document count) and
 * their sum ({@code kb:usage:bytes:{tenant}}); one Lua script checks both quotas and reserves, so
 * concurrent uploads on any number of instances cannot overshoot together. A reservation whose
 * Kafka send fails is given back; an acknowledged delete gives its bytes back.
 *
 * <p>Redis is the API's cache here too: while it does not answer, uploads are not held back (the
 * quota is not enforced rather than every upload failing), and the counts start from zero after a
 * Redis restart without persistence.
 */
public final class TenantUsage {

    /** A tenant's documents and bytes as counted. */
    public record Usage(long documents, long bytes) {}

    /** What an upload reserved: the document's previous size (-1: new), to give it back. */
    public record Reservation(String tenant, String id, long previousBytes, long bytes) {}

    // KEYS docs hash, bytes counter; ARGV id, size, max documents, max bytes.
    // Returns {0|1|2, previous size}: 0 reserved, 1 over the document quota, 2 over the bytes one.
    private static final RedisScript RESERVE =
            new RedisScript(
                    """
            local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
            if old < 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
              return {1, old}
            end
            local size = tonumber(ARGV[2])
            local delta = size - math.max(old, 0)
            local bytes = tonumber(redis.call('GET', KEYS[2]) or '0')
            if delta > 0 and bytes + delta > tonumber(ARGV[4]) then return {2, old} end
            redis.call('HSET', KEYS[1], ARGV[1], size)
            redis.call('INCRBY', KEYS[2], delta)
            return {0, old}
            """);

    // KEYS docs hash, bytes counter; ARGV id, size to restore (-1: remove the document).
    private static final RedisScript RESTORE =
            new RedisScript(
                    """
            local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
            local want = tonumber(ARGV[2])
            if want < 0 then redis.call('HDEL', KEYS[1], ARGV[1])
            else redis.call('HSET', KEYS[1], ARGV[1], want) end
            redis.call('INCRBY', KEYS[2], math.max(want, 0) - math.max(cur, 0))
            return 0
            """);

    private final UnifiedJedis redis;
    private final RedisGuard guard;
    private final TenantDirectory directory;

    public TenantUsage(UnifiedJedis redis, RedisGuard guard, TenantDirectory directory) {
        this.redis = redis;
        this.guard = guard;
        this.directory = directory;
    }

    /**
     * Reserves room for {@code bytes} of document {@code id} (replacing its previous version).
     *
     * @throws ApiException 429 {@code quota_documents} or 413 {@code quota_bytes} when over quota
     */
    public Reservation reserve(String tenant, String id, long bytes) {
        TenantDirectory.Limits limits = directory.limits(tenant);
        List<?> answer =
                guard.call(
                        () ->
                                (List<?>)
                                        RESERVE.run(
                                                redis,
                                                keys(tenant),
                                                List.of(
                                                        id,
                                                        Long.toString(bytes),
                                                        Long.toString(limits.maxDocuments()),
                                                        Long.toString(limits.maxBytes()))),
                        null);
        if (answer == null) {
            return null; // Redis is not answering: not enforced
        }
        long outcome = (Long) answer.get(0);
        long previous = (Long) answer.get(1);
        if (outcome == 1) {
            throw new ApiException(
                    429,
                    "quota_documents",
                    "the tenant holds its quota of "
                            + limits.maxDocuments()
                            + " documents (quota: documents); delete some or ask for more",
                    0);
        }
        if (outcome == 2) {
            throw new ApiException(
                    413,
                    "quota_bytes",
                    "this upload would take the tenant over its quota of "
                            + limits.maxBytes()
                            + " bytes (quota: bytes)",
                    0);
        }
        return new Reservation(tenant, id, previous, bytes);
    }

    /** Gives back a reservation whose upload was not acknowledged. */
    public void cancel(Reservation r) {
        if (r != null) {
            restore(r.tenant(), r.id(), r.previousBytes());
        }
    }

    /** An acknowledged delete: the document no longer counts. */
    public void removed(String tenant, String id) {
        restore(tenant, id, -1);
    }

    /** The tenant's counts (zero when Redis does not answer). */
    public Usage usage(String tenant) {
        return guard.call(
                () -> {
                    long documents = redis.hlen(RedisKeys.usageDocuments(tenant));
                    String bytes = redis.get(RedisKeys.usageBytes(tenant));
                    return new Usage(documents, bytes == null ? 0 : Long.parseLong(bytes));
                },
                new Usage(0, 0));
    }

    private void restore(String tenant, String id, long bytes) {
        guard.call(() -> RESTORE.run(redis, keys(tenant), List.of(id, Long.toString(bytes))), null);
    }

    private static List<String> keys(String tenant) {
        return List.of(RedisKeys.usageDocuments(tenant), RedisKeys.usageBytes(tenant));
    }
}
