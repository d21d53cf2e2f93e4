package io.kbstream.stack;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.jobs.IndexingJob;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The IndexingJob on a local Flink MiniCluster against the local stack, with the Flink web UI on
 * {@code kb.flink.web-port}, until stopped ({@code kb pipeline}). Its checkpoints are retained in
 * its own folder and a restart resumes from the newest complete one. The same job runs unchanged
 * from the shaded jar with {@code flink run}.
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
        Configuration flink = new Configuration();
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, config.get(PipelineOptions.FLINK_WEB_PORT));
        Optional<RetainedCheckpoints> checkpoints =
                RetainedCheckpoints.forCheckpointDir(config.get(PipelineOptions.CHECKPOINT_DIR));
        if (!fresh) {
            checkpoints.ifPresent(c -> resumeFromLatest(c, flink, log));
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        IndexingJob.configure(env, config);
        checkpoints.ifPresent(c -> retainIn(c, env));
        log.accept(
                "indexing job starting; Flink web UI at http://127.0.0.1:"
                        + config.get(PipelineOptions.FLINK_WEB_PORT));
        IndexingJob.withKafka(config).execute(env);
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

    /** Checkpoints in the pipeline's own folder, kept when the job is cancelled or killed. */
    private static void retainIn(RetainedCheckpoints checkpoints, StreamExecutionEnvironment env) {
        env.getCheckpointConfig().setCheckpointStorage(checkpoints.storageUri());
        env.getCheckpointConfig()
                .setExternalizedCheckpointRetention(
                        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
}
