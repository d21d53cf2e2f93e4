package io.kbstream.cli;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.jobs.IndexingJob;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;

/**
 * {@code kb pipeline}: runs the IndexingJob on a local Flink MiniCluster against the local stack,
 * with the Flink web UI, until stopped. The same job runs unchanged from the shaded jar with {@code
 * flink run}.
 */
@Command(
        name = "pipeline",
        mixinStandardHelpOptions = true,
        description =
                "Run the indexing job on a local Flink MiniCluster (web UI on kb.flink.web-port).")
final class PipelineCommand implements Callable<Integer> {

    @picocli.CommandLine.Option(
            names = "--submit",
            paramLabel = "URL",
            description =
                    "Submit the shaded job jar to this Flink cluster's REST API (e.g."
                            + " http://host:8081) instead of running a local MiniCluster.")
    java.net.URI submit;

    @picocli.CommandLine.Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description = "With --submit: start from this savepoint or retained checkpoint.")
    String savepoint;

    @picocli.CommandLine.Option(
            names = "--fresh",
            description =
                    "Start without state (from the consumer group's committed offsets) instead of"
                            + " resuming from the newest retained checkpoint.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        KbConfig config = KbConfig.load();
        if (submit != null) {
            io.kbstream.cli.k8s.JobSubmission.submit(config, submit, null, savepoint);
            return 0;
        }
        Configuration flink = new Configuration();
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, config.get(PipelineOptions.FLINK_WEB_PORT));
        Optional<RetainedCheckpoints> checkpoints =
                RetainedCheckpoints.forCheckpointDir(config.get(PipelineOptions.CHECKPOINT_DIR));
        checkpoints.ifPresent(c -> resumeFromLatest(c, flink));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        IndexingJob.configure(env, config);
        checkpoints.ifPresent(c -> retainIn(c, env));
        System.out.println(
                "indexing job starting; Flink web UI at http://127.0.0.1:"
                        + config.get(PipelineOptions.FLINK_WEB_PORT));
        IndexingJob.withKafka(config).execute(env);
        return 0;
    }

    /**
     * Restores the newest retained checkpoint, so a pipeline killed mid-ingest continues with its
     * Kafka offsets and RocksDB state (versions, documents half assembled) instead of the group's
     * committed offsets without state.
     */
    private void resumeFromLatest(RetainedCheckpoints checkpoints, Configuration flink) {
        Optional<Path> latest = fresh ? Optional.empty() : checkpoints.latest();
        if (latest.isEmpty()) {
            return;
        }
        checkpoints.pruneExcept(latest.get());
        flink.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.get().toString());
        System.out.println("resuming from retained checkpoint " + latest.get());
    }

    /** Checkpoints in the pipeline's own folder, kept when the job is cancelled or killed. */
    private static void retainIn(RetainedCheckpoints checkpoints, StreamExecutionEnvironment env) {
        env.getCheckpointConfig().setCheckpointStorage(checkpoints.storageUri());
        env.getCheckpointConfig()
                .setExternalizedCheckpointRetention(
                        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
}
