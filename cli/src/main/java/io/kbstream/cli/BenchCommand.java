package io.kbstream.cli;

import io.kbstream.benchmark.api.ReplicaReadBenchmark;
import io.kbstream.benchmark.api.WarmupBenchmark;
import io.kbstream.benchmark.eval.ModelTable;
import io.kbstream.benchmark.eval.SciFact;
import io.kbstream.benchmark.report.BenchRun;
import io.kbstream.benchmark.report.BenchSettings;
import io.kbstream.benchmark.report.SearchProfile;
import io.kbstream.benchmark.scale.ScaleBenchmark;
import io.kbstream.core.config.KbConfig;
import io.kbstream.stack.LocalStack;
import io.kbstream.stack.Stacks;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kb bench}: benchmarks of the whole system. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks of the whole system.",
        subcommands = {
            BenchCommand.Report.class,
            BenchCommand.Scale.class,
            BenchCommand.Models.class,
            BenchCommand.Warmup.class,
            BenchCommand.Replicas.class,
            BenchCommand.Profile.class
        })
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** {@code --data}, else the SciFact folder found by {@link SciFact#locate}. */
    static Path dataset(Path data) {
        Path dir = data != null ? data : SciFact.locate(KbConfig.load());
        if (!SciFact.isDataset(dir)) {
            throw new IllegalArgumentException(
                    "no corpus.jsonl and queries.jsonl under " + dir + "; pass --data DIR");
        }
        return dir;
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
            Path dataDir = dataset(data);
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

    /**
     * {@code kb bench scale}: one shard's search latency against corpus size, and a small tenant
     * among many, on synthetic chunks copied into a scratch database of the local stack.
     */
    @Command(
            name = "scale",
            mixinStandardHelpOptions = true,
            description =
                    "Copy synthetic chunks (SciFact sentences, random vectors) into a scratch"
                            + " database on the first shard's server at each size, build the"
                            + " indexes, measure keyword/vector/hybrid latency at 1 and 4 clients;"
                            + " then add many small tenants. Writes benchmark/results/scale.json"
                            + " and scale.png.")
    static final class Scale implements Callable<Integer> {

        @Option(
                names = "--data",
                description =
                        "SciFact folder (corpus.jsonl, queries.jsonl); default: kb.stack.scifact-dir,"
                                + " else the nearest shared/data/scifact above the checkout.")
        Path data;

        @Option(names = "--out", description = "Output folder (default benchmark/results).")
        Path out;

        @Option(
                names = "--sizes",
                split = ",",
                description =
                        "Chunks of the large tenant at each point (default: ${DEFAULT-VALUE}).")
        List<Long> sizes = List.of(10_000L, 100_000L, 1_000_000L);

        @Option(
                names = "--small-tenants",
                description = "Small tenants beside the large one (default: ${DEFAULT-VALUE}).")
        int smallTenants = 1000;

        @Option(
                names = "--small-chunks",
                description = "Chunks per small tenant (default: ${DEFAULT-VALUE}).")
        int smallChunks = 100;

        @Option(
                names = "--queries",
                description =
                        "Queries per mode, client count and point (default: ${DEFAULT-VALUE}).")
        int queries = 200;

        @Option(
                names = "--maintenance-work-mem",
                description = "For the index builds (default: ${DEFAULT-VALUE}).")
        String maintenanceWorkMem = "4GB";

        @Option(
                names = "--parallel-workers",
                description =
                        "Parallel maintenance workers of the index builds, besides the leader"
                                + " (default: ${DEFAULT-VALUE}).")
        int parallelWorkers = 1;

        @Option(
                names = "--keyword-sweep-only",
                description =
                        "Load nothing: measure keyword search's cost against its loss for the"
                                + " settings of the sweep on the large tenant an earlier run left,"
                                + " into scale-keyword-sweep.json.")
        boolean sweepOnly;

        @Option(
                names = "--sweep-tenant",
                description =
                        "With --keyword-sweep-only: sweep this tenant of the stack's own shards"
                                + " (all of them, as the API asks), with the dataset's queries.")
        String sweepTenant;

        @Option(
                names = "--k",
                description =
                        "Chunks asked of a shard per search (default: ${DEFAULT-VALUE}, what the API"
                                + " asks for 10 results; kb eval's 100 results ask 300).")
        int k = 30;

        @Override
        public Integer call() throws Exception {
            LocalStack stack = Stacks.open();
            stack.up(System.out::println);
            Path dataDir = dataset(data);
            Path outDir = out != null ? out : KbConfig.home().resolve("benchmark/results");
            ScaleBenchmark.run(
                    stack.config(),
                    new ScaleBenchmark.Settings(
                            dataDir.resolve("corpus.jsonl"),
                            dataDir.resolve("queries.jsonl"),
                            outDir,
                            "kb_scale",
                            sizes,
                            smallTenants,
                            smallChunks,
                            queries,
                            List.of(1, 4),
                            maintenanceWorkMem,
                            parallelWorkers,
                            sweepOnly,
                            sweepTenant,
                            k),
                    line -> System.out.println("scale  " + line));
            System.out.println(
                    "wrote "
                            + (sweepOnly
                                    ? "the keyword sweep into " + outDir
                                    : outDir.resolve("scale.json") + " and scale.png"));
            return 0;
        }
    }

    /**
     * {@code kb bench models}: the model table from results already measured (no model runs here):
     * quality from {@code kb eval} files, speed from the embedding benchmark's file.
     */
    @Command(
            name = "models",
            mixinStandardHelpOptions = true,
            description =
                    "Tabulate candidate embedding models: vector nDCG@10 from kb eval results files"
                            + " beside chunks/s and query-embedding latency from the embedding"
                            + " benchmark's file; choose the default by the stated rule. Writes"
                            + " benchmark/results/models-scifact-train.json.")
    static final class Models implements Callable<Integer> {

        @Option(
                names = "--with-instruction",
                split = ",",
                description = "kb eval results files of runs with the query instruction on.")
        List<Path> withInstruction = List.of();

        @Option(
                names = "--without-instruction",
                split = ",",
                description =
                        "kb eval results files of runs without one (or of models that have none).")
        List<Path> withoutInstruction = List.of();

        @Option(
                names = "--speed",
                description =
                        "Embedding benchmark results (chunks and queries phases); default"
                                + " benchmark/results/embedding-models.json.")
        Path speed;

        @Option(
                names = "--out",
                description = "Default: benchmark/results/models-scifact-train.json.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Path home = KbConfig.home();
            ModelTable.Table table =
                    ModelTable.build(
                            withInstruction,
                            withoutInstruction,
                            speed != null
                                    ? speed
                                    : home.resolve("benchmark/results/embedding-models.json"));
            Path file =
                    out != null ? out : home.resolve("benchmark/results/models-scifact-train.json");
            ModelTable.write(table, file);
            System.out.print(ModelTable.markdown(table));
            System.out.println("results   " + file);
            return 0;
        }
    }

    /**
     * {@code kb bench profile}: where a cold and a warm search spend their time in each design
     * ({@code SearchProfile}: Java Flight Recorder on both servers), started on the local stack.
     */
    @Command(
            name = "profile",
            mixinStandardHelpOptions = true,
            description =
                    "Profile cold and warm search in the event-driven API and the synchronous"
                            + " baseline (Java Flight Recorder; CPU by component, socket waits by"
                            + " peer, GC) and write benchmark/results/search-profile.json.")
    static final class Profile implements Callable<Integer> {

        @Option(names = "--data", description = "SciFact folder; default: as for kb bench report.")
        Path data;

        @Option(names = "--out", description = "Default: benchmark/results/search-profile.json.")
        Path out;

        @Override
        public Integer call() throws Exception {
            LocalStack stack = Stacks.open();
            stack.up(System.out::println);
            Path file =
                    out != null
                            ? out
                            : KbConfig.home().resolve("benchmark/results/search-profile.json");
            SearchProfile.run(dataset(data), file, line -> System.out.println("profile  " + line));
            System.out.println("wrote " + file);
            return 0;
        }
    }

    /**
     * {@code kb bench warmup}: the in-process cache's hit rate after a restart, cold against warmed
     * ({@code WarmupBenchmark}), on the running stack.
     */
    @Command(
            name = "warmup",
            mixinStandardHelpOptions = true,
            description =
                    "First-minute in-process cache hit rate of a cold and a warmed API instance"
                            + " under the same Zipf load; needs the stack up (./kb stack up).")
    static final class Warmup implements Callable<Integer> {

        @Option(
                names = "--seconds",
                defaultValue = "60",
                description = "Load per instance after it is ready (default ${DEFAULT-VALUE}).")
        long seconds;

        @Option(names = "--out", description = "Default: benchmark/results/cache-warmup.json.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Path file =
                    out != null
                            ? out
                            : KbConfig.home().resolve("benchmark/results/cache-warmup.json");
            WarmupBenchmark.main(new String[] {Long.toString(seconds), file.toString()});
            return 0;
        }
    }

    /**
     * {@code kb bench replicas}: uncached search throughput reading from replicas against primaries
     * while the pipeline indexes an import ({@code ReplicaReadBenchmark}), on the running stack.
     */
    @Command(
            name = "replicas",
            mixinStandardHelpOptions = true,
            description =
                    "Uncached search throughput, replicas-first against primary-only, in one run"
                            + " while the pipeline indexes an import; needs the stack up"
                            + " (./kb stack up).")
    static final class Replicas implements Callable<Integer> {

        @Option(
                names = "--seconds",
                defaultValue = "15",
                description = "Length of each of the 8 measured steps (default ${DEFAULT-VALUE}).")
        long seconds;

        @Option(names = "--out", description = "Default: benchmark/results/replicas.json.")
        Path out;

        @Override
        public Integer call() throws Exception {
            Path file =
                    out != null ? out : KbConfig.home().resolve("benchmark/results/replicas.json");
            ReplicaReadBenchmark.main(new String[] {Long.toString(seconds), file.toString()});
            return 0;
        }
    }
}
