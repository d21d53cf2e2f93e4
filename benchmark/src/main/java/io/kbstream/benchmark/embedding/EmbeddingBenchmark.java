package io.kbstream.benchmark.embedding;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kbstream.benchmark.pipeline.IndexingBenchmark;
import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.EmbedderSpec;
import io.kbstream.core.embed.Embedders;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Embedding throughput and memory on SciFact abstracts: texts/s and tokens/s per batch size for the
 * fp32 and quantized models, the quantized model's agreement with fp32, the FLOPs ceiling, and a
 * long run that shows heap and RSS stay flat. A plain harness, not JMH: each measurement is seconds
 * of real inference, far above timer and JIT noise, and the model runs in native code.
 *
 * <p>Two more phases compare the models: <b>chunks</b>, chunks/s of each model at the default
 * engine setting on the very chunks the pipeline makes of the first {@code --chunk-docs} documents
 * (the model-bound ceiling of indexing, {@link IndexingBenchmark#embedderAlone}); and
 * <b>queries</b>, the latency of embedding one ~20-token search query with the model's query
 * convention on one core (one intra-op thread, one worker), as a lightly loaded API does.
 *
 * <p>Usage: {@code EmbeddingBenchmark --corpus PATH [--out FILE] [--phases
 * sweep,memory,chunks,queries] [--sweep-texts N] [--memory-texts N] [--rounds N] [--memory-model M]
 * [--models a,b] [--batches 1,8,32,64] [--run-sizes 1,4] [--chunk-docs N] [--queries PATH]
 * [--query-calls N]}.
 */
public final class EmbeddingBenchmark {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Encoder shape per bundled model, for the FLOPs estimate. */
    private record Arch(int layers, int hidden, int ffn) {}

    private static final Map<String, Arch> ARCH =
            Map.of(
                    "all-minilm-l6-v2", new Arch(6, 384, 1536),
                    "all-minilm-l6-v2-q", new Arch(6, 384, 1536),
                    "bge-small-en-v15", new Arch(12, 384, 1536),
                    "bge-small-en-v15-q", new Arch(12, 384, 1536));

    private EmbeddingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        Path corpus = Path.of(required(opt, "corpus"));
        Path out = Path.of(opt.getOrDefault("out", "benchmark/results/embedding.json"));
        int sweepTexts = Integer.parseInt(opt.getOrDefault("sweep-texts", "192"));
        int memoryTexts = Integer.parseInt(opt.getOrDefault("memory-texts", "10000"));
        int memoryBatch = Integer.parseInt(opt.getOrDefault("memory-batch", "32"));
        int sampleEvery = Integer.parseInt(opt.getOrDefault("sample-every", "25"));
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "3"));
        List<String> models =
                List.of(
                        opt.getOrDefault("models", "all-minilm-l6-v2,all-minilm-l6-v2-q")
                                .split(","));
        int[] batches =
                Arrays.stream(opt.getOrDefault("batches", "1,8,32,64").split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray();
        int maxBatch = Arrays.stream(batches).max().orElse(64);
        List<String> phases =
                List.of(opt.getOrDefault("phases", "sweep,memory,chunks,queries").split(","));
        int chunkDocs = Integer.parseInt(opt.getOrDefault("chunk-docs", "400"));
        int queryCalls = Integer.parseInt(opt.getOrDefault("query-calls", "300"));
        Path queriesFile =
                Path.of(
                        opt.getOrDefault(
                                "queries", corpus.resolveSibling("queries.jsonl").toString()));

        List<String> abstracts = readAbstracts(corpus);
        List<String> sweep = abstracts.subList(0, Math.min(sweepTexts, abstracts.size()));
        EmbedderSpec base = EmbedderSpec.from(KbConfig.load());
        int[] runSizes =
                Arrays.stream(opt.getOrDefault("run-sizes", "1,4").split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray();

        ObjectNode root = JSON.createObjectNode();
        root.put("benchmark", "embedding");
        root.put("date", Instant.now().toString());
        root.set("machine", machine());
        root.put("corpus", corpus.getFileName().toString());
        root.put("corpusAbstracts", abstracts.size());
        root.put("sweepTexts", sweep.size());
        root.put(
                "sweepNote",
                "the batch sweep uses the first "
                        + sweep.size()
                        + " abstracts in file order, so every batch size sees the same texts; "
                        + rounds
                        + " rounds interleave the batch sizes and the fastest round is reported");
        root.put("rounds", rounds);
        root.put("maxTokens", base.maxTokens());
        root.put(
                "settingsNote",
                "intra-op: one ONNX run per batch (padded to its longest text), using every core;"
                        + " data-parallel: the batch is cut into runs of N texts, one"
                        + " single-threaded run per core at a time (the default configuration)");

        ArrayNode results = root.putArray("models");
        Map<String, float[][]> vectorsByModel = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder();
        table.append(
                "| model | engine setting | batch | texts/s | tokens/s | padded tokens/s | GFLOP/s"
                        + " | % of nominal peak |\n");
        table.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        double peak = root.get("machine").get("peakGflops").asDouble();

        for (String model : phases.contains("sweep") ? models : List.<String>of()) {
            EmbedderSpec modelSpec = base.withModel(model);
            int[] tokens = tokenCounts(Embedders.tokenizerFile(modelSpec), sweep, base.maxTokens());
            long realTokens = Arrays.stream(tokens).asLongStream().sum();
            Arch arch = ARCH.get(model);
            ObjectNode m = results.addObject();
            m.put("model", model);
            m.put("realTokens", realTokens);
            ArrayNode settingsJson = m.putArray("settings");
            double bestBatch1 = 0;
            double bestBatched = 0;
            String bestBatchedLabel = "";
            for (Setting setting : settings(runSizes, base.batchSize())) {
                int[] callSizes = setting.onlyLargestBatch() ? new int[] {maxBatch} : batches;
                // one engine setting at a time: the registry holds one loaded copy per model
                Embedders.closeAll();
                long loadStart = System.nanoTime();
                Embedder warm = setting.embedder(modelSpec, maxBatch);
                m.put("loadSeconds", round((System.nanoTime() - loadStart) / 1e9, 2));
                m.put("version", warm.modelInfo().version());
                m.put("dimension", warm.modelInfo().dimension());
                warm.embed(sweep.subList(0, maxBatch)); // warm-up: JIT, ORT arena, predictors

                ObjectNode settingJson = settingsJson.addObject();
                settingJson.put("setting", setting.label());
                settingJson.put("intraOpThreads", setting.threads(modelSpec));
                settingJson.put("workers", setting.workers(modelSpec));
                settingJson.put(
                        "runSize", setting.runSize() == 0 ? "whole batch" : "" + setting.runSize());
                ArrayNode runs = settingJson.putArray("batches");
                // Rounds interleave the batch sizes (in a rotating order) and the best round
                // counts: the machine is shared, and a burst of someone else's work should not
                // decide which batch size "wins".
                double[][] seconds = new double[callSizes.length][rounds];
                double[][] cpuSeconds = new double[callSizes.length][rounds];
                for (int round = 0; round < rounds; round++) {
                    for (int k = 0; k < callSizes.length; k++) {
                        int j = (k + round) % callSizes.length;
                        int b = callSizes[j];
                        Embedder embedder = setting.embedder(modelSpec, b);
                        float[][] vectors = new float[sweep.size()][];
                        long cpuStart = processCpuNanos();
                        long start = System.nanoTime();
                        for (int from = 0; from < sweep.size(); from += b) {
                            int to = Math.min(from + b, sweep.size());
                            float[][] part = embedder.embed(sweep.subList(from, to));
                            System.arraycopy(part, 0, vectors, from, part.length);
                        }
                        seconds[j][round] = (System.nanoTime() - start) / 1e9;
                        cpuSeconds[j][round] = (processCpuNanos() - cpuStart) / 1e9;
                        vectorsByModel.putIfAbsent(model, vectors);
                        System.out.printf(
                                Locale.ROOT,
                                "%s %s round %d batch %d: %.1f texts/s (%.2f CPU s per wall s)%n",
                                model,
                                setting.label(),
                                round + 1,
                                b,
                                sweep.size() / seconds[j][round],
                                cpuSeconds[j][round] / seconds[j][round]);
                    }
                }
                for (int j = 0; j < callSizes.length; j++) {
                    int b = callSizes[j];
                    int runSize = setting.runSize() == 0 ? b : Math.min(b, setting.runSize());
                    long padded = paddedTokens(tokens, b, runSize);
                    int bestRound = 0;
                    for (int round = 1; round < rounds; round++) {
                        if (seconds[j][round] < seconds[j][bestRound]) {
                            bestRound = round;
                        }
                    }
                    double secs = seconds[j][bestRound];
                    double textsPerSecond = sweep.size() / secs;
                    double paddedPerSecond = padded / secs;
                    // the model computes on padded tokens, so they are what the FLOPs count
                    double gflops =
                            arch == null
                                    ? Double.NaN
                                    : flopsPerToken(arch, (double) padded / sweep.size())
                                            * paddedPerSecond
                                            / 1e9;
                    ObjectNode r = runs.addObject();
                    r.put("batchSize", b);
                    r.put("bestRoundSeconds", round(secs, 2));
                    ArrayNode all = r.putArray("textsPerSecondPerRound");
                    for (int round = 0; round < rounds; round++) {
                        all.add(round(sweep.size() / seconds[j][round], 1));
                    }
                    r.put("cpuSecondsPerWallSecond", round(cpuSeconds[j][bestRound] / secs, 2));
                    r.put("textsPerSecond", round(textsPerSecond, 1));
                    r.put("tokensPerSecond", round(realTokens / secs, 0));
                    r.put("paddedTokensPerSecond", round(paddedPerSecond, 0));
                    r.put("paddingOverhead", round((double) padded / realTokens, 3));
                    r.put("gflopsAchieved", round(gflops, 1));
                    r.put("percentOfNominalPeak", round(100 * gflops / peak, 1));
                    table.append(
                            String.format(
                                    Locale.ROOT,
                                    "| %s | %s | %d | %.1f | %.0f | %.0f | %.1f | %.1f%% |%n",
                                    model,
                                    setting.label(),
                                    b,
                                    textsPerSecond,
                                    realTokens / secs,
                                    paddedPerSecond,
                                    gflops,
                                    100 * gflops / peak));
                    if (b == 1) {
                        bestBatch1 = Math.max(bestBatch1, textsPerSecond);
                    } else if (textsPerSecond > bestBatched) {
                        bestBatched = textsPerSecond;
                        bestBatchedLabel = setting.label() + ", batch " + b;
                    }
                }
            }
            if (arch != null) {
                m.put(
                        "mflopsPerToken",
                        round(flopsPerToken(arch, (double) realTokens / tokens.length) / 1e6, 1));
            }
            m.put("bestBatch1TextsPerSecond", round(bestBatch1, 1));
            m.put("bestBatchedTextsPerSecond", round(bestBatched, 1));
            m.put("bestBatched", bestBatchedLabel);
            if (bestBatch1 > 0) {
                m.put("speedupBestBatchedOverBestBatch1", round(bestBatched / bestBatch1, 2));
            }
        }

        String fp32 = models.get(0);
        ObjectNode agreement = root.putObject("agreement");
        for (String other :
                phases.contains("sweep") ? models.subList(1, models.size()) : List.<String>of()) {
            double[] cos = cosines(vectorsByModel.get(fp32), vectorsByModel.get(other));
            ObjectNode a = agreement.putObject(other + " vs " + fp32);
            a.put("texts", cos.length);
            a.put("meanCosine", round(Arrays.stream(cos).average().orElse(Double.NaN), 4));
            Arrays.sort(cos);
            a.put("p5Cosine", round(cos[(int) (cos.length * 0.05)], 4));
            a.put("minCosine", round(cos[0], 4));
        }

        Embedders.closeAll();
        ObjectNode memory =
                phases.contains("memory")
                        ? memoryRun(
                                base.withModel(opt.getOrDefault("memory-model", fp32)),
                                abstracts,
                                memoryTexts,
                                memoryBatch,
                                sampleEvery)
                        : null;
        if (memory != null) {
            root.set("memory", memory);
        }
        if (phases.contains("chunks")) {
            root.set("chunks", chunksRun(models, corpus, chunkDocs));
        }
        if (phases.contains("queries")) {
            root.set("queryLatency", queryLatencyRun(base, models, queriesFile, queryCalls));
        }
        root.set("machineAfter", loadAverage());

        Files.createDirectories(out.toAbsolutePath().getParent());
        JSON.writeValue(out.toFile(), root);

        System.out.println();
        System.out.println(
                "## Embedding throughput (SciFact abstracts, "
                        + sweep.size()
                        + " texts per run, "
                        + base.maxTokens()
                        + "-token window)");
        System.out.println();
        System.out.print(table);
        System.out.println();
        for (JsonNode m : results) {
            System.out.printf(
                    Locale.ROOT,
                    "- %s: best batch 1 %.1f texts/s, best batched %.1f texts/s (%s): %.2fx;"
                            + " ~%.1f MFLOPs per token%n",
                    m.get("model").asText(),
                    m.get("bestBatch1TextsPerSecond").asDouble(),
                    m.get("bestBatchedTextsPerSecond").asDouble(),
                    m.get("bestBatched").asText(),
                    m.path("speedupBestBatchedOverBestBatch1").asDouble(),
                    m.path("mflopsPerToken").asDouble());
        }
        agreement
                .fields()
                .forEachRemaining(
                        e ->
                                System.out.printf(
                                        Locale.ROOT,
                                        "- agreement %s: mean cosine %.4f, 5th percentile %.4f, min %.4f (%d texts)%n",
                                        e.getKey(),
                                        e.getValue().get("meanCosine").asDouble(),
                                        e.getValue().get("p5Cosine").asDouble(),
                                        e.getValue().get("minCosine").asDouble(),
                                        e.getValue().get("texts").asInt()));
        JsonNode machine = root.get("machine");
        System.out.printf(
                Locale.ROOT,
                "- peak: %d cores x %.2f GHz x %d FP32 FLOPs/cycle = %.0f GFLOP/s (%s)%n",
                machine.get("cores").asInt(),
                machine.get("ghz").asDouble(),
                machine.get("flopsPerCycle").asInt(),
                peak,
                machine.get("cpu").asText());
        if (memory != null) {
            System.out.printf(
                    Locale.ROOT,
                    "- memory: %d texts in calls of %d with %s: heap after GC %.1f -> %.1f MB,"
                            + " RSS %.0f -> %.0f MB, peak RSS (VmHWM) %.0f MB%n",
                    memory.get("texts").asInt(),
                    memory.get("batchSize").asInt(),
                    memory.get("model").asText(),
                    memory.get("heapAfterGcFirstMb").asDouble(),
                    memory.get("heapAfterGcLastMb").asDouble(),
                    memory.get("rssFirstMb").asDouble(),
                    memory.get("rssLastMb").asDouble(),
                    memory.get("peakRssMb").asDouble());
        }
        for (JsonNode c : root.path("chunks")) {
            System.out.printf(
                    Locale.ROOT,
                    "- chunks: %s %.1f chunks/s (%d chunks of %d documents), ceiling %.0f"
                            + " documents/hour%n",
                    c.get("model").asText(),
                    c.get("chunksPerSecond").asDouble(),
                    c.get("chunks").asLong(),
                    c.get("documents").asInt(),
                    c.get("documentsPerHour").asDouble());
        }
        for (JsonNode q : root.path("queryLatency")) {
            System.out.printf(
                    Locale.ROOT,
                    "- query embedding: %s%s, %.1f tokens: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms%n",
                    q.get("model").asText(),
                    q.get("queryInstruction").asBoolean() ? " with instruction" : "",
                    q.get("meanTokens").asDouble(),
                    q.get("p50Ms").asDouble(),
                    q.get("p90Ms").asDouble(),
                    q.get("p99Ms").asDouble());
        }
        System.out.println(
                "- load average before/after: "
                        + root.get("machine").get("loadAverage").asText()
                        + " / "
                        + root.get("machineAfter").get("loadAverage").asText());
        System.out.println("- written to " + out);
        Embedders.closeAll();
    }

    /**
     * Chunks/s of each model at the default engine setting, on the chunks the pipeline makes of the
     * first {@code documents} corpus documents: the model-bound ceiling of indexing.
     */
    private static ArrayNode chunksRun(List<String> models, Path corpus, int documents)
            throws Exception {
        List<String[]> docs = IndexingBenchmark.readCorpus(corpus, documents);
        ArrayNode out = JSON.createArrayNode();
        for (String model : models) {
            Embedders.closeAll();
            KbConfig config = KbConfig.load().with(EmbeddingOptions.MODEL, model);
            IndexingBenchmark.Run run = IndexingBenchmark.embedderAlone(config, docs);
            ObjectNode c = out.addObject();
            c.put("model", model);
            c.put("documents", run.documents());
            c.put("chunks", run.chunks());
            c.put("seconds", round(run.seconds(), 2));
            c.put("chunksPerSecond", round(run.chunksPerSecond(), 1));
            c.put("documentsPerHour", round(run.documentsPerSecond() * 3600, 0));
            c.put(
                    "setting",
                    "calls of "
                            + config.get(PipelineOptions.EMBED_BATCH_SIZE)
                            + " chunks (the pipeline's batch), runs of "
                            + config.get(EmbeddingOptions.BATCH_SIZE)
                            + ", "
                            + EmbedderSpec.from(config).effectiveWorkers()
                            + " workers of "
                            + EmbedderSpec.from(config).effectiveThreads()
                            + " thread");
        }
        Embedders.closeAll();
        return out;
    }

    /**
     * Latency of one search query's embedding on one core: SciFact queries of 18 to 22 tokens
     * (special tokens included, before any instruction), embedded one at a time with the model's
     * query convention, with one intra-op thread and one worker. Models with an instruction are
     * also measured without it.
     */
    private static ArrayNode queryLatencyRun(
            EmbedderSpec base, List<String> models, Path queriesFile, int calls)
            throws IOException {
        List<String> all = readTexts(queriesFile);
        ArrayNode out = JSON.createArrayNode();
        for (String model : models) {
            EmbedderSpec spec = base.withModel(model).withParallelism(1, 1);
            int[] tokens = tokenCounts(Embedders.tokenizerFile(spec), all, base.maxTokens());
            List<String> queries = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                if (tokens[i] >= 18 && tokens[i] <= 22) {
                    queries.add(all.get(i));
                }
            }
            boolean hasInstruction = false;
            for (boolean instruction : List.of(true, false)) {
                Embedders.closeAll();
                Embedder embedder = Embedders.shared(spec.withQueryInstruction(instruction));
                if (instruction) {
                    hasInstruction = !embedder.queryText("").isEmpty();
                } else if (!hasInstruction) {
                    continue; // no instruction to leave out: the row above is the same
                }
                int[] embeddedTokens =
                        tokenCounts(
                                Embedders.tokenizerFile(spec),
                                queries.stream().map(embedder::queryText).toList(),
                                base.maxTokens());
                for (int i = 0; i < 30; i++) {
                    embedder.embedQuery(queries.get(i % queries.size())); // warm-up
                }
                double[] millis = new double[calls];
                for (int i = 0; i < calls; i++) {
                    String q = queries.get(i % queries.size());
                    long t0 = System.nanoTime();
                    embedder.embedQuery(q);
                    millis[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(millis);
                ObjectNode r = out.addObject();
                r.put("model", model);
                r.put("queryInstruction", !embedder.queryText("").isEmpty());
                r.put("queries", queries.size());
                r.put("calls", calls);
                r.put("meanTokens", round(Arrays.stream(embeddedTokens).average().orElse(0), 1));
                r.put("threads", 1);
                r.put("p50Ms", round(millis[calls / 2], 2));
                r.put("p90Ms", round(millis[(int) (calls * 0.9)], 2));
                r.put("p99Ms", round(millis[(int) (calls * 0.99)], 2));
                r.put("meanMs", round(Arrays.stream(millis).average().orElse(0), 2));
            }
        }
        Embedders.closeAll();
        return out;
    }

    /** Embeds {@code n} abstracts (cycling the corpus) and samples heap and RSS as it goes. */
    private static ObjectNode memoryRun(
            EmbedderSpec spec, List<String> abstracts, int n, int batch, int sampleEvery) {
        Embedder embedder = Embedders.shared(spec);
        ObjectNode memory = JSON.createObjectNode();
        memory.put("model", spec.model());
        memory.put("texts", n);
        memory.put("batchSize", batch);
        memory.put(
                "note",
                n > abstracts.size()
                        ? "the corpus has "
                                + abstracts.size()
                                + " abstracts; the run cycles through it"
                        : "first " + n + " abstracts");
        memory.put("rssBeforeMb", round(procStatusMb("VmRSS"), 0));
        memory.put("peakRssBeforeMb", round(procStatusMb("VmHWM"), 0));
        ArrayNode samples = memory.putArray("samples");
        long start = System.nanoTime();
        int batches = 0;
        for (int done = 0; done < n; done += batch) {
            List<String> texts = new ArrayList<>(batch);
            for (int i = done; i < Math.min(done + batch, n); i++) {
                texts.add(abstracts.get(i % abstracts.size()));
            }
            embedder.embed(texts);
            batches++;
            if (batches % sampleEvery == 0 || done + batch >= n) {
                System.gc();
                ObjectNode s = samples.addObject();
                s.put("batches", batches);
                s.put("texts", Math.min(done + batch, n));
                s.put("heapAfterGcMb", round(heapUsedMb(), 1));
                s.put("rssMb", round(procStatusMb("VmRSS"), 0));
                s.put("peakRssMb", round(procStatusMb("VmHWM"), 0));
                System.out.printf(
                        Locale.ROOT,
                        "memory run: %d batches, heap after GC %.1f MB, RSS %.0f MB, VmHWM %.0f MB%n",
                        batches,
                        s.get("heapAfterGcMb").asDouble(),
                        s.get("rssMb").asDouble(),
                        s.get("peakRssMb").asDouble());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        memory.put("seconds", round(seconds, 1));
        memory.put("textsPerSecond", round(n / seconds, 1));
        JsonNode first = samples.get(0);
        JsonNode last = samples.get(samples.size() - 1);
        memory.put("heapAfterGcFirstMb", first.get("heapAfterGcMb").asDouble());
        memory.put("heapAfterGcLastMb", last.get("heapAfterGcMb").asDouble());
        memory.put("rssFirstMb", first.get("rssMb").asDouble());
        memory.put("rssLastMb", last.get("rssMb").asDouble());
        memory.put("peakRssMb", last.get("peakRssMb").asDouble());
        return memory;
    }

    /**
     * How the engine runs a batch: threads and workers as in {@link EmbedderSpec} (0 = one per
     * processor); {@code runSize} 0 means the whole batch is one padded run.
     */
    record Setting(String label, int threads, int workers, int runSize, boolean onlyLargestBatch) {

        Embedder embedder(EmbedderSpec modelSpec, int batch) {
            return Embedders.shared(
                    modelSpec
                            .withParallelism(threads, workers)
                            .withBatchSize(runSize == 0 ? batch : runSize));
        }

        int threads(EmbedderSpec spec) {
            return spec.withParallelism(threads, workers).effectiveThreads();
        }

        int workers(EmbedderSpec spec) {
            return spec.withParallelism(threads, workers).effectiveWorkers();
        }
    }

    /**
     * The classic padded batch on all cores, then data parallelism with each run size; sizes other
     * than the configured default are measured at the largest batch only, to pick the default.
     */
    static List<Setting> settings(int[] runSizes, int defaultRunSize) {
        List<Setting> out = new ArrayList<>();
        out.add(new Setting("intra-op", 0, 1, 0, false));
        for (int r : runSizes) {
            out.add(new Setting("data-parallel, runs of " + r, 1, 0, r, r != defaultRunSize));
        }
        return out;
    }

    /** Tokens the model computes on: calls of {@code batch}, each cut into padded runs. */
    static long paddedTokens(int[] tokens, int batch, int runSize) {
        long padded = 0;
        for (int call = 0; call < tokens.length; call += batch) {
            int callEnd = Math.min(call + batch, tokens.length);
            for (int from = call; from < callEnd; from += runSize) {
                int to = Math.min(from + runSize, callEnd);
                int longest = 0;
                for (int i = from; i < to; i++) {
                    longest = Math.max(longest, tokens[i]);
                }
                padded += (long) longest * (to - from);
            }
        }
        return padded;
    }

    /**
     * Encoder FLOPs per token: 2 per multiply-add of the weight matrices (Q, K, V, O and the two
     * feed-forward layers) plus attention scores and the weighted sum over {@code seq} positions.
     */
    static double flopsPerToken(Arch a, double seq) {
        double weights = 4.0 * a.hidden() * a.hidden() + 2.0 * a.hidden() * a.ffn();
        double attention = 2.0 * seq * a.hidden();
        return a.layers() * 2.0 * (weights + attention);
    }

    private static int[] tokenCounts(Path tokenizerFile, List<String> texts, int maxTokens)
            throws IOException {
        try (HuggingFaceTokenizer tokenizer =
                HuggingFaceTokenizer.newInstance(
                        tokenizerFile,
                        Map.of(
                                "maxLength",
                                String.valueOf(maxTokens),
                                "truncation",
                                "true",
                                "padding",
                                "false"))) {
            return texts.stream().mapToInt(t -> tokenizer.encode(t).getIds().length).toArray();
        }
    }

    /** The {@code text} of every line of a BEIR queries file. */
    private static List<String> readTexts(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "queries not found: " + file + " (pass --queries PATH/queries.jsonl)");
        }
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line).path("text").asText(""));
            }
        }
        return out;
    }

    private static List<String> readAbstracts(Path corpus) throws IOException {
        if (!Files.isRegularFile(corpus)) {
            throw new IllegalArgumentException(
                    "SciFact corpus not found: " + corpus + " (pass --corpus PATH/corpus.jsonl)");
        }
        List<String> out = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.isBlank()) {
                    String text = JSON.readTree(line).path("text").asText("");
                    if (!text.isBlank()) {
                        out.add(text);
                    }
                }
            }
        }
        return out;
    }

    private static double[] cosines(float[][] a, float[][] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int d = 0; d < a[i].length; d++) {
                dot += (double) a[i][d] * b[i][d];
                na += (double) a[i][d] * a[i][d];
                nb += (double) b[i][d] * b[i][d];
            }
            out[i] = dot / Math.sqrt(na * nb);
        }
        return out;
    }

    /** CPU, cores and the FP32 peak from the vector width the flags show. */
    private static ObjectNode machine() throws IOException {
        ObjectNode m = JSON.createObjectNode();
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        String model = field(cpuinfo, "model name");
        double mhz = Double.parseDouble(field(cpuinfo, "cpu MHz"));
        String flags = " " + field(cpuinfo, "flags") + " ";
        int cores = Runtime.getRuntime().availableProcessors();
        // two FMA pipes per core; AMD Zen 4 executes AVX-512 as two 256-bit halves, so it peaks at
        // the AVX2 rate: 2 pipes x 8 floats x 2 FLOPs
        boolean avx512Full = flags.contains(" avx512f ") && !model.contains("AMD");
        int flopsPerCycle = avx512Full ? 64 : flags.contains(" avx2 ") ? 32 : 16;
        m.put("cpu", model);
        m.put("cores", cores);
        m.put("ghz", round(mhz / 1000, 2));
        m.put("flopsPerCycle", flopsPerCycle);
        m.put("peakGflops", round(cores * mhz / 1000 * flopsPerCycle, 0));
        m.put("java", System.getProperty("java.version"));
        m.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.setAll(loadAverage());
        return m;
    }

    private static ObjectNode loadAverage() {
        ObjectNode n = JSON.createObjectNode();
        try {
            n.put("loadAverage", Files.readString(Path.of("/proc/loadavg")).trim());
        } catch (IOException e) {
            n.put("loadAverage", "unknown");
        }
        return n;
    }

    private static String field(String cpuinfo, String name) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith(name)) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "";
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double heapUsedMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024);
    }

    /** A {@code kB} line of /proc/self/status, in MB. */
    private static double procStatusMb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return Double.NaN;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }

    private static String required(Map<String, String> opt, String key) {
        String v = opt.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }
}
