package io.kbstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbOptions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkSessionJob;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Manifests}. */
class ManifestsTest {

    private static final String VERSION = BuildInfo.version();

    /**
     * Deprecated in Flink 1.20 but the names operator 1.10 (built on Flink 1.19) validates upgrades
     * against; Flink 1.20 still reads them.
     */
    private static final java.util.Set<String> OPERATOR_READS =
            java.util.Set.of("state.checkpoints.dir", "state.savepoints.dir");

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyRenderedManifestParsesIntoOperatorOrKubernetesModelTypes(String overlay) {
        List<HasMetadata> typed = Manifests.render(overlay).typed();

        assertThat(typed)
                .extracting(r -> r.getClass().getSimpleName())
                .contains(
                        "FlinkDeployment",
                        "FlinkSessionJob",
                        "Deployment",
                        "Service",
                        "HorizontalPodAutoscaler",
                        "PodDisruptionBudget",
                        "StatefulSet",
                        "ConfigMap",
                        "Job");
        assertThat(typed)
                .allSatisfy(
                        r -> assertThat(r.getMetadata().getNamespace()).isEqualTo("kb-" + overlay));
    }

    @Test
    void renderingProdTwiceGivesByteIdenticalOutputWithEverythingFilledIn() {
        String first = Manifests.render("prod").yaml();
        String second = Manifests.render("prod").yaml();

        assertThat(second).isEqualTo(first);
        assertThat(first)
                .doesNotContain(Manifests.VERSION_PLACEHOLDER)
                .contains("kb-jobs-" + VERSION + "-job.jar");
        assertThat(first).contains("image: kb-stream/kb-jobs:" + VERSION);
    }

    @Test
    void renderedYamlReadsBackAsTheSameObjects() throws Exception {
        Manifests prod = Manifests.render("prod");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<Map<String, Object>> back =
                yaml.readerFor(new TypeReference<Map<String, Object>>() {})
                        .<Map<String, Object>>readValues(prod.yaml())
                        .readAll();

        assertThat(back.stream().filter(o -> o != null).toList()).isEqualTo(prod.objects());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void flinkConfigurationKeysAreRealFlinkOrAutoscalerOptionNames(String overlay)
            throws Exception {
        FlinkOptionKeys keys = FlinkOptionKeys.load();
        List<FlinkDeployment> deployments = flinkDeployments(Manifests.render(overlay));

        assertThat(deployments).hasSize(2);
        for (FlinkDeployment d : deployments) {
            assertThat(d.getSpec().getFlinkConfiguration().keySet())
                    .allSatisfy(key -> assertThat(keys.known(key)).as(key).isTrue())
                    .allSatisfy(
                            key ->
                                    assertThat(
                                                    keys.onlyDeprecated(key)
                                                            && !OPERATOR_READS.contains(key))
                                            .as("deprecated: " + key)
                                            .isFalse());
        }
        assertThat(
                        flinkDeployments(Manifests.render(overlay))
                                .get(0)
                                .getSpec()
                                .getFlinkConfiguration())
                .containsKeys(
                        "job.autoscaler.enabled",
                        "job.autoscaler.metrics.window",
                        "job.autoscaler.stabilization.interval",
                        "job.autoscaler.target.utilization",
                        "job.autoscaler.target.utilization.boundary",
                        "job.autoscaler.catch-up.duration",
                        "job.autoscaler.restart.time",
                        "job.autoscaler.scale-down.max-factor",
                        "high-availability.type",
                        "execution.checkpointing.incremental");
    }

    @Test
    void optionKeyCheckRejectsATypo() throws Exception {
        FlinkOptionKeys keys = FlinkOptionKeys.load();

        assertThat(keys.size()).isGreaterThan(300);
        assertThat(keys.known("job.autoscaler.metrics.window")).isTrue();
        assertThat(keys.known("job.autoscaler.metric.window")).isFalse();
        assertThat(keys.known("state.backend.incremantal")).isFalse();
    }

    @Test
    void indexingJobUsesTheBuiltEntryClassJarPathAndOperatorSettings() throws Exception {
        FlinkDeployment indexing = flinkDeployment(Manifests.render("prod"), "kb-indexing");

        assertThat(indexing.getSpec().getFlinkVersion()).isEqualTo(FlinkVersion.v1_20);
        assertThat(indexing.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.LAST_STATE);
        assertThat(indexing.getSpec().getJob().getEntryClass())
                .isEqualTo(io.kbstream.jobs.IndexingJob.class.getName());
        assertThat(indexing.getSpec().getJob().getJarURI())
                .isEqualTo("local:///opt/flink/usrlib/kb-jobs-" + VERSION + "-job.jar");
        assertThat(indexing.getSpec().getFlinkConfiguration())
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("high-availability.type", "kubernetes");
        assertThat(indexing.getSpec().getFlinkConfiguration().get("state.checkpoints.dir"))
                .startsWith("s3://");
        assertThat(indexing.getSpec().getFlinkConfiguration().get("state.savepoints.dir"))
                .startsWith("s3://");

        // the jar the build produced has exactly that name and main class
        Path jar = Path.of("..", "jobs", "target", BuildInfo.jobJarName());
        assertThat(jar).exists();
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(indexing.getSpec().getJob().getEntryClass());
            assertThat(file.getEntry("io/kbstream/jobs/UploadJob.class")).isNotNull();
        }
    }

    @Test
    void uploadJobRunsAsSessionJobOnTheSessionCluster() {
        Manifests prod = Manifests.render("prod");
        FlinkSessionJob upload =
                prod.typed().stream()
                        .filter(FlinkSessionJob.class::isInstance)
                        .map(FlinkSessionJob.class::cast)
                        .findFirst()
                        .orElseThrow();

        assertThat(upload.getSpec().getJob().getEntryClass())
                .isEqualTo(io.kbstream.jobs.UploadJob.class.getName());
        assertThat(upload.getSpec().getJob().getJarURI()).endsWith("/" + BuildInfo.jobJarName());
        FlinkDeployment session = flinkDeployment(prod, upload.getSpec().getDeploymentName());
        assertThat(session.getSpec().getJob()).as("a session cluster has no job").isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void maxParallelismEqualsTheKafkaPartitionCount(String overlay) {
        Manifests m = Manifests.render(overlay);
        Job topics = typed(m, Job.class, "kb-kafka-topics");
        String partitions =
                topics.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                        .filter(e -> e.getName().equals("PARTITIONS"))
                        .findFirst()
                        .orElseThrow()
                        .getValue();
        Map<String, String> conf =
                flinkDeployment(m, "kb-indexing").getSpec().getFlinkConfiguration();

        assertThat(conf.get("pipeline.max-parallelism")).isEqualTo(partitions);
        assertThat(conf.get("job.autoscaler.vertex.max-parallelism")).isEqualTo(partitions);
        assertThat(Integer.parseInt(m.kbProperties().get("kb.pipeline.parallelism")))
                .isLessThanOrEqualTo(Integer.parseInt(partitions));
        assertThat(flinkDeployment(m, "kb-indexing").getSpec().getJob().getParallelism())
                .isEqualTo(Integer.parseInt(m.kbProperties().get("kb.pipeline.parallelism")));
    }

    @Test
    void jobArgsAreTheOverlaysSettingsAndKbOptions() {
        Manifests prod = Manifests.render("prod");
        List<String> args =
                flinkDeployment(prod, "kb-indexing").getSpec().getJob().getArgs() == null
                        ? List.of()
                        : List.of(
                                flinkDeployment(prod, "kb-indexing").getSpec().getJob().getArgs());

        assertThat(args)
                .contains("--kb.kafka.bootstrap-servers=kb-kafka:9092", "--kb.redis.host=kb-redis")
                .isSorted()
                .allSatisfy(a -> assertThat(a).startsWith("--kb."));
        List<String> known = KbOptions.all().stream().map(o -> o.key()).toList();
        assertThat(args)
                .allSatisfy(a -> assertThat(known).contains(a.substring(2, a.indexOf('='))));
    }

    @Test
    void apiScalesFrom3To100OnCpuAndMemoryUpFastDownSlow() {
        Manifests prod = Manifests.render("prod");
        HorizontalPodAutoscaler hpa = typed(prod, HorizontalPodAutoscaler.class, "kb-api");

        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(100);
        Map<String, Integer> targets = new HashMap<>();
        hpa.getSpec()
                .getMetrics()
                .forEach(
                        metric ->
                                targets.put(
                                        metric.getResource().getName(),
                                        metric.getResource().getTarget().getAverageUtilization()));
        assertThat(targets).containsEntry("cpu", 70).containsEntry("memory", 80);
        assertThat(hpa.getSpec().getBehavior().getScaleUp().getStabilizationWindowSeconds())
                .isZero();
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
                .isGreaterThanOrEqualTo(300);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("kb-api");
        assertThat(
                        typed(prod, PodDisruptionBudget.class, "kb-api")
                                .getSpec()
                                .getSelector()
                                .getMatchLabels())
                .isEqualTo(
                        typed(prod, Deployment.class, "kb-api")
                                .getSpec()
                                .getSelector()
                                .getMatchLabels());
    }

    @Test
    void apiProbesUseTheHealthEndpointsOnTheServedPort() {
        Deployment api = typed(Manifests.render("prod"), Deployment.class, "kb-api");
        var container = api.getSpec().getTemplate().getSpec().getContainers().get(0);

        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        String port = env(container.getEnv(), ApiOptions.PORT.envName()).getValue();
        assertThat(container.getPorts().get(0).getContainerPort())
                .isEqualTo(Integer.parseInt(port));
        assertThat(env(container.getEnv(), ApiOptions.HOST.envName()).getValue())
                .isEqualTo("0.0.0.0");
        Service service = typed(Manifests.render("prod"), Service.class, "kb-api");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(api.getSpec().getSelector().getMatchLabels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void secretsAreReferencedNeverInlined(String overlay) {
        Manifests m = Manifests.render(overlay);

        assertThat(m.objects()).noneMatch(o -> "Secret".equals(o.get("kind")));
        assertThat(m.kbProperties().keySet())
                .noneMatch(k -> k.contains("password") || k.contains("keys"));
        List<EnvVar> env = new ArrayList<>();
        for (HasMetadata r : m.typed()) {
            if (r instanceof Deployment d) {
                d.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .forEach(c -> env.addAll(c.getEnv()));
            } else if (r instanceof StatefulSet s) {
                s.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .forEach(c -> env.addAll(c.getEnv()));
            } else if (r instanceof FlinkDeployment f && f.getSpec().getPodTemplate() != null) {
                f.getSpec()
                        .getPodTemplate()
                        .getSpec()
                        .getContainers()
                        .forEach(c -> env.addAll(c.getEnv()));
            }
        }
        assertThat(env.stream().filter(e -> e.getName().matches(".*(PASSWORD|KEYS).*")))
                .isNotEmpty()
                .allSatisfy(
                        e -> {
                            assertThat(e.getValue()).as(e.getName()).isNull();
                            assertThat(e.getValueFrom().getSecretKeyRef().getName())
                                    .isEqualTo("kb-secrets");
                        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void oneShardPodPerConfiguredShardUrlWithTheMigrationsMounted(String overlay) {
        Manifests m = Manifests.render(overlay);
        StatefulSet shards = typed(m, StatefulSet.class, "kb-shard");
        String[] urls = m.kbProperties().get("kb.postgres.shards").split(",");

        assertThat(shards.getSpec().getReplicas()).isEqualTo(urls.length);
        for (int i = 0; i < urls.length; i++) {
            assertThat(urls[i]).contains("//kb-shard-" + i + ".kb-shard:5432/");
        }
        assertThat(shards.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("pgvector/pgvector:pg17");
        @SuppressWarnings("unchecked")
        Map<String, Object> data =
                (Map<String, Object>) m.get("ConfigMap", "kb-shard-migrations").get("data");
        try (Stream<Path> sql = Files.list(Path.of("..", "schemas", "sql"))) {
            assertThat(data.keySet())
                    .containsExactlyInAnyOrderElementsOf(
                            sql.map(p -> p.getFileName().toString()).toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void unknownOverlayAndSecretInConfigFileAreRejected() {
        assertThatThrownBy(() -> Manifests.render("staging"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("staging");
        Map<String, String> files = new HashMap<>();
        files.put(
                "k8s/overlays/x/kustomization.yaml",
                "namespace: x\ngeneratorOptions: {disableNameSuffixHash: true}\nconfigMapGenerator:\n  - name: kb-config\n    files: [kb.properties]\n");
        files.put("k8s/overlays/x/kb.properties", "kb.redis.password=hunter2\n");
        files.put("k8s/overlays/x/kb.properties", "kb.pipeline.checkpoint-interval=30s\n");
        assertThatThrownBy(() -> Manifests.render("x", "1", open(files)))
                .hasMessageContaining("bad value for kb.pipeline.checkpoint-interval");
        files.put("k8s/overlays/x/kb.properties", "kb.redis.password=hunter2\n");
        assertThatThrownBy(() -> Manifests.render("x", "1", open(files)))
                .hasMessageContaining("kb.redis.password is a secret".replace(" is", "' is"));
    }

    @Test
    void sameObjectsAsKubectlKustomize() throws Exception {
        Path root = Path.of("target", "classes", "k8s", "overlays", "prod");
        assumeThat(kubectlAvailable()).as("kubectl on PATH").isTrue();
        Process p =
                new ProcessBuilder("kubectl", "kustomize", root.toString())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<Map<String, Object>> theirs =
                new ArrayList<>(
                        yaml.readerFor(new TypeReference<Map<String, Object>>() {})
                                .<Map<String, Object>>readValues(
                                        out.replace(Manifests.VERSION_PLACEHOLDER, VERSION))
                                .readAll());
        List<Map<String, Object>> ours = new ArrayList<>();
        for (Map<String, Object> o : Manifests.render("prod").objects()) {
            Map<String, Object> copy = yaml.convertValue(o, new TypeReference<>() {});
            if ("kb-indexing".equals(((Map<?, ?>) copy.get("metadata")).get("name"))) {
                // the only field kb k8s render fills beyond kustomize
                @SuppressWarnings("unchecked")
                Map<String, Object> job =
                        (Map<String, Object>) ((Map<String, Object>) copy.get("spec")).get("job");
                job.put("args", List.of());
            }
            ours.add(copy);
        }
        assertThat(ours).containsExactlyInAnyOrderElementsOf(theirs);
    }

    private static boolean kubectlAvailable() {
        try {
            return new ProcessBuilder("kubectl", "version", "--client")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start()
                            .waitFor()
                    == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static java.util.function.Function<String, InputStream> open(
            Map<String, String> files) {
        return path ->
                files.containsKey(path)
                        ? new java.io.ByteArrayInputStream(
                                files.get(path).getBytes(StandardCharsets.UTF_8))
                        : null;
    }

    private static EnvVar env(List<EnvVar> env, String name) {
        return env.stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
    }

    private static List<FlinkDeployment> flinkDeployments(Manifests m) {
        return m.typed().stream()
                .filter(FlinkDeployment.class::isInstance)
                .map(FlinkDeployment.class::cast)
                .toList();
    }

    private static FlinkDeployment flinkDeployment(Manifests m, String name) {
        return typed(m, FlinkDeployment.class, name);
    }

    private static <T extends HasMetadata> T typed(Manifests m, Class<T> type, String name) {
        return m.typed().stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(r -> r.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }
}
