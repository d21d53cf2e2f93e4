package io.kbstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.KbOptions;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.kafka.KafkaTopics;
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
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkSessionJob;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests for {@link Manifests}. */
class ManifestsTest {

    private static final String VERSION = BuildInfo.version();

    /**
     * What ONNX Runtime takes outside the heap in a TaskManager running the embedder, rounded up (a
     * budget with headroom: operator-manifests/README.md, "Memory").
     */
    private static final MemorySize ONNX_RUNTIME_NATIVE_BUDGET = MemorySize.parse("768m");

    /**
     * Deprecated in Flink 1.20 but the names operator 1.10 (built on Flink 1.19) validates upgrades
     * against; Flink 1.20 still reads them.
     */
    private static final java.util.Set<String> OPERATOR_READS =
            java.util.Set.of("state.checkpoints.dir", "state.savepoints.dir");

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void every_rendered_manifest_parses_into_operator_or_kubernetes_model_types(String overlay) {
        List<HasMetadata> typed = Manifests.render(overlay).typed();

        assertThat(typed)
                .extracting(r -> r.getClass().getSimpleName())
                .contains(
                        "FlinkDeployment",
                        "Deployment",
                        "Service",
                        "HorizontalPodAutoscaler",
                        "PodDisruptionBudget",
                        "StatefulSet",
                        "ConfigMap",
                        "Job",
                        "PrometheusRule");
        assertThat(typed)
                .allSatisfy(
                        r -> assertThat(r.getMetadata().getNamespace()).isEqualTo("kb-" + overlay));
    }

    @Test
    void rendering_prod_twice_gives_byte_identical_output_with_everything_filled_in() {
        String first = Manifests.render("prod").yaml();
        String second = Manifests.render("prod").yaml();

        assertThat(second).isEqualTo(first);
        assertThat(first)
                .doesNotContain(Manifests.VERSION_PLACEHOLDER)
                .contains("kb-jobs-" + VERSION + "-job.jar");
        assertThat(first).contains("image: kb-stream/kb-jobs:" + VERSION);
    }

    @Test
    void rendered_yaml_reads_back_as_the_same_objects() throws Exception {
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
    void flink_configuration_keys_are_real_flink_or_autoscaler_option_names(String overlay)
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
    void option_key_check_rejects_a_typo() throws Exception {
        FlinkOptionKeys keys = FlinkOptionKeys.load();

        assertThat(keys.size()).isGreaterThan(300);
        assertThat(keys.known("job.autoscaler.metrics.window")).isTrue();
        assertThat(keys.known("job.autoscaler.metric.window")).isFalse();
        assertThat(keys.known("state.backend.incremantal")).isFalse();
    }

    @Test
    void indexing_job_uses_the_built_entry_class_jar_path_and_operator_settings() throws Exception {
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
    void upload_job_runs_in_application_mode_in_a_cluster_of_its_own_without_ha() {
        Manifests prod = Manifests.render("prod");
        FlinkDeployment upload = flinkDeployment(prod, "kb-upload");

        assertThat(prod.typed()).noneMatch(FlinkSessionJob.class::isInstance);
        assertThat(flinkDeployments(prod))
                .as("no session cluster: every FlinkDeployment runs its own job")
                .allSatisfy(d -> assertThat(d.getSpec().getJob()).isNotNull());
        assertThat(upload.getSpec().getJob().getEntryClass())
                .isEqualTo(io.kbstream.jobs.UploadJob.class.getName());
        assertThat(upload.getSpec().getJob().getJarURI()).isEqualTo(BuildInfo.jobJarUri());
        assertThat(upload.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.STATELESS);
        assertThat(upload.getSpec().getFlinkConfiguration())
                .doesNotContainKeys("high-availability.type", "state.checkpoints.dir");
        // its own arguments first, then the overlay's settings (where Kafka is)
        assertThat(upload.getSpec().getJob().getArgs())
                .startsWith("--tenant", "default", "--input")
                .contains("--kb.kafka.bootstrap-servers=kb-kafka:9092");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void the_topics_job_makes_kb_documents_compacted_with_the_declared_delete_retention(
            String overlay) {
        Manifests m = Manifests.render(overlay);
        var container =
                typed(m, Job.class, "kb-kafka-topics")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0);
        String config =
                container.getEnv().stream()
                        .filter(e -> e.getName().equals("DOCUMENTS_CONFIG"))
                        .findFirst()
                        .orElseThrow()
                        .getValue();
        Map<String, String> declared = KafkaTopics.documentsConfigs(KbConfig.of(Map.of()));

        Map<String, String> set = new HashMap<>();
        for (String pair : config.split(",")) {
            set.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        assertThat(set).isEqualTo(declared);
        assertThat(String.join(" ", container.getCommand()))
                .contains("kafka-configs.sh", "--alter", "--entity-name kb.documents")
                .contains("--add-config \"$DOCUMENTS_CONFIG\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void parallelism_starts_within_the_kafka_partitions_and_stays_below_the_key_groups(
            String overlay) {
        Manifests m = Manifests.render(overlay);
        Job topics = typed(m, Job.class, "kb-kafka-topics");
        int partitions =
                Integer.parseInt(
                        topics
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getEnv()
                                .stream()
                                .filter(e -> e.getName().equals("PARTITIONS"))
                                .findFirst()
                                .orElseThrow()
                                .getValue());
        FlinkDeployment indexing = flinkDeployment(m, "kb-indexing");
        Map<String, String> conf = indexing.getSpec().getFlinkConfiguration();

        assertThat(indexing.getSpec().getJob().getParallelism()).isBetween(1, partitions);
        assertThat(Integer.parseInt(conf.get("job.autoscaler.vertex.max-parallelism")))
                .isLessThanOrEqualTo(Integer.parseInt(conf.get("pipeline.max-parallelism")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void flink_owns_parallelism_state_backend_and_checkpoint_storage_not_the_job_args(
            String overlay) {
        Manifests m = Manifests.render(overlay);
        FlinkDeployment indexing = flinkDeployment(m, "kb-indexing");

        // the job fills in only what the cluster leaves unset (IndexingJobSettingsTest), so these
        // belong to the FlinkDeployment, where the operator sizes and scales them
        assertThat(indexing.getSpec().getJob().getParallelism()).isPositive();
        assertThat(indexing.getSpec().getFlinkConfiguration())
                .containsEntry("state.backend.type", "rocksdb")
                .containsKey("state.checkpoints.dir")
                .containsEntry("jobmanager.scheduler", "adaptive");
        assertThat(m.kbProperties())
                .doesNotContainKeys(
                        PipelineOptions.PARALLELISM.key(), PipelineOptions.CHECKPOINT_DIR.key());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void checkpoints_survive_cancellation_savepoints_are_periodic_and_metrics_are_scraped(
            String overlay) {
        FlinkDeployment indexing = flinkDeployment(Manifests.render(overlay), "kb-indexing");
        Map<String, String> conf = indexing.getSpec().getFlinkConfiguration();

        assertThat(conf)
                .containsEntry(
                        "execution.checkpointing.externalized-checkpoint-retention",
                        "RETAIN_ON_CANCELLATION")
                .containsKey("kubernetes.operator.periodic.savepoint.interval")
                .containsEntry(
                        "metrics.reporter.prom.factory.class",
                        PrometheusReporterFactory.class.getName());
        assertThat(indexing.getSpec().getPodTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", conf.get("metrics.reporter.prom.port"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void task_managers_budget_onnx_runtime_native_memory_and_keep_a_usable_heap(String overlay) {
        FlinkDeployment indexing = flinkDeployment(Manifests.render(overlay), "kb-indexing");
        Configuration conf = Configuration.fromMap(indexing.getSpec().getFlinkConfiguration());
        conf.set(
                TaskManagerOptions.TOTAL_PROCESS_MEMORY,
                MemorySize.parse(indexing.getSpec().getTaskManager().getResource().getMemory()));

        // Flink's own arithmetic for the TaskManager's memory (it fails if the parts do not fit)
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);

        assertThat(spec.getTaskOffHeapSize())
                .as("ONNX Runtime's native memory (operator-manifests/README.md, Memory)")
                .isGreaterThanOrEqualTo(ONNX_RUNTIME_NATIVE_BUDGET);
        assertThat(spec.getManagedMemorySize())
                .as("RocksDB's share for a small state")
                .isLessThan(spec.getTaskOffHeapSize());
        assertThat(spec.getTaskHeapSize()).isGreaterThanOrEqualTo(MemorySize.parse("512m"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void no_object_an_hpa_scales_carries_replicas_so_an_apply_never_resets_them(String overlay) {
        Manifests m = Manifests.render(overlay);
        List<HorizontalPodAutoscaler> hpas =
                m.typed().stream()
                        .filter(HorizontalPodAutoscaler.class::isInstance)
                        .map(HorizontalPodAutoscaler.class::cast)
                        .toList();

        assertThat(hpas).isNotEmpty();
        for (HorizontalPodAutoscaler hpa : hpas) {
            var target = hpa.getSpec().getScaleTargetRef();
            @SuppressWarnings("unchecked")
            Map<String, Object> spec =
                    (Map<String, Object>) m.get(target.getKind(), target.getName()).get("spec");
            assertThat(spec).as(target.getName()).doesNotContainKey("replicas");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void images_are_pinned_to_the_patch_versions_the_build_and_the_local_stack_use(String overlay)
            throws Exception {
        Manifests m = Manifests.render(overlay);
        Versions local = Versions.ofThisCheckout();

        assertThat(
                        typed(m, StatefulSet.class, "kb-shard")
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getImage())
                .isEqualTo(local.pgvectorImage());
        // every S3 plugin the Flink pods enable is the one shipped with the image's Flink version
        for (FlinkDeployment d : flinkDeployments(m)) {
            assertThat(
                            env(
                                            d.getSpec()
                                                    .getPodTemplate()
                                                    .getSpec()
                                                    .getContainers()
                                                    .get(0)
                                                    .getEnv(),
                                            "ENABLE_BUILT_IN_PLUGINS")
                                    .getValue())
                    .isEqualTo("flink-s3-fs-presto-" + BuildInfo.flinkVersion() + ".jar");
        }
        // every image names a version, never a floating major
        List<String> images = new ArrayList<>();
        for (HasMetadata r : m.typed()) {
            if (r instanceof StatefulSet s) {
                s.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .forEach(c -> images.add(c.getImage()));
            } else if (r instanceof Deployment d) {
                d.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .forEach(c -> images.add(c.getImage()));
            } else if (r instanceof Job j) {
                j.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .forEach(c -> images.add(c.getImage()));
            } else if (r instanceof FlinkDeployment f) {
                images.add(f.getSpec().getImage());
            }
        }
        assertThat(images)
                .isNotEmpty()
                .allSatisfy(
                        i ->
                                assertThat(i)
                                        .matches(
                                                ".*:(\\d+\\.\\d+\\.\\d+.*|"
                                                        + Pattern.quote(VERSION)
                                                        + ")"));
    }

    @Test
    void job_args_are_the_overlays_settings_and_kb_options() {
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
    void api_scales_from3_to100_on_cpu_and_memory_up_fast_down_slow() {
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
    void api_probes_use_the_health_endpoints_on_the_served_port() {
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
    void secrets_are_referenced_never_inlined(String overlay) {
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
    void one_shard_pod_per_configured_shard_url_with_the_migrations_mounted(String overlay) {
        Manifests m = Manifests.render(overlay);
        StatefulSet shards = typed(m, StatefulSet.class, "kb-shard");
        String[] urls = m.kbProperties().get("kb.postgres.shards").split(",");

        assertThat(shards.getSpec().getReplicas()).isEqualTo(urls.length);
        for (int i = 0; i < urls.length; i++) {
            assertThat(urls[i]).contains("//kb-shard-" + i + ".kb-shard:5432/");
        }
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

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void every_shard_streams_to_a_replica_behind_a_read_service_that_the_api_reads(String overlay) {
        Manifests m = Manifests.render(overlay);
        int shards = m.kbProperties().get("kb.postgres.shards").split(",").length;
        StatefulSet primaries = typed(m, StatefulSet.class, "kb-shard");
        StatefulSet replicas = typed(m, StatefulSet.class, "kb-shard-replica");
        var pod = replicas.getSpec().getTemplate().getSpec();

        // one replica per shard; pod N follows primary N mod SHARDS, made by pg_basebackup -R
        // with a replication slot of its own, kept while the slot has not lost WAL, else re-copied
        assertThat(replicas.getSpec().getReplicas()).isEqualTo(shards);
        var backup = pod.getInitContainers().get(0);
        assertThat(env(backup.getEnv(), "SHARDS").getValue()).isEqualTo(Integer.toString(shards));
        assertThat(String.join(" ", backup.getCommand()))
                .contains("% SHARDS", "kb-shard-$shard.kb-shard", "pg_basebackup", " -R ")
                .contains("slot=\"kb_replica_$ordinal\"", "-C -S \"$slot\"")
                .contains("if [ -n \"$wal\" ] && [ \"$wal\" != lost ]; then exit 0; fi")
                .contains("rm -rf \"$PGDATA\"");
        assertThat(env(backup.getEnv(), "POSTGRES_PASSWORD").getValueFrom().getSecretKeyRef())
                .satisfies(ref -> assertThat(ref.getName()).isEqualTo("kb-secrets"));
        var primary = primaries.getSpec().getTemplate().getSpec().getContainers().get(0);
        var replica = pod.getContainers().get(0);
        assertThat(replica.getImage()).isEqualTo(primary.getImage());
        assertThat(backup.getImage()).isEqualTo(primary.getImage());

        // primaries accept replication connections (by password) and bound the WAL a slot keeps;
        // replicas use the same settings
        for (var container : List.of(primary, replica)) {
            assertThat(container.getArgs())
                    .containsExactly(
                            "postgres",
                            "-c",
                            "hba_file=/etc/kb-postgres/pg_hba.conf",
                            "-c",
                            "max_slot_wal_keep_size=4GB");
        }
        @SuppressWarnings("unchecked")
        String hba =
                ((Map<String, String>) m.get("ConfigMap", "kb-shard-hba").get("data"))
                        .get("pg_hba.conf");
        assertThat(hba.lines().map(String::strip))
                .contains("host replication kb all scram-sha-256")
                .noneMatch(l -> l.startsWith("host") && l.endsWith("trust"));

        // a read Service per shard, in the order kb.postgres.replicas pairs them with shards
        List<String> readUrls = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            Service read = typed(m, Service.class, "kb-shard-" + i + "-read");
            assertThat(read.getSpec().getSelector())
                    .isEqualTo(
                            Map.of(
                                    "app.kubernetes.io/name",
                                    "kb-shard-replica",
                                    "apps.kubernetes.io/pod-index",
                                    Integer.toString(i)));
            assertThat(read.getSpec().getPorts().get(0).getPort()).isEqualTo(5432);
            readUrls.add("jdbc:postgresql://kb-shard-" + i + "-read:5432/kb");
        }
        assertThat(replicas.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/name", "kb-shard-replica");
        assertThat(m.kbProperties().get("kb.postgres.replicas"))
                .isEqualTo(String.join(",", readUrls));
        assertThat(m.kbProperties().get("kb.store.read-from")).isEqualTo("replicas-first");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void prometheus_rule_holds_exactly_the_rules_of_the_alert_rules_file(String overlay)
            throws Exception {
        Manifests m = Manifests.render(overlay);
        Map<String, Object> file =
                new ObjectMapper(new YAMLFactory())
                        .readValue(
                                Path.of("src/main/resources", Manifests.ALERT_RULES).toFile(),
                                new TypeReference<Map<String, Object>>() {});
        PrometheusRule rule = typed(m, PrometheusRule.class, Manifests.ALERT_RULE_NAME);

        assertThat(m.get("PrometheusRule", Manifests.ALERT_RULE_NAME).get("spec")).isEqualTo(file);
        // the typed model (what `kb k8s apply` sends) keeps every field of the file
        assertThat(
                        io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
                                .convertValue(
                                        rule.getSpec(),
                                        new TypeReference<Map<String, Object>>() {}))
                .isEqualTo(file);
        assertThat(rule.getSpec().groups())
                .flatExtracting(PrometheusRule.RuleGroup::rules)
                .extracting(PrometheusRule.Rule::alert)
                .contains("KbApiErrorRate", "KbShardUnreachable", "KbJobNotRunning");
        assertThat(rule.getMetadata().getNamespace()).isEqualTo("kb-" + overlay);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void dashboard_config_map_holds_the_dashboard_file_for_grafanas_sidecar(String overlay)
            throws Exception {
        Map<String, Object> configMap = Manifests.render(overlay).get("ConfigMap", "kb-dashboard");

        assertThat(configMap.get("data"))
                .isEqualTo(
                        Map.of(
                                "kb-dashboard.json",
                                Files.readString(
                                        Path.of("src/main/resources", Manifests.DASHBOARD))));
        assertThat(Manifests.metadata(configMap).get("labels"))
                .isEqualTo(Map.of("grafana_dashboard", "1"));
    }

    @Test
    void unknown_overlay_and_secret_in_config_file_are_rejected() {
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

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void same_objects_as_kubectl_kustomize(String overlay) throws Exception {
        Path root = Path.of("target", "classes", "k8s", "overlays", overlay);
        Process p =
                new ProcessBuilder(Kubectl.path().toString(), "kustomize", root.toString())
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
        for (Map<String, Object> o : Manifests.render(overlay).objects()) {
            Map<String, Object> copy = yaml.convertValue(o, new TypeReference<>() {});
            if ("FlinkDeployment".equals(copy.get("kind"))) {
                // what kb k8s render fills beyond kustomize: the jobs' --kb.* args
                @SuppressWarnings("unchecked")
                Map<String, Object> job =
                        (Map<String, Object>) ((Map<String, Object>) copy.get("spec")).get("job");
                @SuppressWarnings("unchecked")
                List<String> args = (List<String>) job.get("args");
                job.put("args", args.stream().filter(a -> !a.startsWith("--kb.")).toList());
            }
            if ("PrometheusRule".equals(copy.get("kind"))) {
                // and the rules, read from kb-alerts.yml (kustomize leaves the groups empty)
                copy.put("spec", Map.of("groups", List.of()));
            }
            ours.add(copy);
        }
        assertThat(ours).containsExactlyInAnyOrderElementsOf(theirs);
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
