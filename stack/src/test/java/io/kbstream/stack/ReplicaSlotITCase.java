package io.kbstream.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The local stack's replicas stream through replication slots, and one that can no longer catch up
 * (here: its slot dropped, as for a replica made before slots, or one whose WAL the primary
 * removed) is copied again at the next start instead of lagging for ever. Runs on the project's
 * stack: shard 1's replica is stopped, its slot dropped, and started again.
 */
class ReplicaSlotITCase {

    private static final String SLOT = "shard1_replica0";
    private static final String REPLICA = "postgres-shard-1-replica-0";

    @Test
    void a_replica_without_its_slot_is_copied_again_at_start_and_streams_through_a_new_one()
            throws Exception {
        LocalStack stack = LocalStack.open(url -> {});
        KbConfig config = stack.config();
        String primary = onPostgresDb(config.get(PostgresOptions.SHARDS).get(1));
        String replica = onPostgresDb(config.get(PostgresOptions.REPLICAS).get(1));
        String user = config.get(PostgresOptions.USER);
        String password = config.get(PostgresOptions.PASSWORD);
        StackService service = stack.service(REPLICA);
        // a restart: copies it again if an older version of the stack made it without a slot
        service.down();
        service.up();

        assertThat(slotStatus(primary, user, password)).isPresent().get().isNotEqualTo("lost");
        assertReplicates(primary, replica, user, password);

        service.down();
        try (Connection c = DriverManager.getConnection(primary, user, password);
                PreparedStatement st = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            st.setString(1, SLOT);
            st.executeQuery().close();
        }
        assertThat(slotStatus(primary, user, password)).isEmpty();

        service.up();

        assertThat(service.status().running()).isTrue();
        assertThat(slotStatus(primary, user, password)).isPresent().get().isNotEqualTo("lost");
        assertReplicates(primary, replica, user, password);
    }

    /** A row written on the primary becomes visible on the replica. */
    private static void assertReplicates(
            String primary, String replica, String user, String password) throws Exception {
        String marker = UUID.randomUUID().toString();
        try (Connection c = DriverManager.getConnection(primary, user, password);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS kb_replica_probe (marker text PRIMARY KEY)");
            st.execute("INSERT INTO kb_replica_probe VALUES ('" + marker + "')");
        }
        try {
            // replay is asynchronous: the stack's own wait polls for the marker
            Processes.waitFor(
                    "the marker row on " + REPLICA,
                    Duration.ofSeconds(60),
                    () -> visible(replica, user, password, marker),
                    null);
            assertThat(visible(replica, user, password, marker))
                    .as("the marker row reached the replica")
                    .isTrue();
        } finally {
            try (Connection c = DriverManager.getConnection(primary, user, password);
                    Statement st = c.createStatement()) {
                st.execute("DELETE FROM kb_replica_probe WHERE marker = '" + marker + "'");
            }
        }
    }

    private static boolean visible(String replica, String user, String password, String marker) {
        try (Connection c = DriverManager.getConnection(replica, user, password);
                PreparedStatement st =
                        c.prepareStatement("SELECT 1 FROM kb_replica_probe WHERE marker = ?")) {
            st.setString(1, marker);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            return false; // starting, or the table not replayed yet
        }
    }

    private static Optional<String> slotStatus(String primary, String user, String password)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(primary, user, password);
                PreparedStatement st =
                        c.prepareStatement(
                                "SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, SLOT);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** The same server's {@code postgres} database: the probe stays out of the shard's own. */
    private static String onPostgresDb(String jdbcUrl) {
        return jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1) + "postgres";
    }
}
