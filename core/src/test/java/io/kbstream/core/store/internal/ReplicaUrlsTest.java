package io.kbstream.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.StackOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for the replica URLs of {@link PgShardedStore} and their defaults. */
class ReplicaUrlsTest {

    @Test
    void the_ith_replica_serves_shard_i_mod_the_shard_count() {
        assertThat(PgShardedStore.replicasByShard(List.of("a0", "b0", "a1", "b1"), 2))
                .containsExactly(List.of("a0", "a1"), List.of("b0", "b1"));
        assertThat(PgShardedStore.replicasByShard(List.of(), 3))
                .containsExactly(List.of(), List.of(), List.of());
    }

    @Test
    void replicas_not_a_multiple_of_the_shards_are_refused_by_name() {
        assertThatThrownBy(() -> PgShardedStore.replicasByShard(List.of("a", "b", "c"), 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PostgresOptions.REPLICAS.key());
    }

    @Test
    void local_replicas_follow_the_port_base_replica_major() {
        KbConfig config =
                KbConfig.of(
                        Map.of(
                                StackOptions.PORT_BASE.key(), "1000",
                                StackOptions.REPLICAS_PER_SHARD.key(), "2"));

        assertThat(config.get(PostgresOptions.REPLICAS))
                .containsExactly(
                        "jdbc:postgresql://127.0.0.1:1040/kb",
                        "jdbc:postgresql://127.0.0.1:1041/kb",
                        "jdbc:postgresql://127.0.0.1:1050/kb",
                        "jdbc:postgresql://127.0.0.1:1051/kb");
    }

    @Test
    void shards_other_than_the_local_stack_have_no_guessed_replicas() {
        KbConfig config =
                KbConfig.of(
                        Map.of(
                                PostgresOptions.SHARDS.key(),
                                "jdbc:postgresql://db.example:5432/kb"));

        assertThat(config.get(PostgresOptions.REPLICAS)).isEmpty();
    }

    @Test
    void read_from_takes_the_dashed_names() {
        KbConfig config = KbConfig.of(Map.of(PostgresOptions.READ_FROM.key(), "primary-only"));

        assertThat(config.get(PostgresOptions.READ_FROM))
                .isEqualTo(PostgresOptions.ReadFrom.PRIMARY_ONLY);
    }
}
