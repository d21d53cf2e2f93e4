package io.kbstream.api.search;

import io.kbstream.api.http.ApiException;
import io.kbstream.api.resilience.BoundedPools;
import io.kbstream.api.resilience.CircuitBreaker;
import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.store.Bm25Query;
import io.kbstream.core.store.Bm25Statistics;
import io.kbstream.core.store.ChunkHit;
import io.kbstream.core.store.KeywordResult;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The search path: cache (L1, then L2) → query embedding (cached) → every shard in parallel, each
 * with a deadline → merge (best chunk per document; hybrid by reciprocal rank fusion) → cache. A
 * shard that fails or misses its deadline makes the answer {@code partial}; partial answers are
 * never cached. A shard found unreachable is skipped (partial at once) until its {@link
 * CircuitBreaker} lets a probe through and the probe answers. Without Redis (no generation to key
 * by) searches are served uncached. Shard calls run on a bounded pool of the service's own.
 */
public final class SearchService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);

    /** Chunks fetched per shard and list, per requested document: room for several per document. */
    static final int CANDIDATES_PER_RESULT = 3;

    private final ShardedStore store;
    private final IndexGenerations generations;
    private final RedisGuard guard;
    private final SearchCache cache;
    private final QueryEmbeddings embeddings;
    private final ResultMerger merger;
    private final String rankingSettings;
    private final ExecutorService shardExecutor;
    private final long shardTimeoutNanos;
    private final List<CircuitBreaker> shardBreakers = new ArrayList<>();
    private final int efSearch;
    private final int exactBelowChunks;
    private final Bm25Weights weights;
    private final Counter inexactKeyword;
    private final long retryAfterSeconds;
    private final MeterRegistry metrics;

    public SearchService(
            SearchSettings settings,
            ShardedStore store,
            IndexGenerations generations,
            RedisGuard guard,
            SearchCache cache,
            QueryEmbeddings embeddings,
            ResultMerger merger,
            MeterRegistry metrics) {
        this.store = store;
        this.generations = generations;
        this.guard = guard;
        this.cache = cache;
        this.embeddings = embeddings;
        this.merger = merger;
        this.rankingSettings = embeddings.settings() + "\n" + merger.fusion();
        this.shardExecutor = BoundedPools.fixed("kb-search", settings.threads());
        this.shardTimeoutNanos = settings.shardTimeout().toNanos();
        for (int s = 0; s < store.shardCount(); s++) {
            CircuitBreaker breaker = new CircuitBreaker(settings.shardFailurePause());
            breaker.monitor(metrics, "kb.api.shard.breaker.open", "shard", Integer.toString(s));
            shardBreakers.add(breaker);
        }
        this.efSearch = settings.efSearch();
        this.exactBelowChunks = settings.exactBelowChunks();
        // weightings live as long as the L1 cache's answers built from them
        this.weights = new Bm25Weights(settings.bm25(), settings.l1Ttl());
        this.inexactKeyword =
                Counter.builder("kb.api.search.keyword.inexact")
                        .description(
                                "Shard keyword answers not proven equal to exhaustive BM25 (the"
                                        + " postings read per term reached its maximum)")
                        .register(metrics);
        this.retryAfterSeconds = settings.retryAfterSeconds();
        this.metrics = metrics;
    }

    public SearchResponse search(String tenant, SearchRequest request) {
        long start = System.nanoTime();
        Long generation = guard.call(() -> generations.current(tenant), null);
        String key =
                generation == null
                        ? null
                        : SearchCache.key(tenant, generation, rankingSettings, request);
        if (key != null) {
            var cached = cache.get(key);
            if (cached.isPresent()) {
                return new SearchResponse(cached.get(), false, true, millisSince(start));
            }
        }
        Gathered gathered = scatter(tenant, generation, request);
        List<SearchHit> hits =
                switch (request.mode()) {
                    case VECTOR -> merger.single(gathered.vector(), request.k(), request.query());
                    case KEYWORD -> merger.single(gathered.keyword(), request.k(), request.query());
                    case HYBRID ->
                            merger.fuse(
                                    gathered.vector(),
                                    gathered.keyword(),
                                    request.k(),
                                    request.query());
                };
        if (key != null && !gathered.partial()) {
            cache.put(key, hits);
        }
        return new SearchResponse(hits, gathered.partial(), false, millisSince(start));
    }

    private record Gathered(List<ChunkHit> vector, List<ChunkHit> keyword, boolean partial) {}

    private Gathered scatter(String tenant, Long generation, SearchRequest request) {
        boolean vector = request.mode() != SearchMode.KEYWORD;
        boolean keyword = request.mode() != SearchMode.VECTOR;
        int candidates = Math.min(request.k() * CANDIDATES_PER_RESULT, 300);
        Map<String, String> filter = request.filter();
        int shards = store.shardCount();
        boolean[] allowed = new boolean[shards];
        for (int s = 0; s < shards; s++) {
            // one breaker decision per shard and search: a probe lets all of its calls through
            allowed[s] = shardBreakers.get(s).allow();
            if (!allowed[s]) {
                // it failed unreachable a moment ago: answer partial now rather than wait on it
                metrics.counter("kb.api.search.shard.skipped", "shard", Integer.toString(s))
                        .increment();
            }
        }
        // keyword statistics and searches run while the query is embedded
        List<CompletableFuture<List<ChunkHit>>> keywordCalls =
                keyword
                        ? keywordCalls(
                                tenant, generation, request.query(), candidates, filter, allowed)
                        : List.of();
        List<CompletableFuture<List<ChunkHit>>> vectorCalls = new ArrayList<>();
        if (vector) {
            float[] q = embed(request.query());
            for (int s = 0; s < shards; s++) {
                int shard = s;
                vectorCalls.add(
                        call(
                                allowed,
                                shard,
                                "vector",
                                () ->
                                        store.vectorSearch(
                                                shard,
                                                tenant,
                                                q,
                                                candidates,
                                                filter,
                                                Math.max(efSearch, candidates),
                                                exactBelowChunks)));
            }
        }
        long deadline = System.nanoTime() + shardTimeoutNanos;
        List<List<ChunkHit>> vectorHits = new ArrayList<>();
        List<List<ChunkHit>> keywordHits = new ArrayList<>();
        int failed =
                collect(vectorCalls, deadline, vectorHits)
                        + collect(keywordCalls, deadline, keywordHits);
        int calls = vectorCalls.size() + keywordCalls.size();
        if (calls > 0 && failed == calls) {
            throw ApiException.unavailable("no shard answered the search", retryAfterSeconds);
        }
        return new Gathered(
                ResultMerger.bestChunkPerDocument(vectorHits),
                ResultMerger.bestChunkPerDocument(keywordHits),
                failed > 0);
    }

    /**
     * One future per shard: the query weighted with every shard's BM25 statistics (cached per
     * generation), then each shard's top chunks by it. A shard whose statistics are missing gives
     * no keyword hits (the answer is partial): weights without its chunks would score the others
     * differently from a complete answer.
     */
    private List<CompletableFuture<List<ChunkHit>>> keywordCalls(
            String tenant,
            Long generation,
            String query,
            int candidates,
            Map<String, String> filter,
            boolean[] allowed) {
        int shards = allowed.length;
        List<CompletableFuture<Bm25Statistics>> statistics = new ArrayList<>();
        Optional<Bm25Query> cached = weights.cached(tenant, generation, query);
        if (cached.isEmpty()) {
            for (int s = 0; s < shards; s++) {
                int shard = s;
                statistics.add(
                        call(
                                allowed,
                                shard,
                                "keyword-statistics",
                                () -> store.keywordStatistics(shard, tenant, query)));
            }
        }
        CompletableFuture<Bm25Query> weighted =
                cached.isPresent()
                        ? CompletableFuture.completedFuture(cached.get())
                        : weighted(tenant, generation, query, statistics);
        List<CompletableFuture<List<ChunkHit>>> calls = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            int shard = s;
            CompletableFuture<Bm25Statistics> own = cached.isEmpty() ? statistics.get(s) : null;
            calls.add(
                    weighted.thenCompose(
                            q -> {
                                if (own != null && own.isCompletedExceptionally()) {
                                    return own.thenApply(x -> List.<ChunkHit>of());
                                }
                                if (q.isEmpty()) {
                                    return CompletableFuture.completedFuture(List.of());
                                }
                                return submit(
                                        shard,
                                        "keyword",
                                        () -> {
                                            KeywordResult r =
                                                    store.keywordSearch(
                                                            shard, tenant, q, candidates, filter);
                                            if (!r.exact()) {
                                                inexactKeyword.increment();
                                            }
                                            return r.hits();
                                        });
                            }));
        }
        return calls;
    }

    /** The query weighted with the statistics of the shards that answered, once all have. */
    private CompletableFuture<Bm25Query> weighted(
            String tenant,
            Long generation,
            String query,
            List<CompletableFuture<Bm25Statistics>> statistics) {
        CompletableFuture<?>[] settled =
                statistics.stream()
                        .map(f -> f.handle((value, error) -> value))
                        .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(settled)
                .thenApply(
                        done -> {
                            List<Bm25Statistics> answered = new ArrayList<>();
                            for (CompletableFuture<Bm25Statistics> f : statistics) {
                                if (!f.isCompletedExceptionally()) {
                                    answered.add(f.join());
                                }
                            }
                            return weights.weigh(
                                    tenant,
                                    generation,
                                    query,
                                    answered,
                                    answered.size() == statistics.size());
                        });
    }

    /** A shard call, or a failure at once when the shard's breaker keeps it closed. */
    private <T> CompletableFuture<T> call(
            boolean[] allowed, int shard, String kind, Supplier<T> call) {
        if (!allowed[shard]) {
            return CompletableFuture.failedFuture(
                    new StoreException(shard, "skipped after a failure", null));
        }
        return submit(shard, kind, call);
    }

    private float[] embed(String query) {
        try {
            return embeddings.embed(query);
        } catch (RuntimeException e) {
            LOG.error("query embedding failed: {}", e.toString());
            throw ApiException.unavailable(
                    "the embedding model is not available", retryAfterSeconds);
        }
    }

    private <T> CompletableFuture<T> submit(int shard, String kind, Supplier<T> call) {
        Timer.Sample sample = Timer.start(metrics);
        try {
            return CompletableFuture.supplyAsync(call, shardExecutor)
                    .whenComplete(
                            (hits, error) -> {
                                report(shard, error);
                                sample.stop(
                                        Timer.builder("kb.api.search.shard")
                                                .description("One search query on one shard")
                                                .tag("shard", Integer.toString(shard))
                                                .tag("kind", kind)
                                                .tag("outcome", error == null ? "ok" : "error")
                                                .publishPercentileHistogram()
                                                .register(metrics));
                            });
        } catch (RejectedExecutionException e) {
            // the bounded executor is full: this shard counts as not answering
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Opens the shard's breaker if the call found it unreachable; any answer closes it. */
    private void report(int shard, Throwable error) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        if (cause instanceof StoreException e && e.isUnreachable()) {
            shardBreakers.get(shard).failed();
        } else {
            shardBreakers.get(shard).succeeded();
        }
    }

    /** Waits for each call until the shared deadline; returns how many failed or were late. */
    private static int collect(
            List<CompletableFuture<List<ChunkHit>>> calls,
            long deadline,
            List<List<ChunkHit>> into) {
        int failed = 0;
        for (CompletableFuture<List<ChunkHit>> call : calls) {
            try {
                long wait = Math.max(0, deadline - System.nanoTime());
                into.add(call.get(wait, TimeUnit.NANOSECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed++;
            } catch (Exception e) {
                LOG.debug("a shard did not answer in time: {}", e.toString());
                failed++;
            }
        }
        return failed;
    }

    private static double millisSince(long start) {
        return Math.round((System.nanoTime() - start) / 10_000.0) / 100.0;
    }

    @Override
    public void close() {
        shardExecutor.shutdownNow();
    }
}
