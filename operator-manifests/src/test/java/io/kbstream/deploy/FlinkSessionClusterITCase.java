package io.kbstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.testing.LocalStackConfig;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.EventKeys;
import io.kbstream.schemas.EventType;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built job jar on a real Flink 1.20 standalone session cluster: JobManager and TaskManager are
 * their own JVMs started from Maven Central's Flink jars (this module's test classpath; no Flink
 * distribution is published there), the jar goes in through the REST API like {@code kb pipeline
 * --submit} does, indexes documents from a test topic into the local stack's shards, stops with a
 * savepoint and is resubmitted from it.
 */
class FlinkSessionClusterITCase {

    /**
     * Loopback ports of this test only: the stack's port base + 90..94 (the stack itself uses +0 to
     * +82), so a second checkout with another base runs this test beside the first.
     */
    private static final int PORT_BASE =
            io.kbstream.core.config.KbConfig.load()
                    .get(io.kbstream.core.config.StackOptions.PORT_BASE);

    private static final int REST_PORT = PORT_BASE + 90;
    private static final int RPC_PORT = PORT_BASE + 91;
    private static final int BLOB_PORT = PORT_BASE + 92;
    private static final int TM_RPC_PORT = PORT_BASE + 93;
    private static final int TM_DATA_PORT = PORT_BASE + 94;

    private static final List<String> JAVA_OPENS =
            Arrays.stream(
                            ("java.lang java.util java.util.concurrent java.util.concurrent.atomic"
                                            + " java.lang.reflect java.io java.nio sun.nio.ch"
                                            + " java.net java.text java.time")
                                    .split(" "))
                    .map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED")
                    .toList();

    /**
     * Test-classpath entries the cluster's lib/ must not hold. DJL, ONNX Runtime and JNA stay: a
     * native library loads into one classloader per JVM, so on a session cluster (where every
     * submission gets a new user classloader) they must live in lib/ and load parent-first. The
     * Postgres driver too: java.sql.DriverManager registers drivers once per JVM and hides a driver
     * of an earlier job's classloader from the next job ("No suitable driver").
     */
    private static final List<String> NOT_CLUSTER =
            List.of(
                    "/org/apache/kafka/",
                    "/flink-connector-kafka/",
                    "/flink-kubernetes-operator-api/",
                    "/flink-autoscaler/",
                    "/io/fabric8/",
                    "/com/squareup/",
                    "/dev/langchain4j/",
                    "/com/pgvector/",
                    "/redis/clients/",
                    "/org/apache/pdfbox/",
                    "/org/jsoup/",
                    "/org/apache/avro/",
                    "/org/junit/",
                    "/junit/",
                    "/org/assertj/");

    @TempDir static Path dir;

    private static final List<Process> processes = new ArrayList<>();
    private static KbConfig config;
    private static FlinkRestClient flink;
    private static String tenant;
    private static String topic;
    private static List<String> topics;

    @BeforeAll
    static void startClusterAndTopics() throws Exception {
        config = LocalStackConfig.load();
        tenant = LocalStackConfig.uniqueTenant("session-it");
        topic = "kb.it.session." + tenant;
        topics = List.of(topic, topic + ".status", topic + ".dlq");
        try (Admin admin = admin()) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, 2, (short) 1)).toList())
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(
                conf.resolve("config.yaml"),
                String.join(
                        "\n",
                        "jobmanager.rpc.address: 127.0.0.1",
                        "jobmanager.rpc.port: " + RPC_PORT,
                        "jobmanager.bind-host: 127.0.0.1",
                        "jobmanager.memory.process.size: 1024m",
                        "rest.address: 127.0.0.1",
                        "rest.bind-address: 127.0.0.1",
                        "rest.port: " + REST_PORT,
                        // the shaded job jar is ~500 MB (DJL natives)
                        "rest.server.max-content-length: 2147483647",
                        "blob.server.port: " + BLOB_PORT,
                        "taskmanager.host: 127.0.0.1",
                        "taskmanager.bind-host: 127.0.0.1",
                        "taskmanager.rpc.port: " + TM_RPC_PORT,
                        "taskmanager.data.port: " + TM_DATA_PORT,
                        "taskmanager.numberOfTaskSlots: 2",
                        // what Flink's launch scripts compute and pass (-D...) for a TaskManager
                        "taskmanager.cpu.cores: 2",
                        "taskmanager.memory.framework.heap.size: 128m",
                        "taskmanager.memory.task.heap.size: 1024m",
                        "taskmanager.memory.framework.off-heap.size: 128m",
                        "taskmanager.memory.task.off-heap.size: 0m",
                        "taskmanager.memory.network.min: 64m",
                        "taskmanager.memory.network.max: 64m",
                        "taskmanager.memory.managed.size: 256m",
                        "taskmanager.memory.jvm-metaspace.size: 256m",
                        "taskmanager.memory.jvm-overhead.min: 192m",
                        "taskmanager.memory.jvm-overhead.max: 192m",
                        "io.tmp.dirs: " + dir.resolve("tmp"),
                        "web.upload.dir: " + dir.resolve("upload"),
                        "classloader.check-leaked-classloader: false",
                        // native libraries once per TaskManager (see NOT_CLUSTER)
                        "classloader.parent-first-patterns.additional:"
                                + " ai.djl.;ai.onnxruntime.;com.sun.jna.;org.postgresql.",
                        ""));
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("upload"));
        Files.writeString(
                conf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = file",
                        "appender.file.type = File",
                        "appender.file.name = file",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                        ""));
        start(
                "jobmanager",
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                "-Xmx512m",
                conf);
        start(
                "taskmanager",
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "-Xmx1200m",
                conf);
        flink = new FlinkRestClient(URI.create("http://127.0.0.1:" + REST_PORT));
        awaitSlots(2, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        // only the processes this test started, by their handles
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        // keep the cluster's logs for a look after a failure
        Path keep = Files.createDirectories(Path.of("target", "flink-session-logs"));
        for (String log : List.of("jobmanager.log", "taskmanager.log")) {
            if (Files.exists(dir.resolve(log))) {
                Files.copy(
                        dir.resolve(log),
                        keep.resolve(log),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (config != null) {
            try (Admin admin = admin()) {
                admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
            }
            for (String url : config.get(PostgresOptions.SHARDS)) {
                try (Connection c = connect(url);
                        PreparedStatement st =
                                c.prepareStatement("DELETE FROM documents WHERE tenant = ?")) {
                    st.setString(1, tenant);
                    st.executeUpdate();
                }
            }
        }
    }

    @Test
    void submittedJarIndexesDocumentsStopsWithSavepointAndResumesFromIt() throws Exception {
        Path jar = snapshotOfJobJar();
        List<String> args =
                List.of(
                        "--" + KafkaOptions.TOPIC_DOCUMENTS.key() + "=" + topic,
                        "--" + KafkaOptions.TOPIC_STATUS.key() + "=" + topic + ".status",
                        "--" + KafkaOptions.TOPIC_DLQ.key() + "=" + topic + ".dlq",
                        "--" + PipelineOptions.CONSUMER_GROUP.key() + "=" + tenant,
                        "--" + PipelineOptions.PARALLELISM.key() + "=1",
                        "--" + PipelineOptions.CHECKPOINT_INTERVAL.key() + "=PT2S",
                        "--"
                                + PipelineOptions.CHECKPOINT_DIR.key()
                                + "="
                                + dir.resolve("checkpoints").toUri());

        String jarId = flink.uploadJar(jar);
        String first = flink.run(jarId, BuildInfo.INDEXING_JOB_CLASS, args, null);
        flink.awaitState(first, "RUNNING", Duration.ofSeconds(60));

        send("doc-1", "Flink runs the indexing job on a standalone session cluster.");
        send("doc-2", "Savepoints let a stopped job resume exactly where it left off.");
        awaitIndexed(Set.of("doc-1", "doc-2"), Duration.ofSeconds(90), first);

        String savepoint =
                flink.stopWithSavepoint(
                        first,
                        dir.resolve("savepoints").toUri().toString(),
                        Duration.ofSeconds(60));
        assertThat(savepoint).isNotBlank();
        flink.awaitState(first, "FINISHED", Duration.ofSeconds(30));

        // sent while nothing runs: the resumed job picks it up from the savepoint's offsets
        send("doc-3", "Documents uploaded during a restart are indexed after it.");
        String second = flink.run(jarId, BuildInfo.INDEXING_JOB_CLASS, args, savepoint);
        assertThat(second).isNotEqualTo(first);
        flink.awaitState(second, "RUNNING", Duration.ofSeconds(60));
        awaitIndexed(Set.of("doc-1", "doc-2", "doc-3"), Duration.ofSeconds(90), second);

        flink.cancel(second);
        flink.awaitState(second, "CANCELED", Duration.ofSeconds(30));
    }

    /**
     * A copy of the built job jar that is known to be whole: the reactor may be rewriting
     * jobs/target while this test runs, so copy it and check the copy until one is complete.
     */
    private static Path snapshotOfJobJar() throws Exception {
        Path built = Path.of("..", "jobs", "target", BuildInfo.jobJarName());
        Path copy = dir.resolve(BuildInfo.jobJarName());
        for (int attempt = 1; ; attempt++) {
            assertThat(built).exists();
            Files.copy(built, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(copy.toFile())) {
                java.util.jar.JarEntry main = jar.getJarEntry("io/kbstream/jobs/IndexingJob.class");
                if (main != null) {
                    jar.getInputStream(main).readAllBytes();
                    return copy;
                }
            } catch (IOException e) {
                if (attempt >= 5) {
                    throw e;
                }
            }
            Thread.sleep(5_000);
        }
    }

    private static void start(String name, String mainClass, String heap, Path conf)
            throws IOException {
        String classpath =
                Arrays.stream(
                                System.getProperty(
                                                "surefire.test.class.path",
                                                System.getProperty("java.class.path"))
                                        .split(File.pathSeparator))
                        // Flink's own jars and their dependencies; not this module, the job or
                        // the job's libraries (org.apache.flink.* loads parent-first, so a
                        // Kafka connector here would bind to the wrong kafka-clients)
                        .filter(e -> !e.endsWith("classes") && !e.contains("kbstream"))
                        .filter(e -> NOT_CLUSTER.stream().noneMatch(e::contains))
                        .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(heap);
        command.addAll(JAVA_OPENS);
        command.add("-Dlog.file=" + dir.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        // the job's main runs in the JobManager: KbConfig finds the project (and its
        // .kb/secrets.properties) from here, so no secret travels in the job's arguments
        command.add("-D" + KbConfig.HOME_PROPERTY + "=" + KbConfig.home());
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(conf.toString());
        processes.add(
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(name + ".out").toFile())
                        .start());
    }

    private static void awaitSlots(int slots, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            for (Process p : processes) {
                assertThat(p.isAlive()).as("cluster process died:" + logs()).isTrue();
            }
            try {
                if (flink.overview().path("slots-available").asInt() >= slots) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("session cluster not up after " + timeout + ": " + logs(), last);
    }

    private static void send(String id, String text) throws Exception {
        DocumentEvent event =
                DocumentEvent.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setType(EventType.UPSERT)
                        .setTenant(tenant)
                        .setDocumentId(id)
                        .setVersion(1)
                        .setTitle(id)
                        .setContent(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)))
                        .setContentType("text/plain")
                        .setMetadata(Map.of())
                        .setUploadedAt(Instant.now())
                        .build();
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(config, "session-it")) {
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    EventKeys.key(event),
                                    AvroSerde.documentEvents().serialize(event)))
                    .get(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitIndexed(Set<String> ids, Duration timeout, String jobId)
            throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Set<String> found = Set.of();
        while (Instant.now().isBefore(deadline)) {
            found = indexed();
            if (found.equals(ids)) {
                return;
            }
            assertThat(flink.state(jobId)).as(flink.exceptions(jobId)).isEqualTo("RUNNING");
            Thread.sleep(500);
        }
        throw new AssertionError("indexed " + found + ", expected " + ids + " within " + timeout);
    }

    /** Document ids of this test's tenant with chunks, over all shards. */
    private static Set<String> indexed() throws SQLException {
        Set<String> ids = new TreeSet<>();
        for (String url : config.get(PostgresOptions.SHARDS)) {
            try (Connection c = connect(url);
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT DISTINCT doc_id FROM chunks WHERE tenant = ?")) {
                st.setString(1, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
        }
        return ids;
    }

    private static Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", config.get(PostgresOptions.USER));
        p.setProperty("password", config.get(PostgresOptions.PASSWORD));
        return DriverManager.getConnection(url, p);
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaOptions.BOOTSTRAP));
        return Admin.create(p);
    }

    private static String logs() {
        StringBuilder out = new StringBuilder();
        for (String name :
                List.of("jobmanager.out", "jobmanager.log", "taskmanager.out", "taskmanager.log")) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(name));
                out.append("\n--- ")
                        .append(name)
                        .append(" (tail)\n")
                        .append(
                                String.join(
                                        "\n",
                                        lines.subList(
                                                Math.max(0, lines.size() - 20), lines.size())));
            } catch (IOException e) {
                out.append("\n(no ").append(name).append(" output)");
            }
        }
        return out.toString();
    }
}
