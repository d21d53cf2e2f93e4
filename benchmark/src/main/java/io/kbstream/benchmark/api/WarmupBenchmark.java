package io.kbstream.benchmark.api;

import io.kbstream.api.ApiServer;
import io.kbstream.api.http.ApiKeys;
import io.kbstream.benchmark.load.ZipfSampler;
import io.kbstream.benchmark.report.ProcStats;
import io.kbstream.client.ApiClient;
import io.kbstream.client.SearchQuery;
import io.kbstream.client.SearchResult;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ShardedStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.JedisPooled;

/**
 * The in-process cache's hit rate in the first minute after a restart, cold against warmed (issue
 * 17), under the same Zipf search load. A tenant is seeded straight into the shards; a first API
 * instance serves a Zipf history and stops (its search counts go to Redis); then a cold instance
 * ({@code kb.api.cache.warmup.queries=0}) and a warmed one (the default) each serve the same seeded
 * Zipf sequence for the same time once ready. The hit rate is the instance's own L1 hits ÷ lookups
 * during the load (its warm-up's lookups excluded), every {@link #SLICE} and overall; Redis (L2)
 * stays up and filled throughout, as in a real restart.
 *
 * <p>Run (stack up): {@code java -Dkb.home=$PWD -cp <benchmark classpath>
 * io.kbstream.benchmark.api.WarmupBenchmark [seconds] [out.json]}; defaults 60 s and {@code
 * benchmark/results/cache-warmup.json}.
 */
public final class WarmupBenchmark {

    static final int QUERIES = 2_000;
    static final double ZIPF_S = 1.0;
    static final int HISTORY_SEARCHES = 3_000;
    static final int CLIENTS = 4;
    static final Duration SLICE = Duration.ofSeconds(10);

    public static void main(String[] args) throws Exception {
        Duration load = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 60);
        Path out =
                args.length > 1
                        ? Path.of(args[1])
                        : KbConfig.home().resolve("benchmark/results/cache-warmup.json");
        KbConfig base = KbConfig.load();
        String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String key = ApiKeys.mint();
        KbConfig config = ApiLoadBenchmark.benchConfig(base, Map.of(tenant, key));
        Random random = new Random(17);
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < QUERIES; i++) {
            queries.add(ApiLoadBenchmark.sentence(random, 2 + random.nextInt(3)) + " q" + i);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("loadAverageBefore", ProcStats.loadAverage());
        try (ShardedStore store = ShardedStore.open(config);
                JedisPooled redis = RedisConnections.pooled(config)) {
            ApiLoadBenchmark.seed(store, redis, Embedders.shared(config), tenant, random);
            try {
                ApiServer history = ApiServer.create(config).start(0);
                Run past = run(history, key, queries, 99, HISTORY_SEARCHES, Duration.ofMinutes(5));
                history.stop(); // flushes the search counts to Redis
                System.out.printf("history: %d searches%n", past.searches);

                ApiServer cold =
                        ready(
                                ApiServer.create(config.with(ApiOptions.CACHE_WARMUP_QUERIES, "0"))
                                        .start(0));
                Run coldRun = run(cold, key, queries, 7, Integer.MAX_VALUE, load);
                cold.stop();
                long warmStart = System.nanoTime();
                ApiServer warm = ready(ApiServer.create(config).start(0));
                long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - warmStart);
                Run warmRun = run(warm, key, queries, 7, Integer.MAX_VALUE, load);
                warm.stop();

                results.put("cold", coldRun.summary());
                results.put("warm", warmRun.summary());
                results.put("warmStartToReadyMillis", readyMillis);
                System.out.printf(
                        "first %d s L1 hit rate: cold %.3f, warm %.3f (ready after %d ms)%n",
                        load.toSeconds(), coldRun.hitRate(), warmRun.hitRate(), readyMillis);
            } finally {
                store.deleteTenant(tenant);
            }
        }
        results.put(
                "method",
                Map.of(
                        "queries",
                        QUERIES,
                        "zipfS",
                        ZIPF_S,
                        "historySearches",
                        HISTORY_SEARCHES,
                        "clients",
                        CLIENTS,
                        "loadSeconds",
                        load.toSeconds(),
                        "warmupQueries",
                        config.get(ApiOptions.CACHE_WARMUP_QUERIES),
                        "seedDocuments",
                        ApiLoadBenchmark.SEED_DOCS,
                        "command",
                        "java -Dkb.home=$PWD -cp <benchmark classpath>"
                                + " io.kbstream.benchmark.api.WarmupBenchmark "
                                + load.toSeconds()));
        results.put("loadAverageAfter", ProcStats.loadAverage());
        results.put("cores", Runtime.getRuntime().availableProcessors());
        results.put("measuredAt", Instant.now().toString());
        ApiLoadBenchmark.writeResults(out, results);
        System.exit(0);
    }

    /** Waits until the instance reports ready (its warm-up is over). */
    private static ApiServer ready(ApiServer server) throws InterruptedException {
        ApiClient client = ApiClient.builder("http://127.0.0.1:" + server.port()).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (client.ready()) {
                return server;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the instance never reported ready");
    }

    /** One instance's load: hits and lookups of its L1 cache per slice and in all. */
    private record Run(
            long searches, List<double[]> slices, long l1Hits, long l1Lookups, Histogram micros) {
        double hitRate() {
            return l1Lookups == 0 ? 0 : (double) l1Hits / l1Lookups;
        }

        Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("searches", searches);
            m.put("l1HitRate", Math.round(hitRate() * 10_000) / 10_000.0);
            List<Map<String, Object>> s = new ArrayList<>();
            for (double[] slice : slices) {
                s.add(
                        Map.of(
                                "untilSecond",
                                (long) slice[0],
                                "l1HitRate",
                                Math.round(slice[1] * 10_000) / 10_000.0));
            }
            m.put("bySlice", s);
            m.put("p50Ms", micros.getValueAtPercentile(50) / 1000.0);
            m.put("p95Ms", micros.getValueAtPercentile(95) / 1000.0);
            return m;
        }
    }

    /**
     * {@link #CLIENTS} closed-loop clients, each drawing from the Zipf distribution with its own
     * seeded generator (so two runs ask the same sequence), until {@code count} searches or {@code
     * limit} time.
     */
    private static Run run(
            ApiServer server,
            String key,
            List<String> queries,
            long seed,
            int count,
            Duration limit)
            throws Exception {
        ApiClient client = ApiClient.of("http://127.0.0.1:" + server.port(), key);
        ZipfSampler zipf = new ZipfSampler(queries.size(), ZIPF_S);
        MeterRegistry metrics = server.metrics();
        long hits0 = l1(metrics, "hit");
        long misses0 = l1(metrics, "miss");
        AtomicLong started = new AtomicLong();
        AtomicLong done = new AtomicLong();
        Histogram micros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(1), 3);
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Random random = new Random(seed * 31 + c);
            clients.add(
                    pool.submit(
                            () -> {
                                while (System.nanoTime() < end
                                        && started.incrementAndGet() <= count) {
                                    long t = System.nanoTime();
                                    SearchResult r =
                                            client.search(
                                                    SearchQuery.of(queries.get(zipf.next(random))));
                                    micros.recordValue(
                                            Math.min(
                                                    TimeUnit.NANOSECONDS.toMicros(
                                                            System.nanoTime() - t),
                                                    micros.getHighestTrackableValue()));
                                    if (r.partial()) {
                                        throw new IllegalStateException(
                                                "a partial answer: a shard is down");
                                    }
                                    done.incrementAndGet();
                                }
                                return null;
                            }));
        }
        pool.shutdown();
        List<double[]> slices = new ArrayList<>();
        long lastHits = hits0;
        long lastMisses = misses0;
        long slice = SLICE.toNanos();
        for (long at = start + slice; !pool.isTerminated(); at += slice) {
            pool.awaitTermination(Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
            long hits = l1(metrics, "hit");
            long misses = l1(metrics, "miss");
            long lookups = hits - lastHits + misses - lastMisses;
            slices.add(
                    new double[] {
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
                        lookups == 0 ? 0 : (double) (hits - lastHits) / lookups
                    });
            lastHits = hits;
            lastMisses = misses;
        }
        for (Future<?> f : clients) {
            f.get(); // a client's failure fails the run
        }
        long hits = l1(metrics, "hit") - hits0;
        long lookups = hits + l1(metrics, "miss") - misses0;
        return new Run(done.get(), slices, hits, lookups, micros);
    }

    /** The instance's in-process search cache lookups with this result (see SearchCache). */
    private static long l1(MeterRegistry metrics, String result) {
        Counter c =
                metrics.find("kb.api.search.cache")
                        .tag("level", "l1")
                        .tag("result", result)
                        .counter();
        if (c == null) {
            throw new IllegalStateException("the API registers no kb.api.search.cache counter");
        }
        return (long) c.count();
    }
}
