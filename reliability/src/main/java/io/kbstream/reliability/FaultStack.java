package io.kbstream.reliability;

import io.kbstream.api.http.ApiKeys;
import io.kbstream.client.ApiClient;
import io.kbstream.client.http.HttpTransport;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.deploy.FlinkRestClient;
import io.kbstream.stack.AppProcess;
import io.kbstream.stack.FlinkCluster;
import io.kbstream.stack.LocalStack;
import io.kbstream.stack.StackException;
import io.kbstream.stack.StackService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private local stack for breaking things: its own ports (the project's port base + an offset)
 * and data folder under {@code .kb/}, so killing its Kafka or a shard never disturbs the shared
 * stack other modules' tests use. It runs the real pipeline ({@code kb pipeline}) and API ({@code
 * kb api}) as background processes, with one tenant (and key) per scenario of this run.
 */
public final class FaultStack implements AutoCloseable {

    /** Every service's endpoint names its port on the loopback address. */
    private static final Pattern LOCAL_PORT = Pattern.compile("127\\.0\\.0\\.1:(\\d+)");

    /** How long the run's clients wait for an answer. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    private final LocalStack stack;
    private final Map<String, String> keys;
    private final Consumer<String> log;
    // one connection pool for every client of the run
    private final HttpTransport transport = new HttpTransport(Duration.ofSeconds(3));

    private FaultStack(LocalStack stack, Map<String, String> keys, Consumer<String> log) {
        this.stack = stack;
        this.keys = keys;
        this.log = log;
    }

    /**
     * Opens and starts the stack in {@code .kb/<name>} at port base + {@code portOffset}, with keys
     * for {@code tenants}, then the pipeline and the API.
     */
    public static FaultStack start(
            String name,
            int portOffset,
            List<String> tenants,
            Map<String, String> settings,
            Consumer<String> log) {
        return start(name, portOffset, tenants, settings, true, log);
    }

    /**
     * The same stack without the local pipeline, started empty: the indexing job runs elsewhere (on
     * the stack's {@link FlinkCluster}, whose jars are shared with the project's like the
     * broker's).
     */
    public static FaultStack startWithoutPipeline(
            String name,
            int portOffset,
            List<String> tenants,
            Map<String, String> settings,
            Consumer<String> log) {
        return start(name, portOffset, tenants, settings, false, log);
    }

    private static FaultStack start(
            String name,
            int portOffset,
            List<String> tenants,
            Map<String, String> settings,
            boolean pipeline,
            Consumer<String> log) {
        KbConfig project = KbConfig.load();
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> entries = new ArrayList<>();
        for (String tenant : tenants) {
            String key = ApiKeys.mint();
            keys.put(tenant, key);
            entries.add(ApiKeys.configEntry(tenant, key));
        }
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        overrides.put(
                StackOptions.PORT_BASE.key(),
                Integer.toString(project.get(StackOptions.PORT_BASE) + portOffset));
        Path dataDir = KbConfig.home().resolve(".kb").resolve(name);
        overrides.put(StackOptions.DATA_DIR.key(), dataDir.toString());
        if (!pipeline) {
            // a job submitted afresh reads the topic from its start: an aborted run's events
            // (other tenants, other keys) must not be there
            LocalStack leftover = LocalStack.open(overrides, url -> {});
            new FlinkCluster(leftover.config()).down(line -> {});
            leftover.erase(line -> {});
        }
        shareJars(dataDir, "kafka");
        shareJars(dataDir, "flink");
        // only hashes: safe on a command line
        overrides.put(ApiOptions.KEYS.key(), String.join(",", entries));
        // the scenarios measure faults, not the rate limiter
        overrides.put(ApiOptions.RATE_LIMIT_PER_SECOND.key(), "100000");
        overrides.put(ApiOptions.RATE_LIMIT_BURST.key(), "100000");
        // the shards apply their migrations when the pipeline and the API open them
        LocalStack stack = LocalStack.open(overrides, url -> {});
        FaultStack faults = new FaultStack(stack, keys, log);
        // processes left by an aborted run know other keys
        stack.api().down();
        stack.pipeline().down();
        try {
            stack.up(line -> log.accept("stack  " + line));
            if (pipeline) {
                faults.restart("pipeline");
            }
            faults.restart("api");
            return faults;
        } catch (RuntimeException e) {
            faults.close(); // nothing of a half-started private stack is left running
            throw e;
        }
    }

    /**
     * The broker's and the Flink cluster's jars, fetched once by ./kb into the project's {@code
     * .kb/<service>/lib}, are shared.
     */
    private static void shareJars(Path dataDir, String service) {
        Path lib = dataDir.resolve(service).resolve("lib");
        try {
            if (!Files.exists(lib, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(lib.getParent());
                Files.createSymbolicLink(lib, KbConfig.home().resolve(".kb/" + service + "/lib"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link the " + service + " jars into " + lib, e);
        }
    }

    public KbConfig config() {
        return stack.config();
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + config().get(ApiOptions.PORT);
    }

    public LedgerClient client(String tenant, Ledger ledger) {
        return new LedgerClient(
                ApiClient.builder(apiUrl())
                        .apiKey(keys.get(tenant))
                        .requestTimeout(REQUEST_TIMEOUT)
                        .transport(transport)
                        .build(),
                ledger);
    }

    public AppProcess pipeline() {
        return stack.pipeline();
    }

    public AppProcess api() {
        return stack.api();
    }

    /**
     * SIGKILLs a service (and its child processes), as a crash would, and checks that it is down: a
     * scenario whose fault did not happen must fail, not pass.
     */
    public void kill(String service) {
        log.accept("fault  SIGKILL " + service);
        StackService target = stack.service(service);
        target.kill(); // fails when no live process is named by its pid file
        requireDown(target);
    }

    /** Fails unless {@code service} has no live process and nothing listens on its port. */
    static void requireDown(StackService service) {
        StackService.Status status = service.status();
        if (status.running()) {
            throw new IllegalStateException(
                    service.name() + " still runs after SIGKILL: " + status.detail());
        }
        Matcher port = LOCAL_PORT.matcher(service.endpoint());
        if (!port.find()) {
            throw new IllegalStateException(
                    "no port in " + service.name() + "'s endpoint " + service.endpoint());
        }
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1))), 500);
            throw new IllegalStateException(
                    service.name() + " was killed but " + service.endpoint() + " still answers");
        } catch (IOException refused) {
            // down, as intended
        }
    }

    /**
     * Starts a service again; returns when it answers. A restart that times out (a broker
     * recovering its logs on a busy machine) is tried twice more: {@code up()} is idempotent.
     */
    public void restart(String service) {
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                stack.service(service).up();
                break;
            } catch (StackException e) {
                log.accept(
                        "fault  "
                                + service
                                + " restart attempt "
                                + attempt
                                + ": "
                                + e.getMessage());
                if (attempt == 3) {
                    throw e;
                }
            }
        }
        log.accept(
                String.format(
                        "fault  %s up in %.1f s", service, (System.nanoTime() - start) / 1e9));
    }

    /** The pipeline's Flink jobs and their states, from its REST API ({@code /jobs/overview}). */
    public String flinkJobs() {
        try {
            return String.join(
                    ",",
                    new FlinkRestClient(java.net.URI.create(stack.pipeline().endpoint()))
                            .jobStates());
        } catch (RuntimeException e) {
            return "unreachable";
        }
    }

    /** Shard {@code index}'s service name, e.g. for killing it. */
    public String shard(int index) {
        return "postgres-shard-" + index;
    }

    public StackService service(String name) {
        return stack.service(name);
    }

    /** Removes this run's tenants from the shards. */
    public void deleteTenants() {
        try (ShardedStore store = ShardedStore.open(config())) {
            keys.keySet().forEach(store::deleteTenant);
        } catch (Exception e) {
            log.accept("could not delete the run's tenants: " + e.getMessage());
        }
    }

    /** The stack's own local Flink cluster (not started until {@code up}). */
    public FlinkCluster cluster() {
        return new FlinkCluster(config());
    }

    /** Stops the whole private stack, its Flink cluster, pipeline and API first. */
    @Override
    public void close() {
        cluster().down(line -> log.accept("cluster " + line.strip()));
        stack.down(line -> log.accept("stack  " + line));
    }

    /** Waits up to {@code timeout} for {@code condition}; true if it held. */
    public static boolean waitUntil(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(250);
        }
        return condition.getAsBoolean();
    }
}
