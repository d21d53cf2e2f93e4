package io.kbstream.core.store;

import io.kbstream.core.store.internal.MigrationScripts;
import io.kbstream.core.store.internal.MigrationScripts.Script;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one shard's schema up to date with the migrations packaged in the schemas module ({@code
 * sql/001_….sql, 002_…}). Each script runs in its own transaction and is recorded in {@code
 * schema_migrations}; every transaction first takes a transaction-scoped advisory lock, so any
 * number of processes may start at once: one applies, the others wait and then find it recorded.
 * Running it again applies nothing.
 */
public final class ShardMigrations {

    private static final Logger LOG = LoggerFactory.getLogger(ShardMigrations.class);

    /** Advisory lock key of schema changes on a shard ("kbmigr" in ASCII). */
    static final long LOCK_KEY = 0x6b626d696772L;

    public static final String MODEL_KEY = "embedding.model";
    public static final String DIMENSION_KEY = "embedding.dimension";

    private ShardMigrations() {}

    /** The packaged migrations' file names, in order. */
    public static List<String> scripts() {
        return MigrationScripts.load().stream().map(Script::name).toList();
    }

    /**
     * Applies every packaged migration not yet recorded on the shard.
     *
     * @return the file names applied now (empty if the shard was up to date)
     */
    public static List<String> apply(DataSource shard) {
        List<Script> scripts = MigrationScripts.load();
        List<String> applied = new ArrayList<>();
        try (Connection c = shard.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    lock(c);
                    st.execute(
                            "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                    + " version int PRIMARY KEY,"
                                    + " name text NOT NULL,"
                                    + " checksum text NOT NULL,"
                                    + " applied_at timestamptz NOT NULL DEFAULT now())");
                    c.commit();
                }
                for (Script script : scripts) {
                    if (applyOne(c, script)) {
                        applied.add(script.name());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new StoreException(-1, "applying shard migrations failed: " + e.getMessage(), e);
        }
        if (!applied.isEmpty()) {
            LOG.info("applied shard migrations {}", applied);
        }
        return applied;
    }

    private static boolean applyOne(Connection c, Script script) throws SQLException {
        lock(c);
        try (PreparedStatement q =
                c.prepareStatement(
                        "SELECT name, checksum FROM schema_migrations WHERE version = ?")) {
            q.setInt(1, script.version());
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    if (!rs.getString(2).equals(script.checksum())) {
                        // released migrations are immutable; a changed file means someone edited
                        // one in place: say so loudly, but do not block a start over a comment
                        LOG.warn(
                                "migration {} differs from the one applied as {}: put schema changes in"
                                        + " a new numbered file",
                                script.name(),
                                rs.getString(1));
                    }
                    c.commit();
                    return false;
                }
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute(script.sql());
        } catch (SQLException e) {
            throw new SQLException(
                    "migration " + script.name() + " failed: " + e.getMessage(),
                    e.getSQLState(),
                    e);
        }
        try (PreparedStatement ins =
                c.prepareStatement(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)")) {
            ins.setInt(1, script.version());
            ins.setString(2, script.name());
            ins.setString(3, script.checksum());
            ins.executeUpdate();
        }
        c.commit();
        return true;
    }

    /**
     * Makes room for a model's vectors on the shard: its vector table and HNSW index (migration
     * 011's {@code kb_model_vectors}, once per model) and, on a fresh shard, {@code shard_info}'s
     * record of the shard's first model (the one tenants without a record of their own use). A
     * model already known with another dimension is refused with a clear message, instead of mixing
     * vectors from different spaces.
     *
     * @return the name of the model's vector table
     */
    public static String ensureModel(DataSource shard, String model, int dimension) {
        try (Connection c = shard.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                lock(c);
                String table;
                try (PreparedStatement st = c.prepareStatement("SELECT kb_model_vectors(?, ?)")) {
                    st.setString(1, model);
                    st.setInt(2, dimension);
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        table = rs.getString(1);
                    }
                }
                try (PreparedStatement ins =
                        c.prepareStatement(
                                "INSERT INTO shard_info (key, value) VALUES (?, ?), (?, ?)"
                                        + " ON CONFLICT (key) DO NOTHING")) {
                    ins.setString(1, MODEL_KEY);
                    ins.setString(2, model);
                    ins.setString(3, DIMENSION_KEY);
                    ins.setString(4, Integer.toString(dimension));
                    ins.executeUpdate();
                }
                c.commit();
                return table;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new StoreException(
                    -1, "preparing the shard for model " + model + " failed: " + e.getMessage(), e);
        }
    }

    private static void lock(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            st.setLong(1, LOCK_KEY);
            st.execute();
        }
    }
}
