package io.kbstream.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.Jedis;

/** Redis on 127.0.0.1 with a password, no persistence: it holds caches and statuses only. */
final class RedisServer implements PidFileService {

    private final int port;
    private final Path dir;
    private final String password;

    RedisServer(int port, Path dir, String password) {
        this.port = port;
        this.dir = dir;
        this.password = password;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String endpoint() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public Path pidFile() {
        return dir.resolve("redis.pid");
    }

    @Override
    public void up() {
        if (Processes.liveProcess(pidFile()).isPresent()) {
            return;
        }
        Processes.requirePortFree(name(), port);
        Path conf = dir.resolve("redis.conf");
        try {
            Files.createDirectories(dir);
            // The password lives in a 0600 file, not on the command line where ps would show it.
            String config =
                    String.join(
                            "\n",
                            "port " + port,
                            "bind 127.0.0.1",
                            "protected-mode yes",
                            "daemonize yes",
                            "pidfile " + pidFile(),
                            "dir " + dir,
                            "logfile " + dir.resolve("redis.log"),
                            "save \"\"",
                            "appendonly no",
                            "maxmemory 256mb",
                            "maxmemory-policy allkeys-lru",
                            "requirepass " + password,
                            "");
            Files.writeString(conf, config, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new StackException(
                    "cannot write " + conf + ": " + e.getMessage(), "check the disk", e);
        }
        Processes.run(
                List.of("redis-server", conf.toString()),
                dir.resolve("start.log"),
                Duration.ofSeconds(30));
        Processes.waitFor(name(), Duration.ofSeconds(20), this::answers, dir.resolve("redis.log"));
    }

    @Override
    public Duration stopTimeout() {
        return Duration.ofSeconds(10);
    }

    private boolean answers() {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 1000)) {
            jedis.auth(password);
            return "PONG".equals(jedis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
