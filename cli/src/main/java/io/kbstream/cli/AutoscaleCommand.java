package io.kbstream.cli;

import io.kbstream.core.config.ClusterOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.stack.FlinkCluster;
import io.kbstream.stack.ForegroundProcess;
import io.kbstream.stack.LocalAutoscaler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kb autoscale}: the operator's autoscaler driving the local cluster's jobs. */
@Command(
        name = "autoscale",
        mixinStandardHelpOptions = true,
        description =
                "Run the Flink autoscaler (the operator's algorithm) against the local cluster"
                        + " (kb cluster up): settings from the kb.cluster.autoscaler-overlay"
                        + " manifests, rescales in place, events to .kb/flink/autoscaler-events.jsonl.")
final class AutoscaleCommand implements Callable<Integer> {

    @Option(
            names = "--interval",
            paramLabel = "DURATION",
            defaultValue = "PT15S",
            description = "How often the control loop runs (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration interval;

    @Override
    public Integer call() throws Exception {
        KbConfig config = KbConfig.load();
        ForegroundProcess.claim(config, "autoscaler");
        FlinkCluster cluster = new FlinkCluster(config);
        Path events = cluster.autoscalerEvents();
        String overlay = config.get(ClusterOptions.AUTOSCALER_OVERLAY);
        System.out.println(
                "autoscaling the jobs of "
                        + cluster.restUri()
                        + " with the job.autoscaler.* settings of overlay "
                        + overlay
                        + "; events in "
                        + events);
        try (LocalAutoscaler autoscaler =
                new LocalAutoscaler(
                        cluster,
                        LocalAutoscaler.settings(overlay, Map.of()),
                        events,
                        System.out::println)) {
            autoscaler.run(interval);
        }
        return 0;
    }
}
