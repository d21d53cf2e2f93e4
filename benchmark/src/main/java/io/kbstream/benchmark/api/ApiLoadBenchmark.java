package io.kbstream.benchmark.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kbstream.api.ApiServer;
import io.kbstream.api.http.ApiKeys;
import io.kbstream.client.ApiClient;
import io.kbstream.client.SearchQuery;
import io.kbstream.client.SearchResult;
import io.kbstream.client.Upload;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ChunkRow;
import io.kbstream.core.store.IndexedDocument;
import io.kbstream.core.store.ShardedStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.JedisPooled;

/**
 * Load benchmark of the query API on loopback: starts a real {@link ApiServer} on the local stack
 * (fresh tenant and key), seeds documents straight into the shards, then measures with the
 * project's API client (its async calls), every phase bounded in count and time:
 *
 * <ol>
 *   <li>upload acknowledgement (202 after Kafka acks) at a fixed open-loop rate and a cap on
 *       requests in flight;
 *   <li>uncached hybrid search (every query new: embedding + all shards), closed loop;
 *   <li>cached search (the same queries again) latency and throughput, closed loop.
 * </ol>
 *
 * Writes {@code benchmark/results/api.json}. Run: {@code ./kb stack up}, then {@code mvn -q -pl
 * benchmark exec:java -Dexec.mainClass=io.kbstream.benchmark.api.ApiLoadBenchmark -Dkb.home=$PWD}.
 * Uploads go to a throw-away tenant {@code bench-*}.
 */
public final class ApiLoadBenchmark {

    static final int UPLOAD_RATE = 100; // per second, open loop
    static final int UPLOAD_COUNT = 500;
    static final int UPLOAD_MAX_IN_FLIGHT = 32;
    static final int SEED_DOCS = 300;
    static final int UNCACHED_QUERIES = 200;
    static final int UNCACHED_CONCURRENCY = 4;
    static final int CACHED_CONCURRENCY = 16;
    static final Duration CACHED_DURATION = Duration.ofSeconds(15);
    static final Duration PHASE_LIMIT = Duration.ofSeconds(120);

    private static final String[] WORDS = {
        "river", "engine", "protein", "market", "galaxy", "language", "climate", "network",
        "theory", "harbor", "vaccine", "orbit", "ledger", "forest", "signal", "memory",
        "glacier", "circuit", "poetry", "tariff", "enzyme", "satellite", "volcano", "compiler"
    };

    public static void main(String[] args) throws Exception {
        KbConfig base = KbConfig.load();
        String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String key = ApiKeys.mint();
        // uploads go to their own tenant: if an indexing job runs, its commits bump only that
        // tenant's generation and do not invalidate the search tenant's cache mid-measurement
        String uploadTenant = tenant + "-up";
        String uploadKey = ApiKeys.mint();
        KbConfig config = benchConfig(base, Map.of(tenant, key, uploadTenant, uploadKey));
        Random random = new Random(42);

        System.out.println("seeding " + SEED_DOCS + " documents for tenant " + tenant + " ...");
        try (ShardedStore store = ShardedStore.open(config);
                JedisPooled redis = RedisConnections.pooled(config)) {
            seed(store, redis, Embedders.shared(config), tenant, random);
            ApiServer server = ApiServer.create(config).start(0);
            try {
                Map<String, Object> results = run(server.port(), key, uploadKey, random);
                results.put("tenant", tenant);
                results.put("shards", config.get(PostgresOptions.SHARDS).size());
                results.put("cores", Runtime.getRuntime().availableProcessors());
                // the machine is shared: say how busy it was
                results.put("loadAverageAtEnd", Files.readString(Path.of("/proc/loadavg")).trim());
                results.put("measuredAt", Instant.now().toString());
                writeResults(KbConfig.home().resolve("benchmark/results/api.json"), results);
            } finally {
                server.stop();
                store.deleteTenant(tenant);
                // whatever an indexing job already indexed of the uploads; one that is not
                // running yet will index them later (delete with store.deleteTenant then)
                store.deleteTenant(uploadTenant);
            }
        }
        System.exit(0);
    }

    /**
     * {@code base} with a bearer key for each tenant of {@code keysByTenant} and the tenant rate
     * limit lifted, as every API benchmark runs.
     */
    static KbConfig benchConfig(KbConfig base, Map<String, String> keysByTenant) {
        Map<String, String> values = new LinkedHashMap<>(base.explicitValues());
        values.put(
                ApiOptions.KEYS.key(),
                String.join(
                        ",",
                        keysByTenant.entrySet().stream()
                                .map(e -> ApiKeys.configEntry(e.getKey(), e.getValue()))
                                .toList()));
        values.put(ApiOptions.RATE_LIMIT_PER_SECOND.key(), "100000");
        values.put(ApiOptions.RATE_LIMIT_BURST.key(), "100000");
        return KbConfig.of(values);
    }

    /** Writes a benchmark's results as indented JSON to {@code out}. */
    static void writeResults(Path out, Map<String, Object> results) throws java.io.IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.toFile(), results);
        System.out.println("wrote " + out);
    }

    static void seed(
            ShardedStore store,
            JedisPooled redis,
            Embedder embedder,
            String tenant,
            Random random) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < SEED_DOCS; i++) {
            texts.add(sentence(random, 40));
        }
        float[][] vectors = embedder.embed(texts);
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < SEED_DOCS; i++) {
            String text = texts.get(i);
            docs.add(
                    new IndexedDocument(
                            tenant,
                            "doc-" + i,
                            1,
                            "h" + i,
                            "Document " + i,
                            Map.of("n", Integer.toString(i % 10)),
                            embedder.modelInfo().name(),
                            List.of(new ChunkRow(0, text, 0, text.length(), vectors[i]))));
        }
        store.upsert(docs);
        new IndexGenerations(redis).bump(tenant);
    }

    static String sentence(Random random, int words) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < words; w++) {
            sb.append(WORDS[random.nextInt(WORDS.length)]).append(w % 9 == 8 ? ". " : " ");
        }
        return sb.toString().trim();
    }

    private static Map<String, Object> run(int port, String key, String uploadKey, Random random)
            throws Exception {
        ApiClient search = ApiClient.of("http://127.0.0.1:" + port, key);
        ApiClient upload = search.withApiKey(uploadKey);
        Map<String, Object> results = new LinkedHashMap<>();

        // warm up JIT, pools and the embedder
        List<String> warm = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            warm.add("warm up " + i + " " + sentence(random, 3));
        }
        closedLoop(search, warm, 4, Duration.ofSeconds(60));
        openLoopUploads(upload, 50, 50, random);

        Phase uploads = openLoopUploads(upload, UPLOAD_COUNT, UPLOAD_RATE, random);
        results.put("upload", uploads.summary());
        print("upload ack", uploads);

        String runWord = Long.toString(System.nanoTime() % 1_000_000_007L, 36);
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < UNCACHED_QUERIES; i++) {
            // a per-run word makes every query new to the embedding cache too
            queries.add(sentence(random, 3 + random.nextInt(4)) + " " + runWord + i);
        }
        Phase uncached = closedLoop(search, queries, UNCACHED_CONCURRENCY, PHASE_LIMIT);
        results.put("searchUncached", uncached.summary());
        print("search uncached", uncached);

        Phase cachedOne = closedLoop(search, queries, 1, CACHED_DURATION);
        results.put("searchCached", cachedOne.summary());
        print("search cached", cachedOne);

        Phase cached = closedLoop(search, queries, CACHED_CONCURRENCY, CACHED_DURATION);
        results.put("searchCachedThroughput", cached.summary());
        print("search cached x" + CACHED_CONCURRENCY, cached);
        return results;
    }

    /** Measured requests of one phase. */
    static final class Phase {
        final String description;
        final Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicInteger cachedHits = new AtomicInteger();
        long elapsedNanos;

        Phase(String description) {
            this.description = description;
        }

        synchronized void record(long nanos) {
            micros.recordValue(Math.max(1, nanos / 1000));
        }

        Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("setup", description);
            m.put("ok", ok.get());
            m.put("failed", failed.get());
            m.put("cachedResponses", cachedHits.get());
            m.put("p50Ms", ms(micros.getValueAtPercentile(50)));
            m.put("p95Ms", ms(micros.getValueAtPercentile(95)));
            m.put("p99Ms", ms(micros.getValueAtPercentile(99)));
            m.put("maxMs", ms(micros.getMaxValue()));
            m.put("seconds", elapsedNanos / 1e9);
            m.put("throughputPerSecond", Math.round(ok.get() / (elapsedNanos / 1e9) * 10) / 10.0);
            m.put("sampleFailures", failures.stream().limit(3).toList());
            return m;
        }

        private static double ms(long micros) {
            return Math.round(micros / 10.0) / 100.0;
        }
    }

    private static void print(String name, Phase p) {
        Map<String, Object> s = p.summary();
        System.out.printf(
                "%-16s p50=%sms p95=%sms p99=%sms max=%sms ok=%s failed=%s throughput=%s/s (%s)%n",
                name,
                s.get("p50Ms"),
                s.get("p95Ms"),
                s.get("p99Ms"),
                s.get("maxMs"),
                s.get("ok"),
                s.get("failed"),
                s.get("throughputPerSecond"),
                s.get("setup"));
    }

    /** {@code count} uploads started at {@code rate}/s, at most a fixed number in flight. */
    private static Phase openLoopUploads(ApiClient api, int count, int rate, Random random)
            throws InterruptedException {
        Phase phase =
                new Phase(
                        count
                                + " JSON uploads (~1 KB) at "
                                + rate
                                + "/s open loop, max "
                                + UPLOAD_MAX_IN_FLIGHT
                                + " in flight");
        Semaphore inFlight = new Semaphore(UPLOAD_MAX_IN_FLIGHT);
        List<CompletableFuture<?>> all = new ArrayList<>();
        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (System.nanoTime() - start > PHASE_LIMIT.toNanos()) {
                break;
            }
            inFlight.acquire();
            Upload doc =
                    Upload.text(sentence(random, 150))
                            .title("bench")
                            .metadata(Map.of("bench", "true"));
            all.add(
                    timed(() -> api.uploadAsync(doc), phase, r -> false)
                            .whenComplete((r, e) -> inFlight.release())
                            .exceptionally(e -> null));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        phase.elapsedNanos = System.nanoTime() - start;
        return phase;
    }

    /** Each worker sends the next search as soon as its previous one answered. */
    private static Phase closedLoop(
            ApiClient api, List<String> queries, int concurrency, Duration limit) {
        Phase phase =
                new Phase(
                        queries.size()
                                + " distinct hybrid queries (k=10), "
                                + concurrency
                                + " concurrent, closed loop, up to "
                                + limit.toSeconds()
                                + " s");
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        boolean repeat = limit.compareTo(Duration.ofSeconds(30)) < 0 && queries.size() > 50;
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(
                    CompletableFuture.runAsync(
                            () -> {
                                while (System.nanoTime() < end) {
                                    int i = next.getAndIncrement();
                                    if (i >= queries.size() && !repeat) {
                                        return;
                                    }
                                    String q = queries.get(i % queries.size());
                                    timed(
                                                    () -> api.searchAsync(SearchQuery.of(q)),
                                                    phase,
                                                    SearchResult::cached)
                                            .exceptionally(e -> null)
                                            .join();
                                }
                            }));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
        phase.elapsedNanos = System.nanoTime() - start;
        return phase;
    }

    /** Times one call from before it is sent; {@code cached} tells a cache hit from its answer. */
    private static <T> CompletableFuture<T> timed(
            java.util.function.Supplier<CompletableFuture<T>> call,
            Phase phase,
            java.util.function.Predicate<T> cached) {
        long t0 = System.nanoTime();
        return call.get()
                .whenComplete(
                        (r, e) -> {
                            long nanos = System.nanoTime() - t0;
                            if (e == null) {
                                phase.record(nanos);
                                phase.ok.incrementAndGet();
                                if (cached.test(r)) {
                                    phase.cachedHits.incrementAndGet();
                                }
                            } else {
                                phase.failed.incrementAndGet();
                                phase.failures.add(
                                        e.getCause() != null
                                                ? e.getCause().toString()
                                                : e.toString());
                            }
                        });
    }
}
