package io.kbstream.cli;

import io.kbstream.benchmark.eval.SciFact;
import io.kbstream.benchmark.report.BenchRun;
import io.kbstream.benchmark.report.BenchSettings;
import io.kbstream.core.config.KbConfig;
import io.kbstream.stack.LocalStack;
import io.kbstream.stack.Stacks;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kb bench}: benchmarks of the whole system. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks of the whole system.",
        subcommands = {BenchCommand.Report.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * {@code kb bench report}: the event-driven design against a synchronous baseline, one run,
     * written to {@code benchmark/results/}.
     */
    @Command(
            name = "report",
            mixinStandardHelpOptions = true,
            description =
                    "Measure the event-driven design against the synchronous baseline (same"
                            + " model, shards and workload) and write benchmark/results/bench/.")
    static final class Report implements Callable<Integer> {

        @Option(names = "--smoke", description = "Seconds of tiny load instead of the full run.")
        boolean smoke;

        @Option(
                names = "--data",
                description =
                        "SciFact folder (queries.jsonl, corpus.jsonl); default: kb.stack.scifact-dir,"
                                + " else the nearest shared/data/scifact above the checkout.")
        Path data;

        @Option(names = "--out", description = "Output folder (default benchmark/results/bench).")
        Path out;

        @Override
        public Integer call() throws Exception {
            LocalStack stack = Stacks.open();
            stack.up(System.out::println);
            Path dataDir = data != null ? data : SciFact.locate(KbConfig.load());
            if (!SciFact.isDataset(dataDir)) {
                throw new IllegalArgumentException(
                        "no corpus.jsonl and queries.jsonl under " + dataDir + "; pass --data DIR");
            }
            Path outDir =
                    out != null
                            ? out
                            : KbConfig.home()
                                    .resolve("benchmark/results/bench" + (smoke ? "-smoke" : ""));
            long start = System.nanoTime();
            String table =
                    BenchRun.run(
                            smoke ? BenchSettings.smoke() : BenchSettings.full(),
                            dataDir,
                            outDir,
                            line -> System.out.println("bench  " + line));
            System.out.println();
            System.out.print(table);
            System.out.printf(
                    "%nwrote %s (report.json, report.md, latency-vs-users.png,"
                            + " ingest-throughput.png) in %.0f s%n",
                    outDir, (System.nanoTime() - start) / 1e9);
            return 0;
        }
    }
}
