package io.kbstream.cli;

import io.kbstream.cli.stack.StackException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kb} command line; {@code ./kb} at the repository root builds and runs it. */
@Command(
        name = "kb",
        mixinStandardHelpOptions = true,
        version = "kb-stream 0.1.0",
        description = "kb-stream: a streaming knowledge base on Flink, pgvector, Redis and Kafka.",
        subcommands = {
            StackCommand.class,
            DemoCommand.class,
            PipelineCommand.class,
            ApiCommand.class,
            SearchCommand.class,
            EvalCommand.class,
            ConfigCommand.class,
            io.kbstream.cli.k8s.K8sCommand.class
        })
public final class KbCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new KbCommand());
        commandLine.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    if (e instanceof StackException stack) {
                        System.err.println("error: " + stack.getMessage());
                        System.err.println("fix:   " + stack.fix());
                        return 1;
                    }
                    if (e instanceof IllegalArgumentException bad) {
                        System.err.println("error: " + bad.getMessage());
                        return 2;
                    }
                    throw e;
                });
        System.exit(commandLine.execute(args));
    }
}
