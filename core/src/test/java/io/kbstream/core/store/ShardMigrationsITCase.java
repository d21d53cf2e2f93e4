package io.kbstream.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.testing.LocalStackConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Tests for {@link ShardMigrations}: on a scratch database of the first local shard (created and
 * dropped here, so the real {@code kb} database's shard_info is never touched), and on every real
 * shard for idempotency.
 */
class ShardMigrationsITCase {

    private static final String SCRATCH = "kb_it_migrations";

    private static KbConfig config;
    private static String shard0;

    @BeforeAll
    static void loadConfig() {
        config = LocalStackConfig.load();
        shard0 = config.get(PostgresOptions.SHARDS).get(0);
    }

    @BeforeEach
    void createEmptyScratchDatabase() throws Exception {
        try (Connection c = connect(shard0);
                Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + SCRATCH + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + SCRATCH);
        }
    }

    @AfterAll
    static void dropScratchDatabase() throws Exception {
        if (shard0 != null) {
            try (Connection c = connect(shard0);
                    Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + SCRATCH + " WITH (FORCE)");
            }
        }
    }

    @Test
    void concurrent_starters_apply_each_migration_once_and_a_second_run_applies_nothing()
            throws Exception {
        PGSimpleDataSource scratch = dataSource(scratchUrl());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<String>>> runs = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> ShardMigrations.apply(scratch)));
            }
            List<String> appliedByAll = new ArrayList<>();
            for (Future<List<String>> run : runs) {
                appliedByAll.addAll(run.get());
            }
            assertThat(appliedByAll).containsExactlyInAnyOrderElementsOf(ShardMigrations.scripts());
        } finally {
            pool.shutdownNow();
        }

        assertThat(ShardMigrations.apply(scratch)).isEmpty();
        try (Connection c = scratch.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM schema_migrations")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(ShardMigrations.scripts().size());
        }
    }

    @Test
    void every_local_shard_is_up_to_date() {
        for (String url : config.get(PostgresOptions.SHARDS)) {
            assertThat(ShardMigrations.apply(dataSource(url))).as(url).isEmpty();
        }
    }

    @Test
    void the_first_model_is_recorded_and_another_is_refused() {
        PGSimpleDataSource scratch = dataSource(scratchUrl());
        ShardMigrations.apply(scratch);

        ShardMigrations.ensureModel(scratch, "all-minilm-l6-v2", 384);
        ShardMigrations.ensureModel(scratch, "all-minilm-l6-v2", 384);

        assertThatThrownBy(() -> ShardMigrations.ensureModel(scratch, "bge-small-en-v15", 384))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("holds embeddings of model all-minilm-l6-v2 (384-d)")
                .hasMessageContaining("bge-small-en-v15");
        assertThatThrownBy(() -> ShardMigrations.ensureModel(scratch, "all-minilm-l6-v2", 768))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("vector(384)");
    }

    private static String scratchUrl() {
        return shard0.substring(0, shard0.lastIndexOf('/') + 1) + SCRATCH;
    }

    private static PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser(config.get(PostgresOptions.USER));
        ds.setPassword(config.get(PostgresOptions.PASSWORD));
        return ds;
    }

    private static Connection connect(String url) throws Exception {
        String postgres = url.substring(0, url.lastIndexOf('/') + 1) + "postgres";
        return DriverManager.getConnection(
                postgres, config.get(PostgresOptions.USER), config.get(PostgresOptions.PASSWORD));
    }
}
