package io.kbstream.cli;

import io.kbstream.core.config.StackOptions;
import io.kbstream.stack.LocalStack;
import io.kbstream.stack.StackService;
import io.kbstream.stack.Stacks;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kb stack up|down|status}: the local servers, all on 127.0.0.1. */
@Command(
        name = "stack",
        mixinStandardHelpOptions = true,
        description =
                "Start, stop or inspect the local stack (Postgres shards and their replicas,"
                        + " Redis, Kafka); promote a shard's replica.")
final class StackCommand {

    @Command(
            name = "up",
            description = "Start every service not yet running and wait until it answers.")
    int up() {
        LocalStack stack = Stacks.open();
        stack.up(System.out::println);
        System.out.println(
                "stack is up; data under " + Path.of(stack.config().get(StackOptions.DATA_DIR)));
        return 0;
    }

    @Command(
            name = "down",
            description =
                    "Stop exactly the processes kb started (by their pid files), private stacks"
                            + " (fault scenarios, soak) included.")
    int down() {
        LocalStack stack = Stacks.open();
        for (LocalStack other : stack.privateStacks()) {
            other.down(line -> System.out.println(other.label() + "/" + line.strip()));
        }
        stack.down(System.out::println);
        return 0;
    }

    @Command(
            name = "status",
            description =
                    "Report each service and tracked process; exit 0 only when the stack's"
                            + " services all run.")
    int status() {
        LocalStack stack = Stacks.open();
        print("", stack);
        for (LocalStack other : stack.privateStacks()) {
            if (other.allServices().stream().anyMatch(s -> s.status().running())) {
                print(other.label() + "/", other);
            }
        }
        return stack.allRunning() ? 0 : 3;
    }

    @Command(
            name = "promote",
            description =
                    "Promote the first running replica of SHARD to a primary (explicit, never"
                            + " automatic: make sure the old primary is down for good first, or"
                            + " two primaries take writes for one shard: split-brain).")
    int promote(@Parameters(paramLabel = "SHARD", description = "shard number") int shard) {
        LocalStack stack = Stacks.open();
        StackService promoted = stack.promote(shard);
        System.out.println(promoted.name() + " is now a primary at " + promoted.endpoint());
        System.out.println(
                "next: keep the old primary of shard "
                        + shard
                        + " stopped (do not start it again: it would be a second primary),"
                        + " set kb.postgres.shards so shard "
                        + shard
                        + " is "
                        + promoted.endpoint()
                        + ", and restart the pipeline and the API");
        return 0;
    }

    private static void print(String prefix, LocalStack stack) {
        for (StackService service : stack.allServices()) {
            StackService.Status status = service.status();
            System.out.printf(
                    "%-18s %-8s %-40s %s%n",
                    prefix + service.name(),
                    status.running() ? "UP" : "DOWN",
                    service.endpoint(),
                    status.detail());
        }
    }
}
