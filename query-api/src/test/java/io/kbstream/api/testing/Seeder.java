package io.kbstream.api.testing;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ChunkRow;
import io.kbstream.core.store.IndexedDocument;
import io.kbstream.core.store.ShardedStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.JedisPooled;

/**
 * Writes indexed documents straight into the real shards (as the indexing job would: real
 * embeddings, then a generation bump), so search tests do not depend on the pipeline. Each write
 * returns once every shard's replicas have replayed it: searches read replicas first, and a test
 * that searches right after seeding must not race the replication.
 */
public final class Seeder implements AutoCloseable {

    private final ShardedStore store;
    private final JedisPooled redis;
    private final Embedder embedder;
    private final KbConfig config;
    private long version = System.currentTimeMillis() * 1000;

    public Seeder(KbConfig config) {
        this.store = ShardedStore.open(config);
        this.redis = RedisConnections.pooled(config);
        this.embedder = Embedders.shared(config);
        this.config = config;
    }

    /**
     * Indexes a document whose chunks are the given texts, waits for the replicas to replay it,
     * then bumps the tenant's generation.
     */
    public void index(
            String tenant,
            String id,
            String title,
            Map<String, String> metadata,
            String... chunks) {
        write(tenant, id, title, metadata, chunks);
        awaitReplicas();
        new IndexGenerations(redis).bump(tenant);
    }

    /** As {@link #index}, without waiting for the replicas (a test that holds their replay). */
    public void indexOnPrimaries(
            String tenant,
            String id,
            String title,
            Map<String, String> metadata,
            String... chunks) {
        write(tenant, id, title, metadata, chunks);
        new IndexGenerations(redis).bump(tenant);
    }

    private void write(
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
    }

    public void bump(String tenant) {
        new IndexGenerations(redis).bump(tenant);
    }

    public void deleteTenant(String tenant) {
        store.deleteTenant(tenant);
        awaitReplicas();
    }

    /**
     * Waits until each replica has replayed its primary's WAL up to where it is now (replica i
     * follows shard i mod the shard count, as {@link PostgresOptions#REPLICAS} says).
     */
    public void awaitReplicas() {
        List<String> shards = config.get(PostgresOptions.SHARDS);
        List<String> replicas = config.get(PostgresOptions.REPLICAS);
        if (replicas.isEmpty()) {
            return;
        }
        try {
            String[] lsn = new String[shards.size()];
            for (int s = 0; s < shards.size(); s++) {
                lsn[s] = single(shards.get(s), "SELECT pg_current_wal_lsn()::text");
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            for (int r = 0; r < replicas.size(); r++) {
                String caughtUp =
                        "SELECT (pg_last_wal_replay_lsn() >= '"
                                + lsn[r % shards.size()]
                                + "'::pg_lsn)::text";
                while (!"true".equals(single(replicas.get(r), caughtUp))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "replica " + replicas.get(r) + " did not replay the seed in 30 s");
                    }
                    Thread.sleep(5);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the replicas' replay positions", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String single(String url, String sql) throws SQLException {
        try (Connection c =
                        DriverManager.getConnection(
                                url,
                                config.get(PostgresOptions.USER),
                                config.get(PostgresOptions.PASSWORD));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public void close() {
        store.close();
        redis.close();
    }
}
