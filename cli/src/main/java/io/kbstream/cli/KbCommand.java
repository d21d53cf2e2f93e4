package io.kbstream.cli;

import io.kbstream.stack.StackException;
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
            ClusterCommand.class,
            AutoscaleCommand.class,
            ApiCommand.class,
            SoakCommand.class,
            SearchCommand.class,
            ReembedCommand.class,
            RebuildCommand.class,
            TenantCommand.class,
            KeyCommand.class,
            EvalCommand.class,
            BenchCommand.class,
            ConfigCommand.class,
            io.kbstream.cli.k8s.K8sCommand.class
        })
public final class KbCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: what {@code main} runs, and what tests run. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new KbCommand());
        commandLine.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    if (e instanceof StackException stack) {
                        System.err.println("error: " + stack.getMessage());
                        System.err.println("fix:   " + stack.fix());
                        return 1;
                    }
                    if (e instanceof io.kbstream.client.ApiException api) {
                        System.err.println(
                                api.unreachable()
                                        ? "error: the API did not answer: " + api.serverMessage()
                                        : "error: the API answered " + api.getMessage());
                        System.err.println(
                                api.unreachable()
                                        ? "fix:   start it: ./kb demo (or ./kb api); ./kb stack status shows what runs"
                                        : "fix:   see the message above and the API log under .kb/run/");
                        return 1;
                    }
                    if (e instanceof IllegalArgumentException bad) {
                        System.err.println("error: " + bad.getMessage());
                        return 2;
                    }
                    if (e instanceof java.io.IOException io) {
                        System.err.println(
                                "error: " + io.getClass().getSimpleName() + ": " + io.getMessage());
                        System.err.println(
                                "fix:   check the address and that the service runs (./kb stack status)");
                        return 1;
                    }
                    // anything else is a bug of ours: one line, and the trace only when asked for
                    System.err.println("error: " + e);
                    if (System.getenv("KB_DEBUG") != null) {
                        e.printStackTrace();
                    } else {
                        System.err.println("       (KB_DEBUG=1 shows the stack trace)");
                    }
                    return 1;
                });
        return commandLine;
    }
}
