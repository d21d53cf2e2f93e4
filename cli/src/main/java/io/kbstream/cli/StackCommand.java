package io.kbstream.cli;

import io.kbstream.cli.stack.LocalStack;
import io.kbstream.cli.stack.StackService;
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
                "stack is up; data under "
                        + Path.of(
                                stack.config().get(io.kbstream.core.config.StackOptions.DATA_DIR)));
        return 0;
    }

    @Command(
            name = "down",
            description = "Stop exactly the processes kb started (by their pid files).")
    int down() {
        Stacks.open().down(System.out::println);
        return 0;
    }

    @Command(name = "status", description = "Report each service; exit 0 only when all run.")
    int status() {
        LocalStack stack = Stacks.open();
        for (StackService service : stack.allServices()) {
            StackService.Status status = service.status();
            System.out.printf(
                    "%-18s %-8s %-40s %s%n",
                    service.name(),
                    status.running() ? "UP" : "DOWN",
                    service.endpoint(),
                    status.detail());
        }
        return stack.allRunning() ? 0 : 3;
    }
}
