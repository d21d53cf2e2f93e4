package io.kbstream.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A read-only streaming replica of one shard: a copy of its primary made with {@code pg_basebackup
 * -R} (which writes the standby signal and the connection back to the primary), on its own port,
 * replaying the primary's WAL as it streams. It keeps streaming across a restart of the primary
 * (its WAL receiver reconnects by itself).
 */
final class PostgresReplica implements StackService {

    private static final String OS_USER = "postgres";

    private final int shard;
    private final int replica;
    private final int port;
    private final int primaryPort;
    private final Path pgRoot;
    private final Path binDir;
    private final String user;
    private final String password;
    private final String database;

    PostgresReplica(
            int shard,
            int replica,
            int port,
            int primaryPort,
            Path pgRoot,
            Path binDir,
            String user,
            String password,
            String database) {
        this.shard = shard;
        this.replica = replica;
        this.port = port;
        this.primaryPort = primaryPort;
        this.pgRoot = pgRoot;
        this.binDir = binDir;
        this.user = user;
        this.password = password;
        this.database = database;
    }

    @Override
    public String name() {
        return "postgres-shard-" + shard + "-replica-" + replica;
    }

    /** The shard it copies. */
    int shard() {
        return shard;
    }

    @Override
    public String endpoint() {
        return jdbcUrl(database, port);
    }

    private Path dataDir() {
        return pgRoot.resolve("shard" + shard + "-replica" + replica);
    }

    private Path logFile() {
        return pgRoot.resolve("shard" + shard + "-replica" + replica + ".log");
    }

    /** The password of replication connections, readable by the postgres user only. */
    private Path passFile() {
        return pgRoot.resolve(".pgpass-replication");
    }

    @Override
    public void up() {
        if (running().isPresent()) {
            return;
        }
        Processes.requirePortFree(name(), port);
        if (Files.isRegularFile(dataDir().resolve("PG_VERSION"))) {
            Optional<String> lost = cannotCatchUp();
            if (lost.isPresent()) {
                // a replica that cannot get the WAL it misses would serve older and older rows
                // (searches skip it as lagging for ever): copy the primary again
                System.out.println(name() + " is copied again: " + lost.get());
                deleteDataDir();
            }
        }
        if (!Files.isRegularFile(dataDir().resolve("PG_VERSION"))) {
            dropSlot();
            baseBackup();
        }
        // hot_standby_feedback: the primary keeps rows a running search here still reads, so
        // replay does not cancel it
        PostgresShard.start(
                binDir,
                pgRoot,
                dataDir(),
                logFile(),
                port,
                " -c hot_standby=on -c hot_standby_feedback=on");
        Processes.waitFor(name(), Duration.ofSeconds(60), this::answers, logFile());
    }

    private void baseBackup() {
        writePassFile();
        String conninfo =
                "host=127.0.0.1 port="
                        + primaryPort
                        + " user="
                        + user
                        + " passfile="
                        + passFile()
                        + " application_name="
                        + applicationName();
        Processes.run(
                Processes.asUser(
                        OS_USER,
                        List.of(
                                binDir.resolve("pg_basebackup").toString(),
                                "-d",
                                conninfo,
                                "-D",
                                dataDir().toString(),
                                "-R",
                                "-X",
                                "stream",
                                // its own slot: the primary keeps the WAL it has not replayed
                                // yet (up to max_slot_wal_keep_size), however busy the primary
                                "-C",
                                "-S",
                                slotName(),
                                "-c",
                                "fast")),
                pgRoot.resolve("basebackup-" + shard + "-" + replica + ".log"),
                Duration.ofMinutes(10));
    }

    private void writePassFile() {
        Path file = passFile();
        try {
            Files.deleteIfExists(file);
            Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
            // host:port:database:user:password, each ':' and '\' escaped
            String escaped = password.replace("\\", "\\\\").replace(":", "\\:");
            Files.writeString(
                    file, "127.0.0.1:*:*:" + user + ":" + escaped + "\n", StandardCharsets.UTF_8);
            if (Processes.isRoot()) {
                Processes.run(
                        List.of("chown", OS_USER + ":", file.toString()),
                        pgRoot.getParent().resolve("stack.log"),
                        Duration.ofSeconds(10));
            }
        } catch (IOException e) {
            throw new StackException(
                    "cannot write " + file + ": " + e.getMessage(), "check permissions", e);
        }
    }

    private String applicationName() {
        return "shard" + shard + "_replica" + replica;
    }

    /** A connection to its primary's {@code postgres} database. */
    private Connection primary() throws SQLException {
        return DriverManager.getConnection(jdbcUrl("postgres", primaryPort), user, password);
    }

    /** Its replication slot on the primary. */
    private String slotName() {
        return applicationName();
    }

    /**
     * Why this standby can no longer follow its primary, if it cannot: it was made without a slot
     * (before slots, or its slot was dropped), or the primary removed WAL it had not replayed (the
     * slot is lost past {@code max_slot_wal_keep_size}). A promoted replica (no standby signal)
     * follows no one and is left alone; so is one whose primary does not answer.
     */
    private Optional<String> cannotCatchUp() {
        if (!Files.isRegularFile(dataDir().resolve("standby.signal"))) {
            return Optional.empty();
        }
        try (Connection c = primary();
                PreparedStatement st =
                        c.prepareStatement(
                                "SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, slotName());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.of("it has no replication slot on its primary");
                }
                if ("lost".equals(rs.getString(1))) {
                    return Optional.of("its primary removed WAL it had not replayed");
                }
                return Optional.empty();
            }
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** Drops its slot on the primary, if there is one, so a new copy can create it again. */
    private void dropSlot() {
        try (Connection c = primary();
                PreparedStatement st =
                        c.prepareStatement(
                                "SELECT pg_drop_replication_slot(slot_name)"
                                        + " FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, slotName());
            st.executeQuery().close();
        } catch (SQLException e) {
            throw new StackException(
                    name() + ": cannot drop the old replication slot " + slotName(),
                    "is the primary up? see " + pgRoot.resolve("shard" + shard + ".log"),
                    e);
        }
    }

    private void deleteDataDir() {
        try {
            FileTrees.delete(dataDir());
        } catch (IOException e) {
            throw new StackException(
                    "cannot delete " + dataDir() + ": " + e.getMessage(), "check permissions", e);
        }
    }

    @Override
    public void down() {
        if (running().isPresent()) {
            PostgresShard.stop(binDir, pgRoot, dataDir());
        }
    }

    @Override
    public void kill() {
        Processes.killByPidFile(dataDir().resolve("postmaster.pid"));
    }

    /**
     * Ends recovery: from now on it takes writes on its own port and no longer follows its primary.
     */
    void promote() {
        if (running().isEmpty()) {
            throw new StackException(name() + " is not running", "start it: kb stack up");
        }
        PostgresShard.pgCtl(binDir, pgRoot, dataDir(), "-w", "promote");
    }

    /** Running with its replay lag as the primary sees it, or stopped. */
    @Override
    public Status status() {
        Optional<ProcessHandle> process = running();
        if (process.isEmpty()) {
            return new Status(false, "stopped");
        }
        return new Status(true, "running, pid " + process.get().pid() + ", " + replication());
    }

    /**
     * The primary's view of this replica (pg_stat_replication): bytes not yet replayed and the
     * replay lag of the last WAL it confirmed (0 when it is idle and caught up).
     */
    private String replication() {
        try (Connection c = primary();
                PreparedStatement st =
                        c.prepareStatement(
                                "SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),"
                                        + " COALESCE(EXTRACT(EPOCH FROM replay_lag), 0)"
                                        + " FROM pg_stat_replication WHERE application_name = ?")) {
            st.setString(1, applicationName());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return "not streaming from its primary";
                }
                return String.format(
                        Locale.ROOT,
                        "%s, replay lag %.3f s (%d bytes behind)",
                        rs.getString(1),
                        rs.getDouble(3),
                        rs.getLong(2));
            }
        } catch (SQLException e) {
            return "replay lag unknown (primary unreachable)";
        }
    }

    private boolean answers() {
        try (Connection c =
                DriverManager.getConnection(jdbcUrl("postgres", port), user, password)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private Optional<ProcessHandle> running() {
        return Processes.liveProcess(dataDir().resolve("postmaster.pid"));
    }

    private static String jdbcUrl(String db, int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }
}
