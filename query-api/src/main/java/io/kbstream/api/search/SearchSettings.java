package io.kbstream.api.search;

import io.kbstream.api.http.ApiException;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.Bm25Settings;
import java.time.Duration;

/** What the search path takes from the configuration (fusion aside: see {@link ResultMerger}). */
public record SearchSettings(
        int threads,
        Duration shardTimeout,
        Duration shardFailurePause,
        int efSearch,
        int exactBelowChunks,
        Bm25Settings bm25,
        long retryAfterSeconds,
        int l1Size,
        Duration l1Ttl,
        Duration l2Ttl,
        Duration embeddingTtl,
        int warmupQueries,
        Duration warmupTimeout,
        Duration warmupWindow,
        int warmupTracked) {

    public static SearchSettings from(KbConfig config) {
        return new SearchSettings(
                config.get(ApiOptions.SEARCH_THREADS),
                config.get(ApiOptions.SEARCH_SHARD_TIMEOUT),
                config.get(ApiOptions.FAILURE_PAUSE),
                config.get(PostgresOptions.EF_SEARCH),
                config.get(PostgresOptions.EXACT_BELOW_CHUNKS),
                Bm25Settings.fromConfig(config),
                ApiException.retryAfterSeconds(config.get(ApiOptions.RETRY_AFTER)),
                config.get(ApiOptions.CACHE_L1_SIZE),
                config.get(ApiOptions.CACHE_L1_TTL),
                config.get(ApiOptions.CACHE_L2_TTL),
                config.get(ApiOptions.CACHE_EMBEDDING_TTL),
                config.get(ApiOptions.CACHE_WARMUP_QUERIES),
                config.get(ApiOptions.CACHE_WARMUP_TIMEOUT),
                config.get(ApiOptions.CACHE_WARMUP_WINDOW),
                config.get(ApiOptions.CACHE_WARMUP_TRACKED));
    }
}
