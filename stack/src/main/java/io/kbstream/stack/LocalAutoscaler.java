package io.kbstream.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kbstream.deploy.FlinkRestClient;
import io.kbstream.deploy.Manifests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.autoscaler.JobAutoScalerContext;
import org.apache.flink.autoscaler.JobAutoScalerImpl;
import org.apache.flink.autoscaler.RestApiMetricsCollector;
import org.apache.flink.autoscaler.ScalingExecutor;
import org.apache.flink.autoscaler.ScalingMetricEvaluator;
import org.apache.flink.autoscaler.config.AutoScalerOptions;
import org.apache.flink.autoscaler.event.AutoScalerEventHandler;
import org.apache.flink.autoscaler.realizer.ScalingRealizer;
import org.apache.flink.autoscaler.state.InMemoryAutoScalerStateStore;
import org.apache.flink.autoscaler.tuning.ConfigChanges;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * The Flink Kubernetes operator's autoscaling algorithm ({@code flink-autoscaler}: {@link
 * JobAutoScalerImpl} with the {@link RestApiMetricsCollector}, its evaluator and executor, state in
 * memory) driving the jobs of the local {@link FlinkCluster}.
 *
 * <p>Its settings are the {@code job.autoscaler.*} values of an overlay's indexing {@code
 * FlinkDeployment} ({@link #settings}): what the operator would run with. Decisions are applied in
 * place: the new per-vertex parallelism goes to the adaptive scheduler's resource-requirements
 * endpoint, which restarts the job from its latest checkpoint on the slots it has. That is what the
 * operator does for a job on the adaptive scheduler (FLIP-291), it needs no savepoint (a rescale
 * costs one checkpoint interval of replay, deduplicated by the sink, instead of a savepoint and a
 * resubmission), and the job id, its metrics history and its Kafka offsets stay. Every event (the
 * scaling report with each vertex's reason, a rescale, an error) is logged as one JSON line.
 */
public final class LocalAutoscaler implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FlinkCluster cluster;
    private final Configuration settings;
    private final EventLog events;
    private final JobAutoScalerImpl<JobID, JobAutoScalerContext<JobID>> autoscaler;

    /**
     * @param settings the autoscaler's settings ({@link #settings})
     * @param eventLog where each event is appended as a JSON line
     * @param log each event as a line for a person
     */
    public LocalAutoscaler(
            FlinkCluster cluster, Configuration settings, Path eventLog, Consumer<String> log) {
        this.cluster = cluster;
        this.settings = settings;
        this.events = new EventLog(eventLog, log);
        InMemoryAutoScalerStateStore<JobID, JobAutoScalerContext<JobID>> state =
                new InMemoryAutoScalerStateStore<>();
        this.autoscaler =
                new JobAutoScalerImpl<>(
                        new RestApiMetricsCollector<>(),
                        new ScalingMetricEvaluator(),
                        new ScalingExecutor<>(events, state),
                        events,
                        new ResourceRequirementsRealizer(cluster.rest(), events),
                        state);
    }

    /**
     * The autoscaler's settings: the {@code job.autoscaler.*} entries of {@code overlay}'s indexing
     * FlinkDeployment, then {@code overrides} (e.g. a test's shorter windows).
     */
    public static Configuration settings(String overlay, Map<String, String> overrides) {
        Map<String, String> s = new TreeMap<>();
        Manifests.render(overlay)
                .flinkConfiguration(Manifests.INDEXING_DEPLOYMENT)
                .forEach(
                        (k, v) -> {
                            if (k.startsWith("job.autoscaler.")) {
                                s.put(k, v);
                            }
                        });
        s.putAll(overrides);
        return Configuration.fromMap(s);
    }

    /** One pass of the control loop over every running job of the cluster. */
    public void scaleOnce() {
        FlinkRestClient rest = cluster.rest();
        int slots = rest.overview().path("slots-total").asInt();
        for (String id : rest.jobIds("RUNNING")) {
            JobID jobId = JobID.fromHexString(id);
            Configuration conf = Configuration.fromMap(rest.jobConfiguration(id));
            conf.addAll(settings);
            // the operator would add TaskManagers for a higher parallelism; this cluster's are
            // fixed, so no vertex is asked for more than its slots
            conf.set(
                    AutoScalerOptions.VERTEX_MAX_PARALLELISM,
                    Math.min(conf.get(AutoScalerOptions.VERTEX_MAX_PARALLELISM), slots));
            JobAutoScalerContext<JobID> context =
                    new JobAutoScalerContext<>(
                            jobId,
                            jobId,
                            JobStatus.RUNNING,
                            conf,
                            new UnregisteredMetricsGroup(),
                            () -> restClient(conf));
            try {
                autoscaler.scale(context);
            } catch (Exception e) {
                events.handleException(context, "AutoscalerError", e);
            }
        }
    }

    /** Runs {@link #scaleOnce} every {@code interval} until interrupted. */
    public void run(Duration interval) throws InterruptedException {
        while (!Thread.currentThread().isInterrupted()) {
            scaleOnce();
            Thread.sleep(interval.toMillis());
        }
    }

    private RestClusterClient<String> restClient(Configuration conf) throws Exception {
        Configuration c = new Configuration(conf);
        c.set(RestOptions.ADDRESS, cluster.restUri().getHost());
        c.set(RestOptions.PORT, cluster.restUri().getPort());
        return new RestClusterClient<>(c, "kb-local-cluster");
    }

    @Override
    public void close() {
        events.close();
    }

    /** Applies decisions through the adaptive scheduler's resource requirements (in place). */
    private static final class ResourceRequirementsRealizer
            implements ScalingRealizer<JobID, JobAutoScalerContext<JobID>> {

        private final FlinkRestClient rest;
        private final EventLog events;

        ResourceRequirementsRealizer(FlinkRestClient rest, EventLog events) {
            this.rest = rest;
            this.events = events;
        }

        @Override
        public void realizeParallelismOverrides(
                JobAutoScalerContext<JobID> context, Map<String, String> overrides) {
            String jobId = context.getJobID().toHexString();
            Map<String, Integer> current = rest.parallelismBounds(jobId);
            Map<String, Integer> changed = new HashMap<>();
            overrides.forEach(
                    (vertex, p) -> {
                        int wanted = Integer.parseInt(p);
                        if (current.containsKey(vertex) && current.get(vertex) != wanted) {
                            changed.put(vertex, wanted);
                        }
                    });
            if (changed.isEmpty()) {
                return;
            }
            rest.requireParallelism(jobId, changed);
            events.handleEvent(
                    context,
                    AutoScalerEventHandler.Type.Normal,
                    "Rescaling",
                    "in place through the adaptive scheduler: " + new TreeMap<>(changed),
                    null,
                    null);
        }

        @Override
        public void realizeConfigOverrides(
                JobAutoScalerContext<JobID> context, ConfigChanges changes) {
            // memory tuning would need new TaskManagers; the local cluster's are fixed
        }
    }

    /** The autoscaler's events as JSON lines, and as a line for a person. */
    private static final class EventLog
            implements AutoScalerEventHandler<JobID, JobAutoScalerContext<JobID>> {

        private final Path file;
        private final Consumer<String> log;
        private final Map<String, Instant> lastByKey = new ConcurrentHashMap<>();

        EventLog(Path file, Consumer<String> log) {
            this.file = file;
            this.log = log;
        }

        @Override
        public void handleEvent(
                JobAutoScalerContext<JobID> context,
                Type type,
                String reason,
                String message,
                String messageKey,
                Duration interval) {
            // like the operator: an event with a key is repeated at most once per interval
            if (messageKey != null && interval != null) {
                Instant last = lastByKey.get(reason + messageKey);
                if (last != null && last.plus(interval).isAfter(Instant.now())) {
                    return;
                }
                lastByKey.put(reason + messageKey, Instant.now());
            }
            ObjectNode event =
                    JSON.createObjectNode()
                            .put("time", Instant.now().toString())
                            .put("job", context.getJobID().toHexString())
                            .put("type", type.name())
                            .put("reason", reason)
                            .put("message", message);
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(
                        file,
                        JSON.writeValueAsString(event) + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            log.accept(type + " " + reason + ": " + message);
        }

        @Override
        public void close() {}
    }
}
