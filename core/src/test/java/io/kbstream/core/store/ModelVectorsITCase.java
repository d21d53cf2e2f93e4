package io.kbstream.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.core.store.ShardedStore.ChunkText;
import io.kbstream.core.store.internal.PgShardedStore;
import io.kbstream.core.testing.StoreTenants;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tests for vectors per model in {@link ShardedStore} (migration 011), on the local shards. */
class ModelVectorsITCase {

    private static final String A = "test-model";
    private static final String B = "test-model-8d";

    /**
     * Search this tenant's few chunks exactly: the shared tables hold other tests' identical axis
     * vectors, and an approximate HNSW walk may then return a neighbour instead of the exact match
     * (a CI run saw it). ANN recall is not what these tests are about.
     */
    private static final int EXACT = 1_000_000;

    @RegisterExtension static final StoreTenants STORE = new StoreTenants();

    private static PgShardedStore store;

    @BeforeAll
    static void openStore() {
        store = STORE.store();
    }

    @Test
    void chunks_keep_vectors_of_two_models_of_different_dimensions_and_lose_them_with_the_chunk() {
        String tenant = STORE.tenant("mv");
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            docs.add(doc(tenant, "d" + i, 1, i, true));
        }
        store.upsert(docs);

        assertThat(total(tenant, A)).isEqualTo(6);
        assertThat(total(tenant, B)).isEqualTo(6);
        int shard = store.shardOf(tenant, "d2");
        List<ChunkHit> byB =
                store.vectorSearch(
                        ShardNode.primary(shard), tenant, B, axis(8, 2), 1, Map.of(), 10, EXACT);
        assertThat(byB).extracting(ChunkHit::docId).containsExactly("d2");
        List<ChunkHit> byA =
                store.vectorSearch(
                        ShardNode.primary(shard),
                        tenant,
                        A,
                        axis(ShardedStoreITCase.DIM, 2),
                        1,
                        Map.of(),
                        10,
                        EXACT);
        assertThat(byA).extracting(ChunkHit::docId).containsExactly("d2");

        // a new version replaces the chunks, and with them every model's vectors
        store.upsert(List.of(doc(tenant, "d2", 2, 2, false)));
        assertThat(total(tenant, A)).isEqualTo(6);
        assertThat(total(tenant, B)).isEqualTo(5);
        assertThat(store.delete(tenant, "d3", 5)).isTrue();
        assertThat(total(tenant, A)).isEqualTo(5);
        assertThat(total(tenant, B)).isEqualTo(4);
    }

    @Test
    void missing_vectors_are_listed_in_id_order_after_a_position_and_filled_idempotently() {
        String tenant = STORE.tenant("mv");
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            docs.add(doc(tenant, "d" + i, 1, i, false));
        }
        store.upsert(docs);
        store.ensureModel(B, 8);

        for (int s = 0; s < store.shardCount(); s++) {
            List<ChunkText> all = store.chunksWithoutVector(s, tenant, B, 0, 100);
            assertThat(all).extracting(ChunkText::id).isSorted();
            if (all.isEmpty()) {
                continue;
            }
            List<ChunkText> after = store.chunksWithoutVector(s, tenant, B, all.get(0).id(), 100);
            assertThat(after).isEqualTo(all.subList(1, all.size()));
            long[] ids = all.stream().mapToLong(ChunkText::id).toArray();
            float[][] vectors = new float[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                vectors[i] = axis(8, i % 8);
            }
            store.upsertVectors(s, tenant, B, ids, vectors);
            store.upsertVectors(s, tenant, B, ids, vectors); // a replay writes the same
            assertThat(store.chunksWithoutVector(s, tenant, B, 0, 100)).isEmpty();
        }
        assertThat(total(tenant, B)).isEqualTo(5);
        assertThatThrownBy(() -> store.ensureModel(B, 16))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("8-d vectors on this shard, not 16-d");
    }

    @Test
    void a_tenants_models_are_recorded_on_every_shard_and_read_from_the_first() {
        String tenant = STORE.tenant("mv");
        assertThat(store.tenantModels(tenant, "fallback"))
                .isEqualTo(TenantModels.only(tenant, "fallback"));
        store.upsert(List.of(doc(tenant, "d0", 1, 0, false)));
        assertThat(store.tenantModels(tenant, "fallback").active()).isEqualTo(A);

        store.ensureModel(B, 8);
        TenantModels migrating = store.tenantModels(tenant, "fallback").migratingTo(B);
        store.setTenantModels(migrating);
        assertThat(store.tenantModels(tenant, "fallback")).isEqualTo(migrating);
        assertThat(migrating.writeModels()).containsExactly(A, B);
        assertThat(migrating.switched().switchedBack())
                .isEqualTo(new TenantModels(tenant, A, null, B));
    }

    private static long total(String tenant, String model) {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            n += store.countVectors(s, tenant, model);
        }
        return n;
    }

    private static IndexedDocument doc(
            String tenant, String id, long version, int axis, boolean withB) {
        Map<String, float[]> others = withB ? Map.of(B, axis(8, axis % 8)) : Map.of();
        return new IndexedDocument(
                tenant,
                id,
                version,
                "h" + version,
                id,
                Map.of(),
                A,
                List.of(
                        new ChunkRow(
                                0,
                                "text of " + id,
                                0,
                                10,
                                axis(ShardedStoreITCase.DIM, axis),
                                others)));
    }

    private static float[] axis(int dim, int axis) {
        float[] v = new float[dim];
        v[axis] = 1f;
        return v;
    }
}
