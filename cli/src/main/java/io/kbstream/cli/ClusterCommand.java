package io.kbstream.cli;

import io.kbstream.core.config.ClusterOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.stack.FlinkCluster;
import io.kbstream.stack.StackService;
import picocli.CommandLine.Command;

/** {@code kb cluster up|down|status}: the local standalone Flink cluster ({@link FlinkCluster}). */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description =
                "Start, stop or inspect the local Flink cluster: a JobManager and"
                        + " kb.cluster.task-managers TaskManagers, adaptive scheduler, 127.0.0.1.")
final class ClusterCommand {

    @Command(name = "up", description = "Start what is not running; wait for every slot.")
    int up() {
        KbConfig config = KbConfig.load();
        FlinkCluster cluster = new FlinkCluster(config);
        cluster.up(System.out::println);
        System.out.println(
                "cluster is up: "
                        + config.get(ClusterOptions.TASK_MANAGERS)
                        + " TaskManagers x "
                        + config.get(ClusterOptions.SLOTS)
                        + " slots; web UI and REST at "
                        + cluster.restUri()
                        + "; run the job with: ./kb pipeline --cluster");
        return 0;
    }

    @Command(name = "down", description = "Stop the cluster's processes by their pid files.")
    int down() {
        new FlinkCluster(KbConfig.load()).down(System.out::println);
        return 0;
    }

    @Command(
            name = "status",
            description = "Report each process of the cluster; exit 0 only when all run.")
    int status() {
        boolean all = true;
        for (StackService s : new FlinkCluster(KbConfig.load()).services()) {
            StackService.Status status = s.status();
            all &= status.running();
            System.out.printf(
                    "%-20s %-5s %-28s %s%n",
                    s.name(), status.running() ? "UP" : "DOWN", s.endpoint(), status.detail());
        }
        return all ? 0 : 3;
    }
}
