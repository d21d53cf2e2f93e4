package io.kbstream.cli;

import io.kbstream.core.config.KbConfig;
import io.kbstream.stack.ForegroundProcess;
import io.kbstream.stack.LocalPipeline;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kb pipeline}: the IndexingJob on a local Flink MiniCluster against the local stack ({@link
 * LocalPipeline}), tracked by its pid file like the background one; or, with {@code --submit}, the
 * shaded job jar on a Flink cluster.
 */
@Command(
        name = "pipeline",
        mixinStandardHelpOptions = true,
        description =
                "Run the indexing job on a local Flink MiniCluster (web UI on kb.flink.web-port).")
final class PipelineCommand implements Callable<Integer> {

    @Option(
            names = "--submit",
            paramLabel = "URL",
            description =
                    "Submit the shaded job jar to this Flink cluster's REST API (e.g."
                            + " http://host:8081) instead of running a local MiniCluster.")
    java.net.URI submit;

    @Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description = "With --submit: start from this savepoint or retained checkpoint.")
    String savepoint;

    @Option(
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
        ForegroundProcess.claim(config, "pipeline");
        LocalPipeline.run(config, fresh, System.out::println);
        return 0;
    }
}
