package io.kbstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.StackOptions;
import io.kbstream.core.testing.LocalStackConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes replicas' init container, run for real: its script, taken from the rendered
 * manifests, against shard 0 of the local stack standing in for the pod's primary (host and port
 * the only substitutions), with Debian's {@code psql}, {@code pg_isready} and {@code
 * pg_basebackup}. A new volume is copied through a slot of its own; a kept volume whose slot is
 * there is left alone; one whose slot is gone cannot catch up and is copied again. The {@code
 * chown} to the image's {@code postgres} user is left out (the test need not run as root).
 */
class ReplicaInitScriptITCase {

    /** Pod kb-shard-replica-2 follows primary 2 mod 2 = 0; its slot is kb_replica_2. */
    private static final String POD = "kb-shard-replica-2";

    private static final String SLOT = "kb_replica_2";

    private KbConfig config;
    private Path volume;
    private String script;

    @BeforeEach
    void setUp() throws IOException {
        config = LocalStackConfig.load();
        script = initScriptOnLocalPrimary();
        volume = Files.createTempDirectory("kb-replica-volume");
        dropSlot(); // left by an interrupted earlier run
    }

    @AfterEach
    void tearDown() throws Exception {
        // an inactive slot would hold the shared shard's WAL for nobody
        dropSlot();
        try (Stream<Path> files = Files.walk(volume)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void
            a_new_volume_streams_through_its_own_slot_is_kept_while_the_slot_lives_and_is_copied_again_without_it()
                    throws Exception {
        Path pgdata = volume.resolve("pgdata");

        Run first = runScript(pgdata);

        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(slotStatus()).hasValue("reserved");
        assertThat(pgdata.resolve("standby.signal")).exists();
        assertThat(Files.readString(pgdata.resolve("postgresql.auto.conf")))
                .contains("primary_slot_name = '" + SLOT + "'");

        // a restart of the pod: the volume and its slot are there, nothing is copied
        Path marker = Files.writeString(pgdata.resolve("kept-marker"), "x");
        Run restart = runScript(pgdata);

        assertThat(restart.exit()).as(restart.output()).isZero();
        assertThat(marker).exists();
        assertThat(restart.output()).doesNotContain("copying it again");

        // the primary lost the slot (or its WAL): the standby could never catch up
        dropSlot();
        Run recopy = runScript(pgdata);

        assertThat(recopy.exit()).as(recopy.output()).isZero();
        assertThat(recopy.output())
                .contains("standby cannot catch up (slot " + SLOT + ": missing): copying it again");
        assertThat(marker).doesNotExist();
        assertThat(pgdata.resolve("standby.signal")).exists();
        assertThat(slotStatus()).hasValue("reserved");
    }

    private record Run(int exit, String output) {}

    /** The init container's script as the manifests render it, run as the pod would run it. */
    private Run runScript(Path pgdata) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
        pb.environment().put("HOSTNAME", POD);
        pb.environment().put("SHARDS", "2");
        pb.environment().put("POSTGRES_PASSWORD", config.get(PostgresOptions.PASSWORD));
        pb.environment().put("PGDATA", pgdata.toString());
        pb.environment().put("PGPORT", Integer.toString(primaryPort()));
        pb.environment().put("PGCONNECT_TIMEOUT", "5");
        Process p = pb.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the script finished").isTrue();
        return new Run(p.exitValue(), output);
    }

    /**
     * The replicas' init script from the rendered dev manifests, its primary's host replaced by the
     * local one (the port comes from PGPORT) and its chown to the image's user left out.
     */
    private static String initScriptOnLocalPrimary() {
        StatefulSet replicas =
                Manifests.render("dev").typed().stream()
                        .filter(StatefulSet.class::isInstance)
                        .map(StatefulSet.class::cast)
                        .filter(s -> s.getMetadata().getName().equals("kb-shard-replica"))
                        .findFirst()
                        .orElseThrow();
        String rendered =
                replicas.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getInitContainers()
                        .get(0)
                        .getCommand()
                        .get(2);
        assertThat(rendered)
                .contains("primary=\"kb-shard-$shard.kb-shard\"")
                .contains("chown -R postgres:postgres \"$PGDATA\"");
        return rendered.replace("primary=\"kb-shard-$shard.kb-shard\"", "primary=127.0.0.1")
                .replace("chown -R postgres:postgres \"$PGDATA\"", ":");
    }

    private int primaryPort() {
        return config.get(StackOptions.PORT_BASE);
    }

    private Connection primary() throws Exception {
        return DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + primaryPort() + "/kb",
                config.get(PostgresOptions.USER),
                config.get(PostgresOptions.PASSWORD));
    }

    private Optional<String> slotStatus() throws Exception {
        try (Connection c = primary();
                PreparedStatement st =
                        c.prepareStatement(
                                "SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, SLOT);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private void dropSlot() {
        try (Connection c = primary();
                PreparedStatement st =
                        c.prepareStatement(
                                "SELECT pg_drop_replication_slot(slot_name) FROM"
                                        + " pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, SLOT);
            st.executeQuery().close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot drop slot " + SLOT, e);
        }
    }
}
