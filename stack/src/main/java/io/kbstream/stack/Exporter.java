package io.kbstream.stack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Prometheus exporter from Debian's packages ({@code prometheus-node-exporter}, {@code
 * prometheus-redis-exporter}, {@code prometheus-postgres-exporter}) on 127.0.0.1, which the stack's
 * {@link PrometheusServer} scrapes. Passwords reach it through its environment, never its command
 * line, where ps would show them.
 */
final class Exporter implements PidFileService {

    private final String name;
    private final int port;
    private final Path dir;
    private final List<String> command;
    private final Map<String, String> environment;

    private Exporter(
            String name, int port, Path dir, List<String> command, Map<String, String> env) {
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.command = command;
        this.environment = env;
    }

    /** The system group: CPU, memory, disk and network of this machine. */
    static Exporter node(int port, Path dir) {
        return new Exporter(
                "node-exporter",
                port,
                dir,
                List.of("prometheus-node-exporter", "--web.listen-address=127.0.0.1:" + port),
                Map.of());
    }

    static Exporter redis(int port, Path dir, int redisPort, String password) {
        return new Exporter(
                "redis-exporter",
                port,
                dir,
                List.of(
                        "prometheus-redis-exporter",
                        "-web.listen-address=127.0.0.1:" + port,
                        "-redis.addr=redis://127.0.0.1:" + redisPort),
                Map.of("REDIS_PASSWORD", password));
    }

    /** {@code hostPortDatabase}: e.g. {@code 127.0.0.1:34400/kb}. */
    static Exporter postgres(
            int shard, int port, Path dir, String hostPortDatabase, String user, String password) {
        String url = hostPortDatabase;
        return new Exporter(
                "postgres-exporter-" + shard,
                port,
                dir,
                List.of("prometheus-postgres-exporter", "--web.listen-address=127.0.0.1:" + port),
                Map.of(
                        "DATA_SOURCE_URI",
                        url + (url.contains("?") ? "&" : "?") + "sslmode=disable",
                        "DATA_SOURCE_USER",
                        user,
                        "DATA_SOURCE_PASS",
                        password));
    }

    int port() {
        return port;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String endpoint() {
        return "http://127.0.0.1:" + port + "/metrics";
    }

    @Override
    public Path pidFile() {
        return dir.resolve(name + ".pid");
    }

    @Override
    public void up() {
        if (Processes.liveProcess(pidFile()).isPresent()) {
            return;
        }
        Processes.requirePortFree(name, port);
        Path log = dir.resolve(name + ".log");
        try {
            Processes.startDetached(new ArrayList<>(command), environment, dir, log, pidFile());
        } catch (IOException e) {
            throw new StackException(
                    "cannot start " + name + ": " + e.getMessage(),
                    "check that " + command.get(0) + " is installed (scripts/install-prereqs.sh)",
                    e);
        }
        Processes.waitFor(name, Duration.ofSeconds(20), () -> Processes.portOpen(port), log);
    }

    @Override
    public Duration stopTimeout() {
        return Duration.ofSeconds(10);
    }
}
