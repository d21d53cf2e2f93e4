package io.kbstream.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One shard: a Postgres cluster made with initdb under the stack's data folder, on its own port,
 * listening on 127.0.0.1 only, password auth for TCP. Postgres refuses to run as root, so when kb
 * runs as root the cluster belongs to the {@code postgres} user.
 */
final class PostgresShard implements StackService {

    private static final String OS_USER = "postgres";

    private final int index;
    private final int port;
    private final Path pgRoot;
    private final Path binDir;
    private final String user;
    private final String password;
    private final String database;
    private final Consumer<String> afterStart;

    PostgresShard(
            int index,
            int port,
            Path pgRoot,
            Path binDir,
            String user,
            String password,
            String database,
            Consumer<String> afterStart) {
        this.index = index;
        this.port = port;
        this.pgRoot = pgRoot;
        this.binDir = binDir;
        this.user = user;
        this.password = password;
        this.database = database;
        this.afterStart = afterStart;
    }

    @Override
    public String name() {
        return "postgres-shard-" + index;
    }

    @Override
    public String endpoint() {
        return jdbcUrl(database);
    }

    int port() {
        return port;
    }

    private Path dataDir() {
        return pgRoot.resolve("shard" + index);
    }

    private Path logFile() {
        return pgRoot.resolve("shard" + index + ".log");
    }

    @Override
    public void up() {
        if (running().isPresent()) {
            afterStart.accept(jdbcUrl(database)); // e.g. migrations added since it started
            return;
        }
        Processes.requirePortFree(name(), port);
        if (!Files.isRegularFile(dataDir().resolve("PG_VERSION"))) {
            initdb();
        }
        ensureReplicationEntry(dataDir());
        // replicas stream from here (pg_basebackup -R): WAL for them, senders, and WAL kept for a
        // replica that was down a while (its slot keeps it, bounded so a dead replica cannot fill
        // the disk; past the bound its next start copies the primary again);
        // hot_standby_feedback is theirs
        start(
                binDir,
                pgRoot,
                dataDir(),
                logFile(),
                port,
                " -c wal_level=replica -c max_wal_senders=10 -c wal_keep_size=256MB"
                        + " -c max_slot_wal_keep_size=10GB");
        Processes.waitFor(
                name(), Duration.ofSeconds(30), () -> answers(jdbcUrl("postgres")), logFile());
        createDatabase();
        afterStart.accept(jdbcUrl(database));
    }

    @Override
    public void down() {
        if (running().isEmpty()) {
            return;
        }
        stop(binDir, pgRoot, dataDir());
    }

    @Override
    public void kill() {
        Processes.killByPidFile(dataDir().resolve("postmaster.pid"));
    }

    @Override
    public Status status() {
        Optional<ProcessHandle> process = running();
        return process.map(p -> new Status(true, "running, pid " + p.pid()))
                .orElseGet(() -> new Status(false, "stopped"));
    }

    private Optional<ProcessHandle> running() {
        return Processes.liveProcess(dataDir().resolve("postmaster.pid"));
    }

    private void initdb() {
        try {
            Files.createDirectories(dataDir());
            Path pwFile = pgRoot.resolve(".pwfile-" + index);
            Files.writeString(pwFile, password + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(pwFile, PosixFilePermissions.fromString("rw-------"));
            if (Processes.isRoot()) {
                Processes.run(
                        List.of("chown", "-R", OS_USER + ":", pgRoot.toString()),
                        pgRoot.getParent().resolve("stack.log"),
                        Duration.ofSeconds(30));
            }
            try {
                Processes.run(
                        Processes.asUser(
                                OS_USER,
                                List.of(
                                        binDir.resolve("initdb").toString(),
                                        "-D",
                                        dataDir().toString(),
                                        "-U",
                                        user,
                                        "--pwfile=" + pwFile,
                                        "--auth-host=scram-sha-256",
                                        "--auth-local=peer",
                                        "-E",
                                        "UTF8",
                                        "--no-locale")),
                        pgRoot.resolve("initdb-" + index + ".log"),
                        Duration.ofSeconds(120));
            } finally {
                Files.deleteIfExists(pwFile);
            }
        } catch (IOException e) {
            throw new StackException(
                    "cannot prepare " + dataDir() + ": " + e.getMessage(),
                    "check the disk and permissions",
                    e);
        }
    }

    private boolean answers(String url) {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Starts the cluster in {@code dataDir} on {@code port}, 127.0.0.1 only, its socket in its own
     * folder, with {@code options} ({@code -c name=value ...}) on top; returns once pg_ctl has.
     */
    static void start(
            Path binDir, Path pgRoot, Path dataDir, Path logFile, int port, String options) {
        List<String> start = new ArrayList<>();
        start.add(binDir.resolve("pg_ctl").toString());
        start.addAll(
                List.of(
                        "-D",
                        dataDir.toString(),
                        "-l",
                        logFile.toString(),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        "-p "
                                + port
                                + " -c listen_addresses=127.0.0.1"
                                + " -c unix_socket_directories="
                                + dataDir
                                // a replica needs at least its primary's
                                + " -c max_connections=200"
                                + options,
                        "start"));
        Processes.run(
                Processes.asUser(OS_USER, start),
                pgRoot.resolve("pg_ctl.log"),
                Duration.ofSeconds(90));
    }

    /** Stops the cluster in {@code dataDir} (fast: open sessions are ended). */
    static void stop(Path binDir, Path pgRoot, Path dataDir) {
        pgCtl(binDir, pgRoot, dataDir, "-m", "fast", "-w", "stop");
    }

    /** {@code pg_ctl -D dataDir args...} as the clusters' owner. */
    static void pgCtl(Path binDir, Path pgRoot, Path dataDir, String... args) {
        List<String> command =
                new ArrayList<>(
                        List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString()));
        command.addAll(List.of(args));
        Processes.run(
                Processes.asUser(OS_USER, command),
                pgRoot.resolve("pg_ctl.log"),
                Duration.ofSeconds(60));
    }

    /**
     * Lets the kb user open replication connections from 127.0.0.1 (initdb's default file has such
     * a line, an older or edited one may not); read when the server starts.
     */
    private static void ensureReplicationEntry(Path dataDir) {
        Path hba = dataDir.resolve("pg_hba.conf");
        try {
            List<String> lines = Files.readAllLines(hba, StandardCharsets.UTF_8);
            boolean present =
                    lines.stream()
                            .map(String::strip)
                            .anyMatch(
                                    l ->
                                            l.matches(
                                                    "host\\s+replication\\s+\\S+\\s+127\\.0\\.0\\.1/32\\s+.*"));
            if (!present) {
                Files.writeString(
                        hba,
                        "host    replication     all             127.0.0.1/32            scram-sha-256\n",
                        StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new StackException(
                    "cannot read or extend " + hba + ": " + e.getMessage(), "check permissions", e);
        }
    }

    private void createDatabase() {
        try {
            ensureDatabase(jdbcUrl("postgres"), user, password, database);
        } catch (SQLException e) {
            throw new StackException(
                    name() + ": cannot create database " + database + ": " + e.getMessage(),
                    "see " + logFile(),
                    e);
        }
    }

    /**
     * Creates {@code database} on the server of {@code serverUrl} (a JDBC URL of another database
     * there) unless it exists.
     */
    static void ensureDatabase(String serverUrl, String user, String password, String database)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(serverUrl, user, password);
                Statement st = c.createStatement()) {
            boolean exists;
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT 1 FROM pg_database WHERE datname = '"
                                    + database.replace("'", "''")
                                    + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                st.execute("CREATE DATABASE \"" + database.replace("\"", "") + "\"");
            }
        }
    }

    private String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }
}
