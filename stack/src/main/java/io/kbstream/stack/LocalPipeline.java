package io.kbstream.stack;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.jobs.IndexingJob;
import io.kbstream.jobs.metrics.JobMetrics;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The IndexingJob on a local Flink MiniCluster against the local stack, with the Flink web UI on
 * {@code kb.flink.web-port} and its Prometheus endpoint on {@code kb.pipeline.metrics-port}, until
 * stopped ({@code kb pipeline}). Its checkpoints are retained in its own folder and a restart
 * resumes from the newest complete one. The same job runs unchanged from the shaded jar with {@code
 * flink run}.
 */
public final class LocalPipeline {

    private LocalPipeline() {}

    /**
     * Runs the job in this JVM until it is cancelled or the JVM stops.
     *
     * @param fresh start without state (from the consumer group's committed offsets) instead of
     *     resuming from the newest retained checkpoint
     */
    public static void run(KbConfig config, boolean fresh, Consumer<String> log) throws Exception {
        yieldCpu(config, log);
        Configuration flink = new Configuration();
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, config.get(PipelineOptions.FLINK_WEB_PORT));
        JobMetrics.prometheusReporter(flink, config.get(PipelineOptions.METRICS_PORT));
        Optional<RetainedCheckpoints> checkpoints =
                RetainedCheckpoints.forCheckpointDir(config.get(PipelineOptions.CHECKPOINT_DIR));
        if (!fresh) {
            checkpoints.ifPresent(c -> resumeFromLatest(c, flink, log));
        }
        checkpoints.ifPresent(c -> retainIn(c, flink));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        IndexingJob.configure(env, config);
        log.accept(
                "indexing job starting; Flink web UI at http://127.0.0.1:"
                        + config.get(PipelineOptions.FLINK_WEB_PORT));
        IndexingJob.withKafka(config).execute(env);
    }

    /**
     * One machine, two roles: inference would otherwise take both cores from the API beside it
     * (measured in benchmark/README.md). Done first, so the job's threads inherit the nice value.
     */
    public static void yieldCpu(KbConfig config, Consumer<String> log) {
        int nice = config.get(PipelineOptions.CPU_NICE);
        if (nice > 0) {
            log.accept(
                    "lower CPU priority: " + CpuPriority.set(ProcessHandle.current().pid(), nice));
        }
    }

    /**
     * Restores the newest retained checkpoint, so a pipeline killed mid-ingest continues with its
     * Kafka offsets and RocksDB state (versions, documents half assembled) instead of the group's
     * committed offsets without state.
     */
    private static void resumeFromLatest(
            RetainedCheckpoints checkpoints, Configuration flink, Consumer<String> log) {
        Optional<Path> latest = checkpoints.latest();
        if (latest.isEmpty()) {
            return;
        }
        checkpoints.pruneExcept(latest.get());
        flink.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.get().toString());
        log.accept("resuming from retained checkpoint " + latest.get());
    }

    /**
     * Checkpoints in the pipeline's own folder, kept when the job is cancelled or killed: the
     * MiniCluster's own settings, which the job does not override.
     */
    private static void retainIn(RetainedCheckpoints checkpoints, Configuration flink) {
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.storageUri());
        flink.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
}
