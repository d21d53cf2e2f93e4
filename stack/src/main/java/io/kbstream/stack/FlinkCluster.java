package io.kbstream.stack;

import io.kbstream.core.config.ClusterOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.StackOptions;
import io.kbstream.deploy.FlinkRestClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A standalone Flink 1.20 session cluster on 127.0.0.1 ({@code kb cluster up}): one JobManager and
 * N TaskManagers, each its own JVM started from the jars {@code stack/flink-cluster.pom.xml} puts
 * into {@code <data-dir>/flink/lib} (Maven Central publishes no Flink distribution), with the
 * adaptive scheduler, so a running job's per-vertex parallelism can be changed through the REST
 * API. Each process has a pid file in {@code <data-dir>/flink/run}: stopped by it, never by name.
 */
public final class FlinkCluster {

    /** What Flink's launch scripts pass on Java 17: Kryo and Flink's serializers reflect. */
    private static final List<String> JAVA_OPENS =
            Arrays.stream(
                            ("java.lang java.util java.util.concurrent java.util.concurrent.atomic"
                                            + " java.lang.reflect java.io java.nio sun.nio.ch"
                                            + " java.net java.text java.time")
                                    .split(" "))
                    .map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED")
                    .toList();

    private static final String JOBMANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASKMANAGER_MAIN =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private final KbConfig config;
    private final Path dir;
    private final int restPort;

    public FlinkCluster(KbConfig config) {
        this.config = config;
        this.dir = Path.of(config.get(StackOptions.DATA_DIR)).resolve("flink");
        this.restPort = config.get(ClusterOptions.REST_PORT);
    }

    /** The JobManager's REST API (and web UI). */
    public URI restUri() {
        return URI.create("http://127.0.0.1:" + restPort);
    }

    public FlinkRestClient rest() {
        return new FlinkRestClient(restUri());
    }

    /** Where {@code kb autoscale} ({@link LocalAutoscaler}) logs its events, one JSON per line. */
    public Path autoscalerEvents() {
        return dir.resolve("autoscaler-events.jsonl");
    }

    /** Where savepoints and retained checkpoints of jobs on this cluster go. */
    public Path stateDir() {
        return dir.resolve("state");
    }

    /**
     * The JobManager, then the configured TaskManagers; returns when all their slots are
     * registered. Processes already running are kept. Idempotent.
     */
    public void up(Consumer<String> progress) {
        if (!Files.isRegularFile(lib().resolve("flink-runtime-1.20.3.jar"))) {
            throw new StackException(
                    "the Flink cluster jars are missing from " + lib(),
                    "run it through ./kb, which fetches them from Maven Central with"
                            + " stack/flink-cluster.pom.xml");
        }
        writeConfig();
        Node jobManager =
                new Node(
                        "flink-jobmanager",
                        JOBMANAGER_MAIN,
                        List.of("-Xms512m", "-Xmx512m"),
                        List.of());
        if (!jobManager.status().running()) {
            Processes.requirePortFree(jobManager.name(), restPort);
            Processes.requirePortFree(jobManager.name() + " rpc", restPort + 1);
            progress.accept(String.format("%-18s starting ...", jobManager.name()));
            jobManager.up();
            Processes.waitFor(
                    jobManager.name(),
                    Duration.ofSeconds(90),
                    this::answers,
                    dir.resolve("log").resolve(jobManager.name() + ".log"));
        }
        progress.accept(String.format("%-18s up at %s", jobManager.name(), restUri()));
        for (Node taskManager : taskManagers()) {
            if (!taskManager.status().running()) {
                taskManager.up();
            }
            progress.accept(String.format("%-18s up", taskManager.name()));
        }
        int slots = config.get(ClusterOptions.TASK_MANAGERS) * config.get(ClusterOptions.SLOTS);
        Processes.waitFor(
                "flink TaskManagers (" + slots + " slots)",
                Duration.ofSeconds(120),
                () -> totalSlots() >= slots,
                dir.resolve("log"));
    }

    /** Stops the TaskManagers, then the JobManager, by their pid files. */
    public void down(Consumer<String> progress) {
        StackService.stopInReverse(services(), progress);
    }

    /**
     * The JobManager and every TaskManager that has a pid file (also ones beyond the configured
     * count, left by an earlier {@code up} with more).
     */
    public List<StackService> services() {
        List<StackService> all = new ArrayList<>();
        all.add(
                new Node(
                        "flink-jobmanager",
                        JOBMANAGER_MAIN,
                        List.of("-Xms512m", "-Xmx512m"),
                        List.of()));
        int configured = config.get(ClusterOptions.TASK_MANAGERS);
        all.addAll(taskManagers());
        for (int i = configured + 1; Files.exists(pidFile("flink-taskmanager-" + i)); i++) {
            all.add(taskManager(i));
        }
        return all;
    }

    private List<Node> taskManagers() {
        List<Node> tms = new ArrayList<>();
        for (int i = 1; i <= config.get(ClusterOptions.TASK_MANAGERS); i++) {
            tms.add(taskManager(i));
        }
        return tms;
    }

    private Node taskManager(int i) {
        Configuration c = Configuration.fromMap(flinkConfiguration());
        c.set(
                TaskManagerOptions.TOTAL_PROCESS_MEMORY,
                MemorySize.parse(config.get(ClusterOptions.TASK_MANAGER_MEMORY)));
        // Flink's own memory arithmetic, what its launch scripts compute with BashJavaUtils
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(c);
        return new Node(
                "flink-taskmanager-" + i,
                TASKMANAGER_MAIN,
                words(ProcessMemoryUtils.generateJvmParametersStr(spec)),
                words(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
    }

    private static List<String> words(String s) {
        return Arrays.asList(s.trim().split("\\s+"));
    }

    private int totalSlots() {
        try {
            return rest().overview().path("slots-total").asInt();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private boolean answers() {
        if (!Processes.portOpen(restPort)) {
            return false;
        }
        try {
            rest().overview();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Path lib() {
        return dir.resolve("lib");
    }

    private Path confDir() {
        return dir.resolve("conf");
    }

    private Path pidFile(String name) {
        return dir.resolve("run").resolve(name + ".pid");
    }

    /** The cluster's Flink settings (config.yaml): everything on loopback. */
    Map<String, String> flinkConfiguration() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(restPort + 1));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("jobmanager.memory.process.size", "1024m");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(restPort));
        // the shaded job jar is ~500 MB (DJL natives)
        c.put("rest.server.max-content-length", "2147483647");
        c.put("blob.server.port", Integer.toString(restPort + 2));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        // TaskManagers take any free loopback ports: their count varies
        c.put("taskmanager.rpc.port", "0");
        c.put("taskmanager.data.port", "0");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(config.get(ClusterOptions.SLOTS)));
        c.put("taskmanager.memory.process.size", config.get(ClusterOptions.TASK_MANAGER_MEMORY));
        // as in the manifests (operator-manifests/README.md, "Memory"): ONNX Runtime's native
        // memory budgeted as task off-heap, a small RocksDB share
        c.put("taskmanager.memory.task.off-heap.size", "768m");
        c.put("taskmanager.memory.managed.fraction", "0.1");
        // in-place rescaling through the REST API (the autoscaler's and the operator's way)
        c.put("jobmanager.scheduler", "adaptive");
        // rescale as soon as asked (the default waits 30 s between two rescales)
        c.put("jobmanager.adaptive-scheduler.scaling-interval.min", "5s");
        c.put("state.checkpoints.dir", stateDir().resolve("checkpoints").toUri().toString());
        c.put("state.savepoints.dir", stateDir().resolve("savepoints").toUri().toString());
        c.put(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        c.put("io.tmp.dirs", dir.resolve("tmp").toString());
        c.put("web.upload.dir", dir.resolve("upload").toString());
        c.put("classloader.check-leaked-classloader", "false");
        // native libraries and the JDBC driver once per JVM (see stack/flink-cluster.pom.xml)
        c.put(
                "classloader.parent-first-patterns.additional",
                "ai.djl.;ai.onnxruntime.;com.sun.jna.;org.postgresql.");
        return c;
    }

    private void writeConfig() {
        String yaml =
                flinkConfiguration().entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue())
                        .collect(Collectors.joining("\n", "", "\n"));
        String log4j =
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = file",
                        "appender.file.type = RollingFile",
                        "appender.file.name = file",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.filePattern = ${sys:log.file}.%i",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                        "appender.file.policies.type = Policies",
                        "appender.file.policies.size.type = SizeBasedTriggeringPolicy",
                        "appender.file.policies.size.size = 20MB",
                        "appender.file.strategy.type = DefaultRolloverStrategy",
                        "appender.file.strategy.max = 2",
                        "");
        try {
            for (String sub : List.of("conf", "run", "log", "tmp", "upload", "state")) {
                Files.createDirectories(dir.resolve(sub));
            }
            Files.writeString(confDir().resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
            Files.writeString(confDir().resolve("log4j.properties"), log4j, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StackException(
                    "cannot write the Flink cluster's config: " + e.getMessage(),
                    "check the disk",
                    e);
        }
    }

    /** One JVM of the cluster, tracked by its pid file. */
    private final class Node implements StackService {

        private final String name;
        private final String mainClass;
        private final List<String> jvmOptions;
        private final List<String> dynamicSettings;

        Node(String name, String mainClass, List<String> jvmOptions, List<String> dynamicSettings) {
            this.name = name;
            this.mainClass = mainClass;
            this.jvmOptions = jvmOptions;
            this.dynamicSettings = dynamicSettings;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String endpoint() {
            return mainClass.equals(JOBMANAGER_MAIN) ? restUri().toString() : "127.0.0.1";
        }

        @Override
        public void up() {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(JAVA_OPENS);
            command.add("-Dlog.file=" + dir.resolve("log").resolve(name + ".log"));
            command.add(
                    "-Dlog4j.configurationFile=" + confDir().resolve("log4j.properties").toUri());
            // a job's main runs in the JobManager: KbConfig finds the project (and its
            // .kb/secrets.properties) from here, so no secret travels in the job's arguments
            command.add("-D" + KbConfig.HOME_PROPERTY + "=" + KbConfig.home());
            command.add("-cp");
            command.add(lib() + "/*");
            command.add(mainClass);
            command.add("--configDir");
            command.add(confDir().toString());
            command.addAll(dynamicSettings);
            try {
                Processes.startDetached(
                        command, dir, dir.resolve("log").resolve(name + ".out"), pidFile(name));
            } catch (IOException e) {
                throw new StackException(
                        "cannot start " + name + ": " + e.getMessage(), "check java is on PATH", e);
            }
        }

        @Override
        public void down() {
            Processes.stopByPidFile(pidFile(name), Duration.ofSeconds(30));
            Processes.forget(pidFile(name));
        }

        @Override
        public void kill() {
            Processes.killByPidFile(pidFile(name));
        }

        @Override
        public Status status() {
            return Processes.statusOf(pidFile(name), "stopped");
        }
    }
}
