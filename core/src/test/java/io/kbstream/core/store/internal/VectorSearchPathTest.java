package io.kbstream.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for the choice between exact and HNSW vector search in {@link PgShardedStore}. */
class VectorSearchPathTest {

    private static final int BELOW = 10_000;
    private static final double SHARE = 0.5;

    @Test
    void a_tenant_among_many_others_is_searched_exactly_below_the_threshold() {
        assertThat(PgShardedStore.searchedExactly(100, 1_000_000, BELOW, SHARE)).isTrue();
        assertThat(PgShardedStore.searchedExactly(9_999, 1_000_000, BELOW, SHARE)).isTrue();
        assertThat(PgShardedStore.searchedExactly(10_000, 1_000_000, BELOW, SHARE)).isFalse();
    }

    @Test
    void a_tenant_holding_most_of_the_graph_walks_it_unless_it_is_tiny() {
        // the SciFact tenant: ~6,200 of ~8,000 vectors on a shard
        assertThat(PgShardedStore.searchedExactly(6_188, 8_010, BELOW, SHARE)).isFalse();
        assertThat(PgShardedStore.searchedExactly(6_188, 12_376, BELOW, SHARE)).isFalse();
        assertThat(PgShardedStore.searchedExactly(6_188, 12_377, BELOW, SHARE)).isTrue();
        // a scan of a few rows costs no more than a walk: exact, whatever the share
        assertThat(PgShardedStore.searchedExactly(1_999, 1_999, BELOW, SHARE)).isTrue();
        assertThat(PgShardedStore.searchedExactly(2_000, 2_000, BELOW, SHARE)).isFalse();
    }

    @Test
    void an_unknown_table_size_keeps_the_exact_search_and_zero_turns_it_off() {
        assertThat(PgShardedStore.searchedExactly(6_188, -1, BELOW, SHARE)).isTrue();
        assertThat(PgShardedStore.searchedExactly(6_188, 0, BELOW, SHARE)).isTrue();
        assertThat(PgShardedStore.searchedExactly(5, 10, 0, SHARE)).isFalse();
        // a share above 1 is never reached: the size threshold alone decides
        assertThat(PgShardedStore.searchedExactly(6_188, 6_188, BELOW, 1.01)).isTrue();
    }

    @Test
    void the_share_defaults_to_one_half() {
        assertThat(KbConfig.of(Map.of()).get(PostgresOptions.EXACT_MAX_SHARE)).isEqualTo(0.5);
    }
}
