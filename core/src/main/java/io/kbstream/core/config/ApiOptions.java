package io.kbstream.core.config;

import java.util.List;

/**
 * The query API: listener, keys and limits, caches, search fan-out and fusion, WebSocket events.
 */
public final class ApiOptions {

    private ApiOptions() {}

    public static final ConfigOption<Integer> PORT =
            ConfigOption.key("kb.api.port")
                    .intType()
                    .defaultFrom(c -> c.get(StackOptions.PORT_BASE) + 80)
                    .withDescription("HTTP port of the query API.");

    public static final ConfigOption<String> HOST =
            ConfigOption.key("kb.api.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Address the query API binds to; 0.0.0.0 in a container.");

    public static final ConfigOption<List<String>> KEYS =
            ConfigOption.key("kb.api.keys")
                    .listType()
                    .defaultValue(List.of())
                    .secret()
                    .withDescription(
                            "API keys as tenant:sha256hex(key), comma-separated; only hashes, never"
                                    + " the keys themselves.");

    public static final ConfigOption<String> OPERATOR_KEY_HASH =
            ConfigOption.key("kb.api.operator-key-hash")
                    .stringType()
                    .defaultValue("")
                    .secret()
                    .withDescription(
                            "sha256hex of the operator key that guards /admin/v1 (tenants, keys,"
                                    + " quotas); empty: every admin request is answered 401.");

    public static final ConfigOption<java.time.Duration> TENANTS_REFRESH =
            ConfigOption.key("kb.api.tenants.refresh")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(1))
                    .withDescription(
                            "How often an API instance re-reads the tenant catalog (tenants, keys,"
                                    + " quotas) from shard 0; a revoked key is refused by every"
                                    + " instance within this.");

    public static final ConfigOption<java.time.Duration> TENANT_DELETION_JOB_WAIT =
            ConfigOption.key("kb.api.tenants.deletion-job-wait")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMinutes(2))
                    .withDescription(
                            "How long a tenant deletion waits for the indexing job to confirm the"
                                    + " tenant's tombstone (its consumer group committed past it)"
                                    + " before removing the rows; after that it removes them anyway"
                                    + " and says so in its progress (the job drops the tenant's"
                                    + " earlier events whenever it reads the tombstone).");

    public static final ConfigOption<Long> QUOTA_DOCUMENTS =
            ConfigOption.key("kb.api.quota.documents")
                    .longType()
                    .defaultValue(1_000_000L)
                    .withDescription(
                            "Documents a tenant may hold unless the admin API sets its own quota"
                                    + " (an upload of a new document beyond it: 429).");

    public static final ConfigOption<Long> QUOTA_BYTES =
            ConfigOption.key("kb.api.quota.bytes")
                    .longType()
                    .defaultValue(10L * 1024 * 1024 * 1024)
                    .withDescription(
                            "Bytes of uploaded content a tenant may hold unless the admin API sets"
                                    + " its own quota (an upload beyond it: 413).");

    public static final ConfigOption<Integer> MAX_UPLOAD_BYTES =
            ConfigOption.key("kb.api.max-upload-bytes")
                    .intType()
                    .defaultValue(10 * 1024 * 1024)
                    .withDescription("Largest document an upload may carry (larger: 413).");

    public static final ConfigOption<Double> RATE_LIMIT_PER_SECOND =
            ConfigOption.key("kb.api.rate-limit-per-second")
                    .doubleType()
                    .defaultValue(500.0)
                    .withDescription(
                            "Requests per second a tenant may sustain across all API instances"
                                    + " unless the admin API sets its own (more: 429).");

    public static final ConfigOption<Integer> RATE_LIMIT_BURST =
            ConfigOption.key("kb.api.rate-limit-burst")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Requests a tenant may send at once above its steady rate.");

    public static final ConfigOption<java.time.Duration> RETRY_AFTER =
            ConfigOption.key("kb.api.retry-after")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(5))
                    .withDescription("Retry-After sent with 503 when a dependency is down.");

    public static final ConfigOption<Integer> CACHE_L1_SIZE =
            ConfigOption.key("kb.api.cache.l1-size")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription("Search responses kept in process (Caffeine, LRU-ish).");

    public static final ConfigOption<java.time.Duration> CACHE_L1_TTL =
            ConfigOption.key("kb.api.cache.l1-ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(60))
                    .withDescription(
                            "Lifetime of an in-process search response (keys carry the index"
                                    + " generation, so this bounds memory, not staleness).");

    public static final ConfigOption<java.time.Duration> CACHE_L2_TTL =
            ConfigOption.key("kb.api.cache.l2-ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMinutes(10))
                    .withDescription("Lifetime of a search response cached in Redis.");

    public static final ConfigOption<java.time.Duration> CACHE_EMBEDDING_TTL =
            ConfigOption.key("kb.api.cache.embedding-ttl")
                    .durationType()
                    .defaultValue(java.time.Duration.ofDays(1))
                    .withDescription("Lifetime of a cached query embedding in Redis.");

    public static final ConfigOption<Integer> CACHE_WARMUP_QUERIES =
            ConfigOption.key("kb.api.cache.warmup.queries")
                    .intType()
                    .defaultValue(200)
                    .withDescription(
                            "A starting instance runs up to this many of each tenant's most"
                                    + " frequent recent searches into its in-process cache before"
                                    + " it reports ready (0: start cold).");

    public static final ConfigOption<java.time.Duration> CACHE_WARMUP_TIMEOUT =
            ConfigOption.key("kb.api.cache.warmup.timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(20))
                    .withDescription(
                            "Longest a starting instance spends warming its cache; it reports"
                                    + " ready afterwards with what it has.");

    public static final ConfigOption<java.time.Duration> CACHE_WARMUP_WINDOW =
            ConfigOption.key("kb.api.cache.warmup.window")
                    .durationType()
                    .defaultValue(java.time.Duration.ofHours(6))
                    .withDescription(
                            "How far back the search counts behind the warm-up reach: they are kept"
                                    + " in Redis per tenant in 12 time buckets spanning this"
                                    + " window, each expiring when it leaves it.");

    public static final ConfigOption<Integer> CACHE_WARMUP_TRACKED =
            ConfigOption.key("kb.api.cache.warmup.tracked")
                    .intType()
                    .defaultValue(1_000)
                    .withDescription(
                            "Distinct searches counted per tenant and time bucket in Redis (the"
                                    + " least frequent are dropped beyond twice this), and per"
                                    + " instance between two flushes of its counts.");

    public static final ConfigOption<java.time.Duration> SEARCH_SHARD_TIMEOUT =
            ConfigOption.key("kb.api.search.shard-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofMillis(1500))
                    .withDescription(
                            "How long a search waits for each shard; a later shard makes the answer"
                                    + " partial.");

    public static final ConfigOption<java.time.Duration> FAILURE_PAUSE =
            ConfigOption.key("kb.api.failure-pause")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(1))
                    .withDescription(
                            "After Redis or a shard fails a call, the API skips it for this long"
                                    + " (one probe call per pause), answering uncached or partial"
                                    + " at once instead of waiting on a dead dependency.");

    public static final ConfigOption<Integer> SEARCH_THREADS =
            ConfigOption.key("kb.api.search.threads")
                    .intType()
                    .defaultValue(16)
                    .withDescription("Threads querying shards for searches (bounded queue).");

    /** How hybrid search fuses the vector and the keyword list. */
    public enum FusionMethod {
        /** Reciprocal rank fusion: (1-w)/(k + vector rank) + w/(k + keyword rank). */
        RRF,
        /** Convex combination of min-max normalised scores: (1-w)·vector + w·keyword. */
        CONVEX
    }

    // Fusion defaults chosen by 5-fold cross-validation on SciFact train with BM25 keyword search
    // and the default model (benchmark/README.md, "Hybrid fusion"): convex had the better held-out
    // mean (0.7677 against RRF's 0.7617); 0.275 is its best keyword share on all train queries.
    public static final ConfigOption<FusionMethod> SEARCH_FUSION =
            ConfigOption.key("kb.api.search.fusion")
                    .enumType(FusionMethod.class)
                    .defaultValue(FusionMethod.CONVEX)
                    .withDescription(
                            "How hybrid search fuses the top k of the vector and of the keyword"
                                    + " list: rrf (reciprocal rank fusion, ranks only) or convex (a"
                                    + " convex combination of min-max normalised scores).");

    public static final ConfigOption<Double> SEARCH_KEYWORD_WEIGHT =
            ConfigOption.key("kb.api.search.keyword-weight")
                    .doubleType()
                    .defaultValue(0.275)
                    .withDescription(
                            "The keyword list's share w in hybrid fusion, 0..1 (the vector list"
                                    + " weighs 1 - w; 0 is vector search alone).");

    public static final ConfigOption<Integer> SEARCH_RRF_K =
            ConfigOption.key("kb.api.search.rrf-k")
                    .intType()
                    .defaultValue(30)
                    .withDescription(
                            "Reciprocal rank fusion constant k (fusion rrf only): a list adds"
                                    + " weight/(k + rank).");

    public static final ConfigOption<Integer> EVENTS_QUEUE_SIZE =
            ConfigOption.key("kb.api.events.queue-size")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Status messages buffered per WebSocket client; a client that falls this"
                                    + " far behind is closed (1013).");

    public static final ConfigOption<java.time.Duration> EVENTS_AUTH_TIMEOUT =
            ConfigOption.key("kb.api.events.auth-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(10))
                    .withDescription(
                            "How long a WebSocket may wait before sending its key (1008 after).");
}
