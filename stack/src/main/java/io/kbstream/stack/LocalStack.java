package io.kbstream.stack;

import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.RedisOptions;
import io.kbstream.core.config.StackOptions;
import io.kbstream.core.kafka.KafkaTopics;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The local stack on 127.0.0.1: Postgres shards, Redis, a KRaft Kafka broker, and Prometheus with
 * its exporters ({@link PrometheusServer#withExporters}), with all data, logs and pid files under
 * one folder ({@code .kb/} by default). Passwords are generated once into {@code
 * .kb/secrets.properties} (mode 0600), which {@link KbConfig#load()} reads.
 */
public final class LocalStack {

    private final KbConfig config;
    private final Path dataDir;
    private final List<StackService> services;
    private final AppProcess pipeline;
    private final AppProcess api;

    private LocalStack(
            KbConfig config, Map<String, String> overrides, Consumer<String> onShardStarted) {
        this.config = config;
        this.dataDir = Path.of(config.get(StackOptions.DATA_DIR));
        int base = config.get(StackOptions.PORT_BASE);
        this.services = new ArrayList<>();
        // the real folder: when .kb/pg links to /var/tmp, postgres can reach only that path
        Path pgRoot = realPath(dataDir.resolve("pg"));
        for (int i = 0; i < config.get(StackOptions.SHARD_COUNT); i++) {
            services.add(
                    new PostgresShard(
                            i,
                            base + i,
                            pgRoot,
                            Path.of(config.get(StackOptions.POSTGRES_BIN)),
                            config.get(PostgresOptions.USER),
                            config.get(PostgresOptions.PASSWORD),
                            config.get(PostgresOptions.DATABASE),
                            onShardStarted));
        }
        // replicas after every primary: each is copied from, then streams from, its primary
        for (int r = 0; r < config.get(StackOptions.REPLICAS_PER_SHARD); r++) {
            for (int i = 0; i < config.get(StackOptions.SHARD_COUNT); i++) {
                services.add(
                        new PostgresReplica(
                                i,
                                r,
                                StackOptions.replicaPort(config, i, r),
                                base + i,
                                pgRoot,
                                Path.of(config.get(StackOptions.POSTGRES_BIN)),
                                config.get(PostgresOptions.USER),
                                config.get(PostgresOptions.PASSWORD),
                                config.get(PostgresOptions.DATABASE)));
            }
        }
        services.add(
                new RedisServer(
                        config.get(RedisOptions.PORT),
                        dataDir.resolve("redis"),
                        config.get(RedisOptions.PASSWORD)));
        services.add(
                new KafkaBroker(
                        base + 20,
                        base + 21,
                        dataDir.resolve("kafka"),
                        config.get(StackOptions.KAFKA_HEAP_MB),
                        config.get(KafkaOptions.MAX_RECORD_BYTES),
                        KafkaTopics.all(config, config.get(StackOptions.KAFKA_PARTITIONS))));
        services.addAll(PrometheusServer.withExporters(config, dataDir.resolve("prometheus")));
        Path runDir = runDir(config);
        // the background processes load the config themselves: hand them the same overrides
        List<String> settings =
                overrides.entrySet().stream()
                        .map(e -> "-D" + e.getKey() + "=" + e.getValue())
                        .toList();
        this.pipeline =
                new AppProcess(
                        "pipeline",
                        config.get(PipelineOptions.FLINK_WEB_PORT),
                        runDir,
                        KbConfig.home(),
                        concat(List.of("-Xmx2g"), settings),
                        List.of("pipeline"));
        this.api =
                new AppProcess(
                        "api",
                        config.get(ApiOptions.PORT),
                        runDir,
                        KbConfig.home(),
                        concat(List.of("-Xmx1g"), settings),
                        List.of("api"));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The indexing job on a local MiniCluster, run in the background by the demo. */
    public AppProcess pipeline() {
        return pipeline;
    }

    /** The query API, run in the background by the demo. */
    public AppProcess api() {
        return api;
    }

    /**
     * Infrastructure first, then the pipeline and the API (in the background or the foreground),
     * the local Flink cluster's processes, then any other process kb tracks by a pid file in the
     * run folder (e.g. a benchmark's).
     */
    public List<StackService> allServices() {
        List<StackService> all = new ArrayList<>(services);
        all.add(pipeline);
        all.add(api);
        all.addAll(new FlinkCluster(config).services());
        all.addAll(trackedProcesses());
        return all;
    }

    /** Where the stack's application processes keep their pid files and logs. */
    public static Path runDir(KbConfig config) {
        return Path.of(config.get(StackOptions.DATA_DIR)).resolve("run");
    }

    private List<StackService> trackedProcesses() {
        Path runDir = runDir(config);
        if (!Files.isDirectory(runDir)) {
            return List.of();
        }
        try (var files = Files.list(runDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pid"))
                    .sorted()
                    .map(f -> f.getFileName().toString().replaceFirst("\\.pid$", ""))
                    .filter(name -> !name.equals(pipeline.name()) && !name.equals(api.name()))
                    .<StackService>map(name -> new TrackedProcess(name, runDir))
                    .toList();
        } catch (IOException e) {
            throw new StackException(
                    "cannot list " + runDir + ": " + e.getMessage(), "check permissions", e);
        }
    }

    /**
     * The private stacks opened beside this one ({@link #open(Map, Consumer)} with another data
     * folder under this one, e.g. the fault scenarios' and the soak's), so {@code kb stack status}
     * shows and {@code kb stack down} stops them too.
     */
    public List<LocalStack> privateStacks() {
        if (!Files.isDirectory(dataDir)) {
            return List.of();
        }
        List<LocalStack> stacks = new ArrayList<>();
        try (var dirs = Files.list(dataDir)) {
            for (Path dir : dirs.sorted().toList()) {
                Path file = dir.resolve(PRIVATE_STACK_FILE);
                if (Files.isRegularFile(file)) {
                    Properties props = new Properties();
                    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                        props.load(r);
                    }
                    Map<String, String> overrides = new LinkedHashMap<>();
                    props.stringPropertyNames()
                            .forEach(k -> overrides.put(k, props.getProperty(k)));
                    stacks.add(open(overrides, url -> {}));
                }
            }
        } catch (IOException e) {
            throw new StackException(
                    "cannot read the private stacks under " + dataDir + ": " + e.getMessage(),
                    "check permissions",
                    e);
        }
        return stacks;
    }

    /** The data folder's name relative to the project's, e.g. {@code faults}. */
    public String label() {
        return dataDir.getFileName().toString();
    }

    /**
     * Opens the stack for the project: generates missing secrets first, then reloads the config so
     * every service sees them. {@code onShardStarted} receives each shard's JDBC URL once it
     * answers (the caller applies migrations there).
     */
    public static LocalStack open(Consumer<String> onShardStarted) {
        return open(Map.of(), onShardStarted);
    }

    /**
     * A stack configured by the project's config plus {@code overrides} (non-secret settings such
     * as {@code kb.stack.port-base} and {@code kb.stack.data-dir}), so a second stack can run
     * beside the project's own, e.g. the fault tests' private one. Secrets stay in the project's
     * {@code .kb/secrets.properties}; the pipeline and API processes receive the overrides as
     * {@code -D} options.
     */
    public static LocalStack open(Map<String, String> overrides, Consumer<String> onShardStarted) {
        Path dataDir = Path.of(KbConfig.load(overrides).get(StackOptions.DATA_DIR));
        // KbConfig reads secrets from the project's .kb/ only: a private stack shares those
        ensureSecrets(overrides.isEmpty() ? dataDir : KbConfig.home().resolve(".kb"));
        KbConfig config = KbConfig.load(overrides);
        preparePgRoot(dataDir);
        if (!overrides.isEmpty()) {
            remember(dataDir, overrides);
        }
        return new LocalStack(config, overrides, onShardStarted);
    }

    public KbConfig config() {
        return config;
    }

    public List<StackService> services() {
        return services;
    }

    /**
     * The service called {@code name}, as {@code kb stack status} shows it (e.g. {@code redis}).
     */
    public StackService service(String name) {
        return allServices().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    /** Starts every service not yet running, in dependency order; idempotent. */
    public void up(Consumer<String> progress) {
        for (StackService service : services) {
            boolean wasRunning = service.status().running();
            if (!wasRunning) {
                progress.accept(String.format("%-18s starting ...", service.name()));
            }
            service.up();
            progress.accept(
                    String.format(
                            "%-18s %s %s",
                            service.name(),
                            wasRunning ? "already up at" : "up at",
                            service.endpoint()));
        }
    }

    /** Stops what kb started, newest first (the demo's processes before the servers they use). */
    public void down(Consumer<String> progress) {
        StackService.stopInReverse(allServices(), progress);
    }

    /**
     * Stops the stack and deletes its data folder: its shards, Kafka log and Redis data start empty
     * on the next {@code up}. For private stacks that must not inherit an aborted run.
     */
    public void erase(Consumer<String> progress) {
        down(progress);
        try {
            FileTrees.delete(dataDir);
        } catch (java.io.IOException e) {
            throw new StackException(
                    "cannot delete " + dataDir + ": " + e.getMessage(), "remove it by hand", e);
        }
    }

    /**
     * Promotes the first running replica of {@code shard} to a primary that takes writes, and
     * returns it. Never automatic: the old primary may be alive but cut off, and two servers both
     * taking writes for one shard (split-brain) diverge with no way to merge. The operator first
     * makes sure the old primary is down for good, then points {@code kb.postgres.shards} at the
     * returned endpoint.
     */
    public StackService promote(int shard) {
        PostgresReplica replica =
                services.stream()
                        .filter(s -> s instanceof PostgresReplica r && r.shard() == shard)
                        .map(s -> (PostgresReplica) s)
                        .filter(r -> r.status().running())
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new StackException(
                                                "shard " + shard + " has no running replica",
                                                "start the stack (kb stack up) with"
                                                        + " kb.stack.postgres.replicas-per-shard"
                                                        + " >= 1"));
        replica.promote();
        return replica;
    }

    public boolean allRunning() {
        return services.stream().allMatch(s -> s.status().running());
    }

    /** The settings of a private stack, so the project's {@code kb stack down} can reopen it. */
    static final String PRIVATE_STACK_FILE = "private-stack.properties";

    private static void remember(Path dataDir, Map<String, String> overrides) {
        Properties props = new Properties();
        // only non-secret settings come here (ports, folders, key hashes); still, owner-only
        overrides.forEach(props::setProperty);
        Path file = dataDir.resolve(PRIVATE_STACK_FILE);
        try {
            Files.createDirectories(dataDir);
            Files.deleteIfExists(file);
            Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                props.store(
                        w, "a private stack of kb (fault scenarios, soak); kb stack down stops it");
            }
        } catch (IOException e) {
            throw new StackException(
                    "cannot write " + file + ": " + e.getMessage(), "check the disk", e);
        }
    }

    private static void ensureSecrets(Path dataDir) {
        Path file = dataDir.resolve("secrets.properties");
        Properties props = new Properties();
        try {
            Files.createDirectories(dataDir);
            if (Files.isRegularFile(file)) {
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    props.load(r);
                }
            }
            boolean changed = false;
            for (String key :
                    List.of(PostgresOptions.PASSWORD.key(), RedisOptions.PASSWORD.key())) {
                if (!props.containsKey(key)) {
                    props.setProperty(key, randomSecret());
                    changed = true;
                }
            }
            if (changed) {
                Files.deleteIfExists(file);
                Files.createFile(
                        file,
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")));
                try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    props.store(w, "generated by kb stack up; never commit or log");
                }
            }
        } catch (IOException e) {
            throw new StackException(
                    "cannot write " + file + ": " + e.getMessage(), "check the disk", e);
        }
    }

    /**
     * When kb runs as root, the Postgres clusters belong to the postgres user, who must be able to
     * reach them. A checkout under a private folder (mode 0700) is not reachable; then the clusters
     * live under /var/tmp and {@code .kb/pg} links there.
     */
    private static void preparePgRoot(Path dataDir) {
        Path pgRoot = dataDir.resolve("pg");
        if (!Processes.isRoot() || Files.exists(pgRoot)) {
            return;
        }
        try {
            Files.createDirectories(pgRoot);
            Processes.run(
                    List.of("chown", "postgres:", pgRoot.toString()),
                    dataDir.resolve("stack.log"),
                    Duration.ofSeconds(10));
            try {
                Processes.run(
                        Processes.asUser("postgres", List.of("test", "-w", pgRoot.toString())),
                        dataDir.resolve("stack.log"),
                        Duration.ofSeconds(10));
            } catch (StackException notReachable) {
                Files.delete(pgRoot);
                Path elsewhere =
                        Path.of(
                                "/var/tmp",
                                "kb-stream-" + shortHash(dataDir.toAbsolutePath().toString()),
                                "pg");
                // .kb/pg did not exist, so anything left there belongs to a removed .kb/
                Processes.run(
                        List.of("rm", "-rf", elsewhere.toString()),
                        dataDir.resolve("stack.log"),
                        Duration.ofSeconds(60));
                Files.createDirectories(elsewhere);
                Processes.run(
                        List.of("chown", "postgres:", elsewhere.toString()),
                        dataDir.resolve("stack.log"),
                        Duration.ofSeconds(10));
                Files.createSymbolicLink(pgRoot, elsewhere);
            }
        } catch (IOException e) {
            throw new StackException(
                    "cannot prepare " + pgRoot + ": " + e.getMessage(), "check permissions", e);
        }
    }

    private static Path realPath(Path path) {
        try {
            return Files.exists(path) ? path.toRealPath() : path;
        } catch (IOException e) {
            throw new StackException(
                    "cannot resolve " + path + ": " + e.getMessage(), "check permissions", e);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String shortHash(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
