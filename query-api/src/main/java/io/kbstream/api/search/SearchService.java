package io.kbstream.api.search;

import io.kbstream.api.http.ApiException;
import io.kbstream.api.resilience.ReadRoutes;
import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.api.resilience.ShardCalls;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.store.Bm25Query;
import io.kbstream.core.store.Bm25Statistics;
import io.kbstream.core.store.ChunkHit;
import io.kbstream.core.store.KeywordResult;
import io.kbstream.core.store.ShardNode;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoreException;
import io.kbstream.core.store.TenantModelsCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The search path: cache (L1, then L2) → query embedding (cached) → every shard in parallel, each
 * with a deadline → merge (best chunk per document; hybrid by reciprocal rank fusion) → cache. A
 * shard that fails or misses its deadline makes the answer {@code partial}; partial answers are
 * never cached. Each shard is read where {@link ReadRoutes} says (a healthy replica, else the
 * primary); a call that fails on one node is retried at once on the next, and a shard whose every
 * node was found unreachable a moment ago is skipped (partial at once) until a breaker lets a probe
 * through. Without Redis (no generation to key by) searches are served uncached. Shard calls run on
 * the bounded pool of {@link ShardCalls}, shared with document listings.
 */
public final class SearchService {

    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);

    /** Chunks fetched per shard and list, per requested document: room for several per document. */
    static final int CANDIDATES_PER_RESULT = 3;

    private final ShardedStore store;
    private final IndexGenerations generations;
    private final RedisGuard guard;
    private final SearchCache cache;
    private final SearchCounts counts;
    private final QueryEmbeddings embeddings;
    private final ResultMerger merger;
    private final long shardTimeoutNanos;
    private final ShardCalls shardCalls;
    private final int efSearch;
    private final int exactBelowChunks;
    private final TenantModelsCache tenantModels;
    private final Bm25Weights weights;
    private final Counter inexactKeyword;
    private final long retryAfterSeconds;
    private final MeterRegistry metrics;

    public SearchService(
            SearchSettings settings,
            ShardedStore store,
            ShardCalls shards,
            IndexGenerations generations,
            RedisGuard guard,
            SearchCache cache,
            SearchCounts counts,
            QueryEmbeddings embeddings,
            TenantModelsCache tenantModels,
            ResultMerger merger,
            MeterRegistry metrics) {
        this.store = store;
        this.generations = generations;
        this.guard = guard;
        this.cache = cache;
        this.counts = counts;
        this.embeddings = embeddings;
        this.tenantModels = tenantModels;
        this.merger = merger;
        this.shardTimeoutNanos = settings.shardTimeout().toNanos();
        this.shardCalls = shards;
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

    /** A user's search: answered, and counted for the cache warm-up of later instances. */
    public SearchResponse search(String tenant, SearchRequest request) {
        counts.count(tenant, request);
        return answer(tenant, request);
    }

    /** A warm-up search: answered (and so cached) but not counted, or it would count itself. */
    void warm(String tenant, SearchRequest request) {
        answer(tenant, request);
    }

    private SearchResponse answer(String tenant, SearchRequest request) {
        long start = System.nanoTime();
        Long generation = guard.call(() -> generations.current(tenant), null);
        // the model is read per generation: a switch bumps it, so the next search reads the new
        String model = activeModel(tenant, generation);
        String key =
                generation == null
                        ? null
                        : SearchCache.key(
                                tenant,
                                generation,
                                embeddings.settings(model) + "\n" + merger.fusion(),
                                request);
        if (key != null) {
            var cached = cache.get(key);
            if (cached.isPresent()) {
                return new SearchResponse(cached.get(), false, true, millisSince(start));
            }
        }
        Gathered gathered = scatter(tenant, generation, model, request);
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

    /**
     * The tenant's active model. If the first shard cannot say (its primary is down), the last
     * model known, else the configured one: searches must not fail on a lookup the replicas'
     * vectors do not need.
     */
    private String activeModel(String tenant, Long generation) {
        try {
            return tenantModels.get(tenant, generation).active();
        } catch (StoreException e) {
            String known = tenantModels.lastKnown(tenant);
            LOG.warn(
                    "models of tenant {} unreadable, searching {}: {}",
                    tenant,
                    known,
                    e.toString());
            return known;
        }
    }

    private Gathered scatter(String tenant, Long generation, String model, SearchRequest request) {
        boolean vector = request.mode() != SearchMode.KEYWORD;
        boolean keyword = request.mode() != SearchMode.VECTOR;
        int candidates = Math.min(request.k() * CANDIDATES_PER_RESULT, 300);
        Map<String, String> filter = request.filter();
        int shards = store.shardCount();
        List<ReadRoutes.Route> allowed = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            ReadRoutes.Route route = shardCalls.route(s);
            allowed.add(route);
            if (route.next(0) < 0) {
                // every node failed unreachable a moment ago: answer partial now, not wait on it
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
            float[] q = embed(model, request.query());
            for (int s = 0; s < shards; s++) {
                int shard = s;
                vectorCalls.add(
                        call(
                                allowed.get(shard),
                                "vector",
                                node ->
                                        store.vectorSearch(
                                                node,
                                                tenant,
                                                model,
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
            List<ReadRoutes.Route> allowed) {
        int shards = allowed.size();
        List<CompletableFuture<Bm25Statistics>> statistics = new ArrayList<>();
        Optional<Bm25Query> cached = weights.cached(tenant, generation, query);
        if (cached.isEmpty()) {
            for (int s = 0; s < shards; s++) {
                int shard = s;
                statistics.add(
                        call(
                                allowed.get(shard),
                                "keyword-statistics",
                                node -> store.keywordStatistics(node, tenant, query)));
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
                                return call(
                                        allowed.get(shard),
                                        "keyword",
                                        node -> {
                                            KeywordResult r =
                                                    store.keywordSearch(
                                                            node, tenant, q, candidates, filter);
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

    private <T> CompletableFuture<T> call(
            ReadRoutes.Route route, String kind, Function<ShardNode, T> call) {
        return shardCalls.call(route, kind, call);
    }

    private float[] embed(String model, String query) {
        try {
            return embeddings.embed(model, query);
        } catch (RuntimeException e) {
            LOG.error("query embedding failed: {}", e.toString());
            throw ApiException.unavailable(
                    "the embedding model is not available", retryAfterSeconds);
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
}
