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
    void each_model_gets_its_own_vector_table_and_a_known_model_with_another_dimension_is_refused()
            throws Exception {
        PGSimpleDataSource scratch = dataSource(scratchUrl());
        ShardMigrations.apply(scratch);

        String minilm = ShardMigrations.ensureModel(scratch, "all-minilm-l6-v2", 384);
        assertThat(ShardMigrations.ensureModel(scratch, "all-minilm-l6-v2", 384)).isEqualTo(minilm);
        String bge = ShardMigrations.ensureModel(scratch, "bge-small-en-v15", 768);

        assertThat(minilm).isEqualTo("vectors_all_minilm_l6_v2");
        assertThat(bge).isEqualTo("vectors_bge_small_en_v15");
        assertThat(columnType(scratch, bge)).isEqualTo("vector(768)");
        assertThatThrownBy(() -> ShardMigrations.ensureModel(scratch, "all-minilm-l6-v2", 768))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("384-d vectors on this shard, not 768-d");
    }

    @Test
    void migration_011_moves_every_existing_vector_into_its_models_table_and_records_tenants()
            throws Exception {
        PGSimpleDataSource scratch = dataSource(scratchUrl());
        // the shard as builds before 011 left it: vectors in chunks.embedding
        try (Connection c = scratch.getConnection();
                Statement st = c.createStatement()) {
            st.execute(
                    "CREATE TABLE schema_migrations (version int PRIMARY KEY,"
                            + " name text NOT NULL, checksum text NOT NULL,"
                            + " applied_at timestamptz NOT NULL DEFAULT now())");
            for (var script : io.kbstream.core.store.internal.MigrationScripts.load()) {
                if (script.version() >= 11) {
                    break;
                }
                st.execute(script.sql());
                st.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ("
                                + script.version()
                                + ", '"
                                + script.name()
                                + "', '"
                                + script.checksum()
                                + "')");
            }
            st.execute(
                    "INSERT INTO documents (tenant, id, version, content_hash, title, metadata,"
                            + " status, chunk_count, model) VALUES"
                            + " ('t1', 'a', 1, 'h', 'A', '{}', 'INDEXED', 2, 'all-minilm-l6-v2'),"
                            + " ('t2', 'b', 1, 'h', 'B', '{}', 'INDEXED', 1, 'bge-small-en-v15-q')");
            String v = "'[" + "0.05,".repeat(383) + "0.05]'";
            st.execute(
                    "INSERT INTO chunks (tenant, doc_id, chunk_no, version, title, text,"
                            + " start_char, end_char, embedding) VALUES"
                            + " ('t1', 'a', 0, 1, 'A', 'one', 0, 3, "
                            + v
                            + "),"
                            + " ('t1', 'a', 1, 1, 'A', 'two', 4, 7, "
                            + v
                            + "),"
                            + " ('t2', 'b', 0, 1, 'B', 'three', 0, 5, "
                            + v
                            + ")");
        }

        assertThat(ShardMigrations.apply(scratch)).contains("011_model_vectors.sql");

        assertThat(
                        count(
                                scratch,
                                "SELECT count(*) FROM vectors_all_minilm_l6_v2 WHERE tenant = 't1'"))
                .isEqualTo(2);
        assertThat(
                        count(
                                scratch,
                                "SELECT count(*) FROM vectors_bge_small_en_v15_q WHERE tenant = 't2'"))
                .isEqualTo(1);
        assertThat(
                        count(
                                scratch,
                                "SELECT count(*) FROM tenant_models"
                                        + " WHERE (tenant, active) IN (('t1', 'all-minilm-l6-v2'),"
                                        + " ('t2', 'bge-small-en-v15-q'))"))
                .isEqualTo(2);
        assertThat(
                        count(
                                scratch,
                                "SELECT count(*) FROM pg_attribute WHERE attrelid ="
                                        + " 'chunks'::regclass AND attname = 'embedding' AND NOT attisdropped"))
                .isZero();
        // a vector goes with its chunk
        try (Connection c = scratch.getConnection();
                Statement st = c.createStatement()) {
            st.execute("DELETE FROM documents WHERE tenant = 't1'");
        }
        assertThat(count(scratch, "SELECT count(*) FROM vectors_all_minilm_l6_v2")).isZero();
    }

    private static long count(PGSimpleDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String columnType(PGSimpleDataSource ds, String table) throws Exception {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                                        + " WHERE attrelid = '"
                                        + table
                                        + "'::regclass"
                                        + " AND attname = 'embedding'")) {
            rs.next();
            return rs.getString(1);
        }
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
