package io.kbstream.cli;

import io.kbstream.core.config.StackOptions;
import io.kbstream.stack.LocalStack;
import io.kbstream.stack.StackService;
import io.kbstream.stack.Stacks;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code kb stack up|down|status}: the local servers, all on 127.0.0.1. */
@Command(
        name = "stack",
        mixinStandardHelpOptions = true,
        description = "Start, stop or inspect the local stack (Postgres shards, Redis, Kafka).")
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
