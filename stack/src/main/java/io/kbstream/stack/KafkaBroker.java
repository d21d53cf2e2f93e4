package io.kbstream.stack;

import io.kbstream.core.kafka.KafkaTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker (Apache Kafka 3.9 from Maven Central) in its own JVM, so its reload4j
 * logging never meets Flink's log4j2. Storage is formatted once; at every start topics are created
 * if missing and their configs brought up to date ({@link KafkaTopics#ensure}: an older
 * installation's {@code kb.documents} becomes compacted in place).
 */
final class KafkaBroker implements PidFileService {

    private final int port;
    private final int controllerPort;
    private final Path dir;
    private final int heapMb;
    private final int maxRecordBytes;
    private final List<KafkaTopics.Topic> topics;

    KafkaBroker(
            int port,
            int controllerPort,
            Path dir,
            int heapMb,
            int maxRecordBytes,
            List<KafkaTopics.Topic> topics) {
        this.port = port;
        this.maxRecordBytes = maxRecordBytes;
        this.controllerPort = controllerPort;
        this.dir = dir;
        this.heapMb = heapMb;
        this.topics = topics;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    @Override
    public Path pidFile() {
        return dir.resolve("kafka.pid");
    }

    private Path libDir() {
        return dir.resolve("lib");
    }

    @Override
    public void up() {
        if (Processes.liveProcess(pidFile()).isPresent()) {
            createTopics();
            return;
        }
        Processes.requirePortFree(name(), port);
        Processes.requirePortFree(name() + " controller", controllerPort);
        if (!Files.isRegularFile(libDir().resolve("kafka_2.13-3.9.1.jar"))) {
            throw new StackException(
                    "the Kafka broker jars are missing from " + libDir(),
                    "run the stack through ./kb, which fetches them from Maven Central with"
                            + " stack/kafka-broker.pom.xml");
        }
        Path serverProperties = writeConfig();
        if (!Files.isRegularFile(dir.resolve("data").resolve("meta.properties"))) {
            List<String> format = javaCommand("kafka.tools.StorageTool");
            format.addAll(
                    List.of(
                            "format",
                            "-t",
                            Uuid.randomUuid().toString(),
                            "-c",
                            serverProperties.toString()));
            Processes.run(format, dir.resolve("format.log"), Duration.ofSeconds(60));
        }
        List<String> start = javaCommand("kafka.Kafka");
        start.add(serverProperties.toString());
        try {
            Processes.startDetached(start, dir, dir.resolve("kafka.out"), pidFile());
        } catch (IOException e) {
            throw new StackException(
                    "cannot start the Kafka broker: " + e.getMessage(), "check java is on PATH", e);
        }
        Processes.waitFor(name(), Duration.ofSeconds(90), this::answers, dir.resolve("server.log"));
        createTopics();
    }

    @Override
    public Duration stopTimeout() {
        return Duration.ofSeconds(30);
    }

    private List<String> javaCommand(String mainClass) {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ArrayList<>(
                List.of(
                        javaBin.toString(),
                        "-Xms" + heapMb + "m",
                        "-Xmx" + heapMb + "m",
                        "-XX:+UseG1GC",
                        "-Dlog4j.configuration=file:" + dir.resolve("log4j.properties"),
                        "-Dkafka.logs.dir=" + dir,
                        "-cp",
                        libDir() + "/*",
                        mainClass));
    }

    private Path writeConfig() {
        Path serverProperties = dir.resolve("server.properties");
        String config =
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:"
                                + port
                                + ",CONTROLLER://127.0.0.1:"
                                + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "log.dirs=" + dir.resolve("data"),
                        // one node: internal topics cannot have more than one replica
                        "offsets.topic.replication.factor=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        // topics are created by kb with chosen partition counts, never by a typo
                        "auto.create.topics.enable=false",
                        // uploads up to kb.api.max-upload-bytes are one record each
                        "message.max.bytes=" + maxRecordBytes,
                        "replica.fetch.max.bytes=" + maxRecordBytes,
                        "");
        String log4j =
                String.join(
                        "\n",
                        "log4j.rootLogger=INFO, file",
                        "log4j.appender.file=org.apache.log4j.RollingFileAppender",
                        "log4j.appender.file.File=" + dir.resolve("server.log"),
                        "log4j.appender.file.MaxFileSize=10MB",
                        "log4j.appender.file.MaxBackupIndex=2",
                        "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
                        "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
                        "log4j.logger.kafka.request.logger=WARN",
                        "log4j.logger.state.change.logger=WARN",
                        "");
        try {
            Files.createDirectories(dir);
            Files.writeString(serverProperties, config, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("log4j.properties"), log4j, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StackException(
                    "cannot write Kafka config: " + e.getMessage(), "check the disk", e);
        }
        return serverProperties;
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoint());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        return Admin.create(props);
    }

    private boolean answers() {
        if (!Processes.portOpen(port)) {
            return false;
        }
        try (Admin admin = admin()) {
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private void createTopics() {
        try (Admin admin = admin()) {
            KafkaTopics.ensure(admin, topics);
        } catch (Exception e) {
            throw new StackException(
                    "cannot create Kafka topics: " + e.getMessage(),
                    "see " + dir.resolve("server.log"),
                    e);
        }
    }
}
