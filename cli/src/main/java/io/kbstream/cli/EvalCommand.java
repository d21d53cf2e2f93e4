package io.kbstream.cli;

import io.kbstream.api.search.Fusion;
import io.kbstream.benchmark.eval.BeirDataset;
import io.kbstream.benchmark.eval.EvalReport;
import io.kbstream.benchmark.eval.Evaluation;
import io.kbstream.benchmark.eval.ExactBaselines;
import io.kbstream.benchmark.eval.FusionSelection;
import io.kbstream.benchmark.eval.ModelSwitch;
import io.kbstream.benchmark.eval.ModelTable;
import io.kbstream.benchmark.eval.Ranking;
import io.kbstream.benchmark.eval.SciFact;
import io.kbstream.benchmark.eval.Scorer;
import io.kbstream.benchmark.report.ProcStats;
import io.kbstream.client.ApiClient;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.ConfigOption;
import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.StackOptions;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.stack.LocalReembed;
import io.kbstream.stack.LocalStack;
import io.kbstream.stack.Stacks;
import io.kbstream.stack.TenantKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kb eval}: retrieval quality of the running system on a BEIR-format dataset. The corpus
 * goes through the public API and the indexing pipeline into its own tenant; every judged query of
 * the split goes through {@code POST /v1/search} per mode; the answers are scored against the
 * qrels.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description =
                "Measure retrieval quality (nDCG@10, Recall@100, MRR@10) and search latency on a"
                        + " BEIR-format dataset, through the real upload, pipeline and search API.")
final class EvalCommand implements Callable<Integer> {

    @Option(
            names = "--dataset",
            description =
                    "Folder in BEIR layout (corpus.jsonl, queries.jsonl, qrels/<split>.tsv);"
                            + " default: SciFact (kb.stack.scifact-dir, else the nearest"
                            + " shared/data/scifact above the checkout).")
    Path dataset;

    @Option(
            names = "--split",
            description = "Qrels split: train, test or dev (default: ${DEFAULT-VALUE}).")
    String split = "test";

    @Option(
            names = "--mode",
            description =
                    "hybrid, vector, keyword, all, or none (only the --embedder-only rows: nothing"
                            + " is indexed or searched; default: ${DEFAULT-VALUE}).")
    String mode = "all";

    @Option(names = "--k", description = "Results per query, 1..100 (default: ${DEFAULT-VALUE}).")
    int k = 100;

    @Option(
            names = "--run-out",
            description = "Write TREC run files here (FILE, or FILE-<mode> for several modes).")
    Path runOut;

    @Option(
            names = "--tenant",
            description = "Tenant to index into (default: the dataset folder's name).")
    String tenant;

    @Option(
            names = "--exact",
            description =
                    "Also score exact (brute-force) vector search over the tenant's stored chunks,"
                            + " HNSW disabled, computed beside the API.")
    boolean exact;

    @Option(
            names = "--embedder-only",
            split = ",",
            description =
                    "Also score these embedding models by exact search over the corpus chunked and"
                            + " embedded in memory (no pipeline, no shards), e.g. bge-small-en-v15.")
    List<String> embedderOnly = new ArrayList<>();

    @Option(
            names = "--restart-api",
            description =
                    "Restart the background API first (after a rebuild, or to pick up changed"
                            + " kb.api.search.* / kb.search.* settings).")
    boolean restartApi;

    @Option(
            names = "--models-table",
            description =
                    "A model table written by kb bench models, copied into the results JSON as"
                            + " its 'models' section.")
    Path modelsTable;

    @Option(
            names = "--switch-model",
            description =
                    "Measure a model switch instead (issue 20): index the dataset in its own tenant"
                            + " (default <dataset>-switch) with --from-model, score through the"
                            + " API, re-embed with this model and switch as kb reembed does, score"
                            + " again; writes benchmark/results/model-switch.json and .md.")
    String switchModel;

    @Option(
            names = "--from-model",
            description = "The model a --switch-model run starts from (default: ${DEFAULT-VALUE}).")
    String fromModel = "all-minilm-l6-v2";

    @Option(
            names = "--out",
            description = "Results JSON (default: benchmark/results/eval-<dataset>-<split>.json).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (k < 1 || k > 100) {
            throw new IllegalArgumentException("--k must be between 1 and 100");
        }
        List<String> modes =
                switch (mode) {
                    case "all" -> List.of("vector", "keyword", "hybrid");
                    case "hybrid", "vector", "keyword" -> List.of(mode);
                    case "none" -> List.of();
                    default ->
                            throw new IllegalArgumentException(
                                    "--mode must be hybrid, vector, keyword, all or none");
                };
        if (modes.isEmpty() && embedderOnly.isEmpty()) {
            throw new IllegalArgumentException("--mode none needs --embedder-only MODEL[,MODEL]");
        }
        if (dataset == null) {
            dataset = SciFact.locate(KbConfig.load());
        }
        String loadBefore = ProcStats.loadAverage();
        BeirDataset data = BeirDataset.load(dataset, split);
        String name = tenant == null ? data.name() : tenant;
        System.out.printf(
                "dataset   %s: %d documents, %d judged queries in %s%n",
                data.name(), data.corpus().size(), data.queries().size(), split);

        KbConfig config = KbConfig.load();
        if (switchModel != null) {
            return measureSwitch(data, tenant == null ? data.name() + "-switch" : tenant, modes);
        }
        String model = config.get(EmbeddingOptions.MODEL);
        Map<String, Ranking> runs = new java.util.LinkedHashMap<>();
        EvalReport report = new EvalReport(data.name(), split, name, data.corpus().size(), k);
        if (!modes.isEmpty()) {
            searchThroughApi(data, name, modes, model, runs, report);
        }
        if (runs.containsKey("vector") && runs.containsKey("keyword")) {
            FusionSelection.Result fusion =
                    FusionSelection.select(
                            data.qrels(), runs.get("vector"), runs.get("keyword"), k);
            System.out.print(EvalReport.fusionSummary(fusion));
            Map<String, Object> json = EvalReport.fusionJson(fusion);
            if (runs.containsKey("hybrid")) {
                // the API's hybrid answers against a replay of its configured fusion: equal
                // unless the API runs other settings than this process reads
                Fusion configured = Fusion.from(config);
                json.put(
                        "replayOfConfigured",
                        FusionSelection.agreement(
                                runs.get("hybrid"),
                                FusionSelection.replay(
                                        runs.get("vector"), runs.get("keyword"), configured, k),
                                configured));
            }
            report.section("fusion", json);
        }
        if (exact) {
            System.out.println("exact     vector search over the stored chunks, HNSW off");
            Ranking run = ExactBaselines.shardsExact(config, name, data, k);
            report.add(
                    new EvalReport.Row(
                            "vector-exact",
                            model,
                            "shards, brute force",
                            Scorer.score(data.qrels(), run),
                            null,
                            null));
        }
        for (String other : embedderOnly) {
            Ranking run = ExactBaselines.embedderOnly(config, other, data, k, System.out);
            report.add(
                    new EvalReport.Row(
                            "vector-exact",
                            other,
                            "embedder only, in memory",
                            Scorer.score(data.qrels(), run),
                            null,
                            null));
        }

        if (modelsTable != null) {
            report.section("models", ModelTable.read(modelsTable));
        }
        report.section("settings", settings(config));
        Map<String, Object> machine = new java.util.LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("loadAverageBefore", loadBefore);
        machine.put("loadAverageAfter", ProcStats.loadAverage());
        report.section("machine", machine);

        System.out.println();
        System.out.print(report.table());
        Path results =
                out != null
                        ? out
                        : KbConfig.home()
                                .resolve(
                                        "benchmark/results/eval-"
                                                + data.name()
                                                + "-"
                                                + split
                                                + ".json");
        report.writeJson(results);
        Path png =
                results.resolveSibling(
                        results.getFileName().toString().replaceFirst("\\.json$", "")
                                + "-ndcg10.png");
        report.writePlot(png);
        System.out.println("results   " + results);
        System.out.println("plot      " + png);
        return 0;
    }

    /** {@code --switch-model}: quality before and after a model switch, and what it cost. */
    private int measureSwitch(BeirDataset data, String name, List<String> modes) throws Exception {
        if (modes.isEmpty() || !embedderOnly.isEmpty() || exact) {
            throw new IllegalArgumentException(
                    "--switch-model scores through the API: no --mode none, --embedder-only or"
                            + " --exact");
        }
        ApiClient api = openApi(name);
        KbConfig config = KbConfig.load();
        try (ShardedStore store = ShardedStore.open(config);
                LocalReembed reembed = new LocalReembed(config)) {
            ModelSwitch modelSwitch = new ModelSwitch(store, reembed, System.out);
            modelSwitch.prepare(name, fromModel);
            // writers read a tenant's models at most this old: the corpus must go in with fromModel
            Thread.sleep(config.get(EmbeddingOptions.TENANT_MODELS_REFRESH).toMillis());
            Evaluation eval = new Evaluation(data, api, () -> documents(store, name), System.out);
            eval.index(Duration.ofMinutes(5));
            String command =
                    String.format(
                            "./kb eval --split %s --mode %s --k %d --switch-model %s --from-model %s",
                            data.split(), mode, k, switchModel, fromModel);
            ModelSwitch.Result result =
                    modelSwitch.measure(
                            command, data, api, eval, name, fromModel, switchModel, modes, k);
            Path json =
                    out != null
                            ? out
                            : KbConfig.home().resolve("benchmark/results/model-switch.json");
            Path md = result.write(json);
            System.out.println("results   " + json);
            System.out.println("results   " + md);
            return 0;
        }
    }

    /**
     * Starts what is not running of the stack, the pipeline and the API (restarted if it must learn
     * the tenant's new key), and a client of the API with {@code name}'s key.
     */
    private ApiClient openApi(String name) throws Exception {
        LocalStack stack = Stacks.open();
        stack.up(System.out::println);
        TenantKeys.Key key =
                new TenantKeys(Path.of(stack.config().get(StackOptions.DATA_DIR))).ensure(name);
        if ((key.created() || restartApi) && stack.api().status().running()) {
            stack.api().down(); // it must reload kb.api.keys to know the new tenant
        }
        KbConfig config = KbConfig.load();
        stack.pipeline().up();
        stack.api().up();
        String baseUrl = "http://127.0.0.1:" + config.get(ApiOptions.PORT);
        ApiClient api =
                ApiClient.builder(baseUrl)
                        .apiKey(key.key())
                        .requestTimeout(Duration.ofSeconds(60))
                        .build();
        DemoCommand.waitUntil(
                api::ready,
                Duration.ofSeconds(60),
                "the API to be ready (log: " + stack.api().logFile() + ")");
        return api;
    }

    /** Indexes the dataset through the API (once per tenant) and scores each mode's answers. */
    private void searchThroughApi(
            BeirDataset data,
            String name,
            List<String> modes,
            String model,
            Map<String, Ranking> runs,
            EvalReport report)
            throws Exception {
        ApiClient api = openApi(name);
        KbConfig config = KbConfig.load();
        try (ShardedStore store = ShardedStore.open(config)) {
            Evaluation eval = new Evaluation(data, api, () -> documents(store, name), System.out);
            eval.index(Duration.ofMinutes(5));
            for (String m : modes) {
                System.out.printf("search    %s: %d queries%n", m, data.queries().size());
                Evaluation.ModeResult r = eval.search(m, k);
                runs.put(m, r.run());
                report.add(r.row(model));
                if (runOut != null) {
                    Path file =
                            modes.size() == 1
                                    ? runOut
                                    : runOut.resolveSibling(runOut.getFileName() + "-" + m);
                    r.run().writeTrec(file, "kb-" + m);
                    System.out.println("run       " + file);
                }
            }
        }
    }

    /** The settings the search answers depend on, as this process reads them (so does the API). */
    private static Map<String, Object> settings(KbConfig config) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (ConfigOption<?> option :
                List.of(
                        EmbeddingOptions.MODEL,
                        EmbeddingOptions.QUERY_INSTRUCTION,
                        EmbeddingOptions.CHUNK_TARGET_TOKENS,
                        EmbeddingOptions.CHUNK_OVERLAP_TOKENS,
                        ApiOptions.SEARCH_FUSION,
                        ApiOptions.SEARCH_KEYWORD_WEIGHT,
                        ApiOptions.SEARCH_RRF_K,
                        PostgresOptions.BM25_K1,
                        PostgresOptions.BM25_B,
                        PostgresOptions.EF_SEARCH,
                        PostgresOptions.EXACT_BELOW_CHUNKS,
                        PostgresOptions.EXACT_MAX_SHARE,
                        PostgresOptions.BM25_POSTINGS_PER_TERM,
                        PostgresOptions.BM25_MAX_POSTINGS_PER_TERM,
                        PostgresOptions.BM25_MAX_CANDIDATES)) {
            m.put(option.key(), config.get(option));
        }
        return m;
    }

    private static long documents(ShardedStore store, String tenant) {
        long n = 0;
        for (int shard = 0; shard < store.shardCount(); shard++) {
            n += store.countDocuments(shard, tenant);
        }
        return n;
    }
}
