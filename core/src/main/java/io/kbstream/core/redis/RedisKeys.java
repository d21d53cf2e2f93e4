package io.kbstream.core.redis;

/**
 * Every Redis key kb-stream writes, in one place. Tenant and document ids are user input, so keys
 * put them last or length-prefix nothing ambiguous: a tenant id never contains ':' (validated at
 * the API), and document ids come after the tenant.
 */
public final class RedisKeys {

    private RedisKeys() {}

    /** The tenant's index generation: INCR on every committed batch; part of every cache key. */
    public static String generation(String tenant) {
        return "kb:gen:" + tenant;
    }

    /** A document's latest status (hash). */
    public static String status(String tenant, String documentId) {
        return "kb:status:" + tenant + ":" + documentId;
    }

    /**
     * The ids of the tenant's documents that have a status (sorted set, every score 0, so a
     * lexicographic range pages through them in byte order); kept by {@link StatusStore}.
     */
    public static String statusIndex(String tenant) {
        return "kb:statusidx:" + tenant;
    }

    /** A cached query embedding: model + SHA-256 of the query text. */
    public static String queryEmbedding(String model, String sha256) {
        return "kb:qemb:" + model + ":" + sha256;
    }

    /** A cached search response for a tenant at one index generation. */
    public static String search(String tenant, long generation, String sha256) {
        return "kb:search:" + tenant + ":" + generation + ":" + sha256;
    }

    /**
     * How often the tenant's searches were made in one time bucket (sorted set: normalized request
     * → count), read by a starting API instance to warm its cache.
     */
    public static String searchCounts(String tenant, long bucket) {
        return "kb:searches:" + tenant + ":" + bucket;
    }

    /** A tenant's request token bucket, shared by every API instance (hash: tokens, ts). */
    public static String rateBucket(String tenant) {
        return "kb:rate:" + tenant;
    }

    /** The tenant's acknowledged documents and their sizes (hash: id → bytes), for its quotas. */
    public static String usageDocuments(String tenant) {
        return "kb:usage:docs:" + tenant;
    }

    /** The sum of {@link #usageDocuments}' sizes. */
    public static String usageBytes(String tenant) {
        return "kb:usage:bytes:" + tenant;
    }
}
