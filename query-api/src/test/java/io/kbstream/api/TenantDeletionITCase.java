package io.kbstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.client.EventStream;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.testing.LocalStackConfig;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Deleting a tenant through the admin API leaves no row on any shard, no Redis key and no catalog
 * entry of it, refuses its key, reports progress on the WebSocket, and leaves another tenant as it
 * was.
 */
class TenantDeletionITCase {

    private static ApiUnderTest api;
    private static Seeder seeder;
    private static ShardedStore store;
    private static UnifiedJedis redis;

    @BeforeAll
    static void start() {
        api = new ApiUnderTest();
        seeder = new Seeder(api.config);
        store = ShardedStore.open(api.config);
        redis = RedisConnections.pooled(api.config);
    }

    @AfterAll
    static void stop() {
        seeder.deleteTenant(api.tenantB);
        seeder.close();
        store.close();
        redis.close();
        api.close();
    }

    @Test
    void a_deleted_tenant_leaves_no_row_redis_key_or_catalog_entry_and_its_key_is_refused()
            throws Exception {
        String tenant = LocalStackConfig.uniqueTenant("del");
        api.admin().createTenant(tenant);
        String key = api.admin().createKey(tenant, null).key();
        // documents on every shard (ids spread by the router), and the same for tenant B
        for (int i = 0; i < 12; i++) {
            seeder.index(tenant, "doc-" + i, "title " + i, Map.of("n", "" + i), "wombat text " + i);
            seeder.index(api.tenantB, "doc-" + i, "title " + i, Map.of(), "wombat text " + i);
        }
        for (int s = 0; s < store.shardCount(); s++) {
            assertThat(store.countDocuments(s, tenant)).as("shard " + s).isPositive();
        }
        // Redis keys of every kind: statuses and usage (uploads), cached searches, generation
        assertThat(api.putJson("/v1/documents/up", key, "{\"text\":\"wombat\"}").statusCode())
                .isEqualTo(202);
        assertThat(api.postJson("/v1/search", key, "{\"query\":\"wombat\"}").statusCode())
                .isEqualTo(200);
        seeder.bump(tenant);
        assertThat(redisKeysOf(tenant)).isNotEmpty();
        List<Long> chunkIds = chunkIds(tenant);
        assertThat(chunkIds).isNotEmpty();
        long bDocuments = documents(api.tenantB);

        try (EventStream events = api.events("Bearer " + key)) {
            events.await("subscribed", 10);
            var r = api.delete("/admin/v1/tenants/" + tenant, api.operatorKey);
            assertThat(r.statusCode()).isEqualTo(202);
            // refused at once on this instance
            assertThat(api.get("/v1/tenant", key).statusCode()).isEqualTo(401);

            assertThat(events.await("\"step\":\"job-state\"", 60)).contains(tenant);
            assertThat(events.await("\"step\":\"shards\"", 60)).contains(tenant);
            assertThat(events.await("\"tenant-deleted\"", 60)).contains(tenant);
        }

        for (String table :
                List.of(
                        "documents",
                        "chunks",
                        "bm25_tenants",
                        "bm25_terms",
                        "tenants",
                        "api_keys")) {
            assertThat(rows(table, tenant)).as(table).isZero();
        }
        assertThat(postings(chunkIds)).isZero();
        assertThat(redisKeysOf(tenant)).isEmpty();
        assertThat(api.get("/v1/tenant", key).statusCode()).isEqualTo(401);
        assertThat(api.admin().tenants()).noneMatch(t -> t.tenant().equals(tenant));
        // tenant B untouched
        assertThat(documents(api.tenantB)).isEqualTo(bDocuments);
        assertThat(api.postJson("/v1/search", api.keyB, "{\"query\":\"wombat\"}").body())
                .contains("doc-");
    }

    private static long documents(String tenant) {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            n += store.countDocuments(s, tenant);
        }
        return n;
    }

    private static Set<String> redisKeysOf(String tenant) {
        Set<String> keys = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page =
                    redis.scan(cursor, new ScanParams().match("*" + tenant + "*").count(1000));
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        return keys;
    }

    private static long rows(String table, String tenant) throws Exception {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            try (Connection c = store.dataSource(s).getConnection();
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT count(*) FROM " + table + " WHERE tenant = ?")) {
                st.setString(1, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    n += rs.getLong(1);
                }
            }
        }
        return n;
    }

    private static List<Long> chunkIds(String tenant) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int s = 0; s < store.shardCount(); s++) {
            try (Connection c = store.dataSource(s).getConnection();
                    PreparedStatement st =
                            c.prepareStatement("SELECT id FROM chunks WHERE tenant = ?")) {
                st.setString(1, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        ids.add(s * 1_000_000_000_000L + rs.getLong(1));
                    }
                }
            }
        }
        return ids;
    }

    /** Postings of the given chunks (shard-tagged ids, see {@link #chunkIds}). */
    private static long postings(List<Long> taggedIds) throws Exception {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            List<Long> ids = new ArrayList<>();
            for (long t : taggedIds) {
                if (t / 1_000_000_000_000L == s) {
                    ids.add(t % 1_000_000_000_000L);
                }
            }
            try (Connection c = store.dataSource(s).getConnection();
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT count(*) FROM bm25_postings WHERE chunk_id = ANY(?)")) {
                Array array = c.createArrayOf("bigint", ids.toArray());
                st.setArray(1, array);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    n += rs.getLong(1);
                }
            }
        }
        return n;
    }
}
