package io.kbstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.ConfigOption;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.KbOptions;
import io.kbstream.core.kafka.KafkaTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Tests that docker/ (no Docker engine needed) refers to what the build produces and the config
 * uses: jar names and paths, main classes, ports, service names and kb-stream env variables.
 */
class DockerArtifactsTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path DOCKER = REPO.resolve("docker");
    private static final String VERSION = BuildInfo.version();

    @Test
    void job_image_is_the_builds_flink_patch_version_with_the_shaded_jar_in_usrlib()
            throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("job.Dockerfile"));

        // the Flink the jobs are compiled and tested against is the Flink of the image
        assertThat(BuildInfo.flinkVersion()).isEqualTo(EnvironmentInformation.getVersion());
        assertThat(line(dockerfile, "FROM"))
                .isEqualTo("FROM flink:" + BuildInfo.flinkVersion() + "-java17");
        assertThat(arg(dockerfile, "KB_VERSION")).isEqualTo(VERSION);
        String copy = line(dockerfile, "COPY").replace("${KB_VERSION}", VERSION);
        assertThat(copy)
                .contains("jobs/target/" + BuildInfo.jobJarName())
                .endsWith(BuildInfo.USRLIB + "/" + BuildInfo.jobJarName());
        // the jar the operator's jarURI names is the jar the image holds, and the build makes it
        assertThat(BuildInfo.jobJarUri())
                .isEqualTo("local://" + copy.substring(copy.lastIndexOf(' ') + 1));
        assertThat(REPO.resolve("jobs/target/" + BuildInfo.jobJarName())).exists();
    }

    @Test
    void api_image_runs_the_api_server_as_non_root_with_a_health_check_on_its_port()
            throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("api.Dockerfile"));
        String finalStage = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));

        assertThat(dockerfile)
                .containsPattern("(?m)^FROM maven:\\d+\\.\\d+\\.\\d+-eclipse-temurin-17 AS build$");
        assertThat(finalStage)
                .containsPattern("(?m)^FROM eclipse-temurin:17\\.\\d+\\.\\d+_\\d+-jre$");
        assertThat(arg(finalStage, "KB_VERSION")).isEqualTo(VERSION);
        assertThat(finalStage.replace("${KB_VERSION}", VERSION))
                .contains(
                        "query-api/target/"
                                + artifactId(REPO.resolve("query-api/pom.xml"))
                                + "-"
                                + VERSION
                                + ".jar");
        assertThat(line(finalStage, "USER"))
                .doesNotContain("root")
                .matches("USER [1-9][0-9]*(:[0-9]+)?");
        String port = envValue(finalStage, ApiOptions.PORT.envName());
        assertThat(line(finalStage, "EXPOSE")).isEqualTo("EXPOSE " + port);
        assertThat(finalStage).contains("http://127.0.0.1:" + port + "/health/live");
        assertThat(envValue(finalStage, ApiOptions.HOST.envName())).isEqualTo("0.0.0.0");
        assertThat(finalStage).contains("\"io.kbstream.api.ApiMain\"");
        assertThat(REPO.resolve("query-api/src/main/java/io/kbstream/api/ApiMain.java")).exists();
        assertThat(
                        Files.readString(
                                REPO.resolve(
                                        "query-api/src/main/java/io/kbstream/api/ApiServer.java")))
                .contains("\"/health/live\"");
    }

    @Test
    @SuppressWarnings("unchecked")
    void compose_wires_the_stack_with_real_service_names_ports_and_options() throws IOException {
        Map<String, Object> compose =
                new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        Map<String, Map<String, Object>> services =
                (Map<String, Map<String, Object>>) compose.get("services");

        assertThat(services)
                .containsKeys(
                        "kafka", "shard-0", "shard-1", "redis", "jobmanager", "taskmanager", "api");
        String pgvector = Versions.ofThisCheckout().pgvectorImage();
        assertThat(services.get("shard-0").get("image")).isEqualTo(pgvector);
        assertThat(services.get("shard-1").get("image")).isEqualTo(pgvector);

        Map<String, Object> api = services.get("api");
        Map<String, Object> apiEnv = (Map<String, Object>) api.get("environment");
        String apiPort = String.valueOf(apiEnv.get(ApiOptions.PORT.envName()));
        assertThat((List<String>) api.get("ports")).anyMatch(p -> p.endsWith(":" + apiPort));
        assertThat(((Map<String, Object>) api.get("build")).get("dockerfile"))
                .isEqualTo("docker/api.Dockerfile");

        // every KB_* variable is a real option; secrets are taken from the environment
        Map<String, ConfigOption<?>> byEnv =
                KbOptions.all().stream().collect(Collectors.toMap(ConfigOption::envName, o -> o));
        for (String name : List.of("api", "jobmanager", "taskmanager")) {
            Map<String, Object> env = (Map<String, Object>) services.get(name).get("environment");
            for (Map.Entry<String, Object> e : env.entrySet()) {
                if (e.getKey().startsWith("KB_")) {
                    assertThat(byEnv).as(name + " " + e.getKey()).containsKey(e.getKey());
                    if (byEnv.get(e.getKey()).isSecret()) {
                        assertThat(String.valueOf(e.getValue())).as(e.getKey()).startsWith("${");
                    }
                }
            }
        }

        // addresses point at the services and their ports
        assertThat(apiEnv.get("KB_KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
        assertThat(
                        String.valueOf(
                                ((Map<String, Object>) services.get("kafka").get("environment"))
                                        .get("KAFKA_LISTENERS")))
                .contains("PLAINTEXT://:9092");
        assertThat(String.valueOf(apiEnv.get("KB_POSTGRES_SHARDS")))
                .isEqualTo("jdbc:postgresql://shard-0:5432/kb,jdbc:postgresql://shard-1:5432/kb");
        assertThat(apiEnv.get("KB_REDIS_HOST")).isEqualTo("redis");

        // the job: the job image, its entry class, Flink's REST port
        Map<String, Object> jm = services.get("jobmanager");
        assertThat(((Map<String, Object>) jm.get("build")).get("dockerfile"))
                .isEqualTo("docker/job.Dockerfile");
        assertThat((List<String>) jm.get("command"))
                .contains("standalone-job", BuildInfo.INDEXING_JOB_CLASS);
        int restPort = RestOptions.PORT.defaultValue();
        // the REST API takes jar uploads: published on the loopback interface only
        assertThat((List<String>) jm.get("ports"))
                .containsExactly("127.0.0.1:" + restPort + ":" + restPort);
        assertThat(
                        String.valueOf(
                                ((Map<String, Object>) jm.get("environment"))
                                        .get("FLINK_PROPERTIES")))
                .contains("rest.port: " + restPort);
        assertThat(services.get("taskmanager").get("image")).isEqualTo(jm.get("image"));
        assertThat(String.valueOf(jm.get("image"))).startsWith("kb-stream/kb-jobs:");
        // migrations come from the schema module
        assertThat((List<String>) services.get("shard-0").get("volumes"))
                .contains("../schemas/sql:/docker-entrypoint-initdb.d:ro");
        assertThat(DOCKER.resolve("../schemas/sql/001_extension_vector.sql")).exists();
    }

    @Test
    @SuppressWarnings("unchecked")
    void compose_creates_the_topics_and_gives_flink_its_data_volume_and_its_own_settings()
            throws IOException {
        Map<String, Map<String, Object>> services =
                (Map<String, Map<String, Object>>)
                        new Yaml()
                                .<Map<String, Object>>load(
                                        Files.readString(DOCKER.resolve("compose.yaml")))
                                .get("services");

        // the volume is root's when created; Flink runs as uid 9999
        Map<String, Object> init = services.get("flink-data-init");
        assertThat((List<String>) init.get("command"))
                .containsExactly("chown", "-R", "9999:9999", "/flink-data");
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertThat(((Map<String, Object>) services.get(flink).get("depends_on")))
                    .containsEntry(
                            "flink-data-init",
                            Map.of("condition", "service_completed_successfully"));
        }
        // the topics exist before the job and the API start
        String topics =
                String.join(" ", (List<String>) services.get("kafka-topics").get("command"));
        assertThat(topics)
                .contains(
                        "kb.documents:4",
                        "kb.document-status:4",
                        "kb.documents.dlq:1",
                        "kb.tenant-events:1");
        // kb.documents compacted as the local stack and the Kubernetes Job make it
        assertThat(topics)
                .contains(
                        "--entity-name kb.documents --add-config cleanup.policy=compact,"
                                + "delete.retention.ms="
                                + KafkaTopics.documentsConfigs(KbConfig.of(Map.of()))
                                        .get("delete.retention.ms"));
        for (String user : List.of("jobmanager", "api")) {
            assertThat(((Map<String, Object>) services.get(user).get("depends_on")))
                    .containsKey("kafka-topics");
        }
        // Flink's own settings are Flink properties, not job arguments the job would apply
        Map<String, Object> jm = services.get("jobmanager");
        assertThat((List<String>) jm.get("command")).noneMatch(a -> a.startsWith("--kb.pipeline."));
        assertThat(
                        String.valueOf(
                                ((Map<String, Object>) jm.get("environment"))
                                        .get("FLINK_PROPERTIES")))
                .contains("execution.checkpointing.dir: file:///flink-data/checkpoints");
        assertThat(
                        String.valueOf(
                                ((Map<String, Object>)
                                                services.get("taskmanager").get("environment"))
                                        .get("FLINK_PROPERTIES")))
                .contains("taskmanager.memory.task.off-heap.size: 768m");
    }

    @Test
    @SuppressWarnings("unchecked")
    void compose_prometheus_and_grafana_load_the_manifests_alert_rules_and_dashboard_files()
            throws IOException {
        Map<String, Map<String, Object>> services =
                (Map<String, Map<String, Object>>)
                        new Yaml()
                                .<Map<String, Object>>load(
                                        Files.readString(DOCKER.resolve("compose.yaml")))
                                .get("services");
        String rules = "../operator-manifests/src/main/resources/" + Manifests.ALERT_RULES;
        String dashboard = "../operator-manifests/src/main/resources/" + Manifests.DASHBOARD;

        // the one rules file and the one dashboard file, mounted, not copied
        assertThat((List<String>) services.get("prometheus").get("volumes"))
                .contains(
                        "./prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                        rules + ":/etc/prometheus/kb-alerts.yml:ro");
        assertThat(DOCKER.resolve(rules)).isRegularFile();
        assertThat((List<String>) services.get("grafana").get("volumes"))
                .contains(
                        "./grafana:/etc/grafana/provisioning:ro",
                        dashboard + ":/var/lib/grafana/dashboards/kb-dashboard.json:ro");
        assertThat(DOCKER.resolve(dashboard)).isRegularFile();
        Map<String, Object> provider =
                ((List<Map<String, Object>>)
                                new Yaml()
                                        .<Map<String, Object>>load(
                                                Files.readString(
                                                        DOCKER.resolve(
                                                                "grafana/dashboards/kb.yaml")))
                                        .get("providers"))
                        .get(0);
        assertThat(((Map<String, Object>) provider.get("options")).get("path"))
                .isEqualTo("/var/lib/grafana/dashboards");

        // Prometheus loads the rules and scrapes the jobs they select, on the reporter's port
        Map<String, Object> prometheus =
                new Yaml().load(Files.readString(DOCKER.resolve("prometheus.yml")));
        assertThat((List<String>) prometheus.get("rule_files"))
                .containsExactly("/etc/prometheus/kb-alerts.yml");
        List<Map<String, Object>> scrapes =
                (List<Map<String, Object>>) prometheus.get("scrape_configs");
        assertThat(scrapes)
                .extracting(j -> j.get("job_name"))
                .containsExactly("kb-api", "kb-pipeline");
        assertThat(scrapes.toString()).contains("api:8080", "jobmanager:9249", "taskmanager:9249");
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertThat(
                            String.valueOf(
                                    ((Map<String, Object>) services.get(flink).get("environment"))
                                            .get("FLINK_PROPERTIES")))
                    .contains("metrics.reporter.prom.port: 9249");
        }
    }

    @Test
    void images_are_the_ones_the_manifests_deploy() throws IOException {
        String yaml = Manifests.render("prod").yaml();
        Map<String, Object> compose =
                new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        Set<String> images = Set.of("kb-stream/kb-jobs:" + VERSION, "kb-stream/kb-api:" + VERSION);

        for (String image : images) {
            assertThat(yaml).contains("image: " + image);
        }
        assertThat(compose.toString().replace("${KB_VERSION:-" + VERSION + "}", VERSION))
                .contains(images);
    }

    private static String line(String file, String instruction) {
        Matcher m = Pattern.compile("(?m)^" + instruction + " .*$").matcher(file);
        assertThat(m.find()).as(instruction).isTrue();
        return m.group();
    }

    private static String arg(String file, String name) {
        Matcher m = Pattern.compile("(?m)^ARG " + name + "=(\\S+)$").matcher(file);
        assertThat(m.find()).as("ARG " + name).isTrue();
        return m.group(1);
    }

    private static String envValue(String file, String name) {
        Matcher m = Pattern.compile(name + "=(\\S+)").matcher(file);
        assertThat(m.find()).as(name).isTrue();
        return m.group(1);
    }

    private static String artifactId(Path pom) throws IOException {
        Matcher m =
                Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>")
                        .matcher(Files.readString(pom));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
