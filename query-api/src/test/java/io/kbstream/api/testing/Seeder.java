package io.kbstream.api.testing;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ChunkRow;
import io.kbstream.core.store.IndexedDocument;
import io.kbstream.core.store.ShardedStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.JedisPooled;

/**
 * Writes indexed documents straight into the real shards (as the indexing job would: real
 * embeddings, then a generation bump), so search tests do not depend on the pipeline.
 */
public final class Seeder implements AutoCloseable {

    private final ShardedStore store;
    private final JedisPooled redis;
    private final Embedder embedder;
    private long version = System.currentTimeMillis() * 1000;

    public Seeder(KbConfig config) {
        this.store = ShardedStore.open(config);
        this.redis = RedisConnections.pooled(config);
        this.embedder = Embedders.shared(config);
    }

    /** Indexes a document whose chunks are the given texts, then bumps the tenant's generation. */
    public void index(
            String tenant,
            String id,
            String title,
            Map<String, String> metadata,
            String... chunks) {
        float[][] vectors = embedder.embed(List.of(chunks));
        List<ChunkRow> rows = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < chunks.length; i++) {
            rows.add(new ChunkRow(i, chunks[i], offset, offset + chunks[i].length(), vectors[i]));
            offset += chunks[i].length() + 1;
        }
        store.upsert(
                List.of(
                        new IndexedDocument(
                                tenant,
                                id,
                                ++version,
                                "hash-" + id + "-" + version,
                                title,
                                metadata,
                                embedder.modelInfo().name(),
                                rows)));
        new IndexGenerations(redis).bump(tenant);
    }

    public void bump(String tenant) {
        new IndexGenerations(redis).bump(tenant);
    }

    public void deleteTenant(String tenant) {
        store.deleteTenant(tenant);
    }

    @Override
    public void close() {
        store.close();
        redis.close();
    }
}
