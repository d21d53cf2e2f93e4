package io.kbstream.core.store;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.internal.Murmur3;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Which shard holds a document. Two steps:
 *
 * <ol>
 *   <li>{@code bucket = murmur3_32(utf8(tenant + '\0' + documentId)) & 0x7fffffff mod B}: a logical
 *       bucket, fixed for the life of the data (B is {@link PostgresOptions#BUCKETS}, default 1024;
 *       never change it on existing shards).
 *   <li>{@code shard = bucketMap[bucket]}, by default {@code bucket % shardCount}.
 * </ol>
 *
 * <p>Adding a shard changes the bucket→shard map, not the buckets: a bucket is the unit that moves,
 * and every document moves with its bucket (copy the bucket's rows to the new shard, switch the
 * map, delete them from the old one). With the default modulo map, growing from N to M shards
 * re-maps most buckets; an explicit {@link Builder#bucketMap(int[])} lets an operator move only the
 * buckets the new shard should take. Every process (jobs and API) must use the same map.
 *
 * <p>Immutable and serializable (Flink operators hold one).
 */
public final class ShardRouter implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int buckets;
    private final int shardCount;
    private final int[] bucketToShard;

    private ShardRouter(int buckets, int shardCount, int[] bucketToShard) {
        this.buckets = buckets;
        this.shardCount = shardCount;
        this.bucketToShard = bucketToShard;
    }

    /** The default router: {@code buckets} buckets spread over {@code shardCount} by modulo. */
    public static ShardRouter of(int buckets, int shardCount) {
        return builder().buckets(buckets).shardCount(shardCount).build();
    }

    /** The router for the configured shards and bucket count. */
    public static ShardRouter fromConfig(KbConfig config) {
        return of(config.get(PostgresOptions.BUCKETS), config.get(PostgresOptions.SHARDS).size());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The logical bucket of a document, in {@code [0, buckets)}; stable forever. */
    public int bucketOf(String tenant, String documentId) {
        return bucketOf(tenant, documentId, buckets);
    }

    /** The bucket for a given bucket count (also used by tests pinning stability). */
    public static int bucketOf(String tenant, String documentId, int buckets) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(documentId, "documentId");
        byte[] key = (tenant + '\u0000' + documentId).getBytes(StandardCharsets.UTF_8);
        return (Murmur3.hash32(key, 0) & 0x7fffffff) % buckets;
    }

    public int shardOfBucket(int bucket) {
        if (bucket < 0 || bucket >= buckets) {
            throw new IllegalArgumentException("bucket " + bucket + " not in [0, " + buckets + ")");
        }
        return bucketToShard[bucket];
    }

    public int shardOf(String tenant, String documentId) {
        return bucketToShard[bucketOf(tenant, documentId)];
    }

    public int buckets() {
        return buckets;
    }

    public int shardCount() {
        return shardCount;
    }

    @Override
    public String toString() {
        return "ShardRouter{buckets=" + buckets + ", shards=" + shardCount + "}";
    }

    /** Builds a router; {@link #build()} validates the map. */
    public static final class Builder {
        private int buckets = KbConfig.of(java.util.Map.of()).get(PostgresOptions.BUCKETS);
        private int shardCount = -1;
        private int[] bucketMap;

        private Builder() {}

        public Builder buckets(int buckets) {
            this.buckets = buckets;
            return this;
        }

        public Builder shardCount(int shardCount) {
            this.shardCount = shardCount;
            return this;
        }

        /** An explicit bucket→shard map of length {@code buckets}; default is modulo. */
        public Builder bucketMap(int[] bucketMap) {
            this.bucketMap = Objects.requireNonNull(bucketMap, "bucketMap").clone();
            return this;
        }

        public ShardRouter build() {
            if (buckets <= 0) {
                throw new IllegalArgumentException("buckets must be positive: " + buckets);
            }
            if (shardCount <= 0) {
                throw new IllegalArgumentException("shardCount must be positive: " + shardCount);
            }
            if (shardCount > buckets) {
                throw new IllegalArgumentException(
                        "more shards (" + shardCount + ") than buckets (" + buckets + ")");
            }
            int[] map = bucketMap;
            if (map == null) {
                map = new int[buckets];
                for (int b = 0; b < buckets; b++) {
                    map[b] = b % shardCount;
                }
            } else {
                if (map.length != buckets) {
                    throw new IllegalArgumentException(
                            "bucket map has " + map.length + " entries, expected " + buckets);
                }
                boolean[] used = new boolean[shardCount];
                for (int b = 0; b < buckets; b++) {
                    if (map[b] < 0 || map[b] >= shardCount) {
                        throw new IllegalArgumentException(
                                "bucket " + b + " maps to shard " + map[b] + " of " + shardCount);
                    }
                    used[map[b]] = true;
                }
                for (int s = 0; s < shardCount; s++) {
                    if (!used[s]) {
                        throw new IllegalArgumentException("shard " + s + " has no bucket");
                    }
                }
            }
            return new ShardRouter(buckets, shardCount, Arrays.copyOf(map, map.length));
        }
    }
}
