package io.kbstream.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.core.config.KbConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link ShardRouter}. */
class ShardRouterTest {

    @Test
    void a_document_keeps_its_bucket_forever() {
        // Pinned values: if these change, every stored document is on the wrong shard.
        assertThat(ShardRouter.bucketOf("acme", "doc-1", 1024)).isEqualTo(bucket("acme", "doc-1"));
        assertThat(ShardRouter.bucketOf("acme", "doc-1", 1024)).isEqualTo(PINNED_ACME_DOC1);
        assertThat(ShardRouter.bucketOf("demo", "readme.md", 1024)).isEqualTo(PINNED_DEMO_README);
        assertThat(ShardRouter.bucketOf("t", "", 1024)).isEqualTo(PINNED_T_EMPTY);
    }

    private static final int PINNED_ACME_DOC1 = 545;
    private static final int PINNED_DEMO_README = 966;
    private static final int PINNED_T_EMPTY = 758;

    private static int bucket(String tenant, String id) {
        return ShardRouter.of(1024, 2).bucketOf(tenant, id);
    }

    @Test
    void tenant_and_id_are_separated_so_they_cannot_collide_by_concatenation() {
        ShardRouter router = ShardRouter.of(1 << 20, 2);
        assertThat(router.bucketOf("ab", "c")).isNotEqualTo(router.bucketOf("a", "bc"));
    }

    @Test
    void buckets_spread_evenly_over_shards() {
        ShardRouter router = ShardRouter.of(1024, 2);
        int[] perShard = new int[2];
        int[] perBucket = new int[1024];
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            perShard[router.shardOf("tenant-" + (i % 7), "doc-" + i)]++;
            perBucket[router.bucketOf("tenant-" + (i % 7), "doc-" + i)]++;
        }
        assertThat(perShard[0]).isBetween(n / 2 - n / 50, n / 2 + n / 50);
        int expected = n / 1024;
        for (int b = 0; b < 1024; b++) {
            assertThat(perBucket[b]).as("bucket %d", b).isBetween(expected / 2, expected * 2);
        }
    }

    @Test
    void default_map_is_bucket_modulo_shards() {
        ShardRouter router = ShardRouter.of(1024, 3);
        for (int b = 0; b < 1024; b++) {
            assertThat(router.shardOfBucket(b)).isEqualTo(b % 3);
        }
        assertThat(router.shardOf("acme", "doc-1")).isEqualTo(router.bucketOf("acme", "doc-1") % 3);
    }

    @Test
    void bucket_does_not_depend_on_shard_count() {
        assertThat(ShardRouter.of(1024, 2).bucketOf("acme", "x"))
                .isEqualTo(ShardRouter.of(1024, 5).bucketOf("acme", "x"));
    }

    @Test
    void explicit_map_moves_only_the_chosen_buckets() {
        int[] map = new int[8];
        for (int b = 0; b < 8; b++) {
            map[b] = b % 2;
        }
        map[7] = 2; // the new shard takes bucket 7 only
        ShardRouter grown = ShardRouter.builder().buckets(8).shardCount(3).bucketMap(map).build();
        ShardRouter before = ShardRouter.of(8, 2);
        for (int b = 0; b < 7; b++) {
            assertThat(grown.shardOfBucket(b)).isEqualTo(before.shardOfBucket(b));
        }
        assertThat(grown.shardOfBucket(7)).isEqualTo(2);
    }

    @Test
    void builder_rejects_invalid_maps() {
        assertThatThrownBy(() -> ShardRouter.of(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShardRouter.of(4, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                ShardRouter.builder()
                                        .buckets(2)
                                        .shardCount(2)
                                        .bucketMap(new int[] {0, 0})
                                        .build())
                .hasMessageContaining("shard 1 has no bucket");
        assertThatThrownBy(
                        () ->
                                ShardRouter.builder()
                                        .buckets(2)
                                        .shardCount(2)
                                        .bucketMap(new int[] {0, 2})
                                        .build())
                .hasMessageContaining("maps to shard 2");
    }

    @Test
    void config_gives_buckets_and_shard_count() {
        ShardRouter router =
                ShardRouter.fromConfig(
                        KbConfig.of(
                                Map.of(
                                        "kb.store.buckets", "64",
                                        "kb.postgres.shards", "jdbc:a,jdbc:b,jdbc:c")));
        assertThat(router.buckets()).isEqualTo(64);
        assertThat(router.shardCount()).isEqualTo(3);
    }
}
