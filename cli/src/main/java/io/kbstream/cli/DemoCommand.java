package io.kbstream.cli;

import io.kbstream.cli.stack.LocalStack;
import picocli.CommandLine.Command;

/** {@code kb demo}: the whole system on one machine. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Start the local stack and run the system on it.")
final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @Override
    public Integer call() {
        LocalStack stack = Stacks.open();
        stack.up(System.out::println);
        System.out.println();
        System.out.println(
                "The local stack is up and healthy. The indexing pipeline is not built yet,");
        System.out.println("so the demo stops here. Stop the stack with: ./kb stack down");
        return 0;
    }
}
