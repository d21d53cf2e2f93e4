package io.kbstream.benchmark.report;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A database of a given name beside the shard database on every shard's server, for a pipeline with
 * another model (a shard records the one model whose vectors it holds); the shard migrations are
 * applied when a store opens it.
 */
final class ScratchDatabases {

    private ScratchDatabases() {}

    static void recreate(KbConfig config, String database) throws SQLException {
        drop(config, database);
        forEachServer(config, st -> st.execute("CREATE DATABASE " + database));
    }

    static void drop(KbConfig config, String database) throws SQLException {
        forEachServer(
                config, st -> st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)"));
    }

    private interface Sql {
        void on(Statement st) throws SQLException;
    }

    private static void forEachServer(KbConfig config, Sql sql) throws SQLException {
        for (String shard : config.get(PostgresOptions.SHARDS)) {
            String postgres = shard.substring(0, shard.lastIndexOf('/') + 1) + "postgres";
            try (Connection c =
                            DriverManager.getConnection(
                                    postgres,
                                    config.get(PostgresOptions.USER),
                                    config.get(PostgresOptions.PASSWORD));
                    Statement st = c.createStatement()) {
                sql.on(st);
            }
        }
    }
}
