package io.kbstream.api.search;

import io.kbstream.api.resilience.RedisGuard;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.redis.RedisKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;
import java.util.regex.Pattern;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * Query vectors, cached in Redis under {@link RedisKeys#queryEmbedding} (model version + SHA-256 of
 * the text embedded, i.e. the query with the model's instruction if it is on, so switching the
 * instruction never serves a vector made the other way) as little-endian float32 bytes; computed
 * with the shared embedder of the tenant's active model on a miss.
 */
public final class QueryEmbeddings {

    /**
     * Characters of a model version not kept in a Redis key (compiled once: it runs per search).
     */
    private static final Pattern UNSAFE_IN_KEY = Pattern.compile("[^A-Za-z0-9._@-]");

    private final Function<String, Embedder> embedders;
    private final UnifiedJedis redis;
    private final RedisGuard guard;
    private final long ttlMillis;
    private final Counter hit;
    private final Counter miss;
    private final Timer inference;

    /**
     * @param embedders the shared embedder of a model name (loaded once per JVM)
     */
    public QueryEmbeddings(
            Function<String, Embedder> embedders,
            UnifiedJedis redis,
            RedisGuard guard,
            Duration ttl,
            MeterRegistry metrics) {
        this.embedders = embedders;
        this.redis = redis;
        this.guard = guard;
        this.ttlMillis = ttl.toMillis();
        this.hit = cacheCounter(metrics, "hit");
        this.miss = cacheCounter(metrics, "miss");
        this.inference =
                Timer.builder("kb.api.search.embed")
                        .description("Query embedding inference time (cache misses)")
                        .publishPercentileHistogram()
                        .register(metrics);
    }

    private static Counter cacheCounter(MeterRegistry metrics, String result) {
        return Counter.builder("kb.api.search.cache")
                .tag("level", "embedding")
                .tag("result", result)
                .register(metrics);
    }

    /** What decides a query's vector besides the query: the model's version and instruction. */
    public String settings(String model) {
        Embedder embedder = embedders.apply(model);
        return version(embedder) + "\n" + embedder.queryText("");
    }

    private static String version(Embedder embedder) {
        return UNSAFE_IN_KEY.matcher(embedder.modelInfo().version()).replaceAll("_");
    }

    /** The query's vector by {@code model}. */
    public float[] embed(String model, String query) {
        Embedder embedder = embedders.apply(model);
        String text = embedder.queryText(query);
        byte[] key =
                RedisKeys.queryEmbedding(version(embedder), SearchRequest.sha256(text))
                        .getBytes(StandardCharsets.UTF_8);
        int dim = embedder.modelInfo().dimension();
        byte[] cached = guard.call(() -> redis.get(key), null);
        if (cached != null && cached.length == dim * Float.BYTES) {
            hit.increment();
            return decode(cached);
        }
        miss.increment();
        float[] vector = inference.record(() -> embedder.embed(text));
        byte[] bytes = encode(vector);
        guard.run(() -> redis.set(key, bytes, SetParams.setParams().px(ttlMillis)));
        return vector;
    }

    static byte[] encode(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        return buf.array();
    }

    static float[] decode(byte[] bytes) {
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
