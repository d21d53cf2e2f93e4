package io.kbstream.benchmark.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kbstream.api.search.Fusion;
import io.kbstream.core.config.ApiOptions.FusionMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** The rows of one evaluation: printed as a table, written as JSON, plotted as a PNG. */
public final class EvalReport {

    /**
     * One measured configuration.
     *
     * @param mode hybrid, vector, keyword, or a baseline such as vector-exact
     * @param model the embedding model of the vectors ("-" for keyword)
     * @param how where the numbers come from (the search API, or a baseline computed beside it)
     * @param latency latency summary of the searches, or null when not measured through the API
     */
    public record Row(
            String mode,
            String model,
            String how,
            Metrics metrics,
            Map<String, Object> latency,
            Map<String, Object> extra) {}

    private final String dataset;
    private final String split;
    private final String tenant;
    private final int corpusSize;
    private final int k;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> sections = new LinkedHashMap<>();

    public EvalReport(String dataset, String split, String tenant, int corpusSize, int k) {
        this.dataset = dataset;
        this.split = split;
        this.tenant = tenant;
        this.corpusSize = corpusSize;
        this.k = k;
    }

    public void add(Row row) {
        rows.add(row);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Adds a named section to the JSON (after the rows), e.g. the fusion sweep or the models. */
    public void section(String name, Object value) {
        sections.put(name, value);
    }

    /** The table as printed on the terminal (also valid Markdown). */
    public String table() {
        StringBuilder t = new StringBuilder();
        t.append(
                String.format(
                        Locale.ROOT,
                        "%s %s: %d judged queries, %d documents, k=%d%n",
                        dataset,
                        split,
                        rows.isEmpty() ? 0 : rows.get(0).metrics().queries(),
                        corpusSize,
                        k));
        t.append(
                "| mode         | model            | nDCG@10 | Recall@100 | MRR@10 | p50 ms | p95 ms | p99 ms | source |\n");
        t.append(
                "|--------------|------------------|---------|------------|--------|--------|--------|--------|--------|\n");
        for (Row r : rows) {
            t.append(
                    String.format(
                            Locale.ROOT,
                            "| %-12s | %-16s | %7.4f | %10.4f | %6.4f | %6s | %6s | %6s | %s |%n",
                            r.mode(),
                            r.model(),
                            r.metrics().ndcg10(),
                            r.metrics().recall100(),
                            r.metrics().mrr10(),
                            ms(r, "p50Ms"),
                            ms(r, "p95Ms"),
                            ms(r, "p99Ms"),
                            r.how()));
        }
        return t.toString();
    }

    private static String ms(Row r, String key) {
        return r.latency() == null ? "-" : String.valueOf(r.latency().get(key));
    }

    public Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("dataset", dataset);
        root.put("split", split);
        root.put("tenant", tenant);
        root.put("documents", corpusSize);
        root.put("k", k);
        root.put("at", Instant.now().toString());
        root.put(
                "definitions",
                "nDCG@10 with graded gains and log2 discount, ideal DCG from the judged documents;"
                        + " Recall@100; MRR@10; means over judged queries");
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", r.mode());
            m.put("model", r.model());
            m.put("source", r.how());
            m.put("queries", r.metrics().queries());
            m.put("ndcg@10", round(r.metrics().ndcg10()));
            m.put("recall@100", round(r.metrics().recall100()));
            m.put("mrr@10", round(r.metrics().mrr10()));
            if (r.latency() != null) {
                m.put("latency", r.latency());
            }
            if (r.extra() != null) {
                m.putAll(r.extra());
            }
            out.add(m);
        }
        root.put("results", out);
        root.putAll(sections);
        return root;
    }

    public void writeJson(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(file.toFile(), json());
    }

    /** A bar chart of nDCG@10 per row, as a PNG. */
    public void writePlot(Path png) throws IOException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(900)
                        .height(500)
                        .title(dataset + " " + split + ": nDCG@10 per mode")
                        .xAxisTitle("mode (model)")
                        .yAxisTitle("nDCG@10")
                        .build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setLabelsVisible(true);
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Row r : rows) {
            labels.add(r.model().equals("-") ? r.mode() : r.mode() + " (" + r.model() + ")");
            values.add(round(r.metrics().ndcg10())); // four decimals on the bar labels
        }
        chart.addSeries("nDCG@10", labels, values);
        String name = png.getFileName().toString().replaceFirst("\\.png$", "");
        BitmapEncoder.saveBitmap(
                chart, png.resolveSibling(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** The sweep, the cross-validations and the bootstrap of a fusion selection, as JSON. */
    public static Map<String, Object> fusionJson(FusionSelection.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "method",
                "every candidate replayed on the API's vector and keyword answers for k (the API"
                        + " fuses exactly those top-k lists, so a replay equals its hybrid answer);"
                        + " "
                        + FusionSelection.FOLDS
                        + "-fold cross-validation over the judged queries (seeded shuffle, seed "
                        + FusionSelection.SEED
                        + "): each fold is scored with the candidate best on the other folds; the"
                        + " estimate is the mean of the held-out folds. The method with the better"
                        + " held-out mean is selected; the configured fusion is its best candidate"
                        + " on all queries. 'joint' chooses among both methods inside each fold"
                        + " (no choice between two held-out means: slightly more conservative).");
        m.put("k", r.k());
        m.put("queries", r.queries());
        m.put("vectorNdcg10", round(r.vectorNdcg10()));
        Map<String, Object> cv = new LinkedHashMap<>();
        for (FusionSelection.CrossValidation c : r.perMethod()) {
            cv.put(c.of(), crossValidationJson(c));
        }
        cv.put("joint", crossValidationJson(r.joint()));
        m.put("crossValidation", cv);
        m.put("selectedMethod", r.selected().of());
        m.put("estimateNdcg10", round(r.selected().meanHeldOutNdcg10()));
        PairedBootstrap estimate = heldOutMean(r.selected());
        m.put("estimateCi95", List.of(round(estimate.low()), round(estimate.high())));
        m.put("chosen", fusionJson(r.chosen()));
        m.put("chosenInSampleNdcg10", round(r.chosenInSampleNdcg10()));
        m.put(
                "chosenInSampleNote",
                "scored on the queries it was chosen on: optimistic; the estimate is"
                        + " estimateNdcg10 (the selected method's held-out mean)");
        PairedBootstrap b = r.hybridMinusVector();
        Map<String, Object> boot = new LinkedHashMap<>();
        boot.put("of", "hybrid (selected method, held-out scores) minus vector, nDCG@10");
        boot.put("queries", b.queries());
        boot.put("meanDifference", round(b.meanDifference()));
        boot.put("ci95", List.of(round(b.low()), round(b.high())));
        boot.put("resamples", b.resamples());
        boot.put("seed", b.seed());
        m.put("pairedBootstrap", boot);
        List<Map<String, Object>> sweep = new ArrayList<>();
        for (FusionSelection.Candidate c : r.sweep()) {
            Map<String, Object> row = fusionJson(c.fusion());
            row.put("ndcg@10", round(c.ndcg10()));
            sweep.add(row);
        }
        m.put("sweep", sweep);
        return m;
    }

    /** The fusion selection in a few lines, for the terminal. */
    public static String fusionSummary(FusionSelection.Result r) {
        StringBuilder t = new StringBuilder();
        t.append(
                String.format(
                        Locale.ROOT,
                        "fusion    %d-fold cross-validation, nDCG@10 (mean of held-out folds):",
                        FusionSelection.FOLDS));
        for (FusionSelection.CrossValidation c : r.perMethod()) {
            t.append(String.format(Locale.ROOT, " %s %.4f,", c.of(), c.meanHeldOutNdcg10()));
        }
        t.append(
                String.format(
                        Locale.ROOT,
                        " chosen per fold among both %.4f; vector %.4f%n",
                        r.joint().meanHeldOutNdcg10(),
                        r.vectorNdcg10()));
        PairedBootstrap estimate = heldOutMean(r.selected());
        t.append(
                String.format(
                        Locale.ROOT,
                        "fusion    selected %s: held-out %.4f (fold sd %.4f, 95%% CI [%.4f,"
                                + " %.4f])%n",
                        r.selected().of(),
                        r.selected().meanHeldOutNdcg10(),
                        sd(
                                r.selected().folds().stream()
                                        .mapToDouble(FusionSelection.Fold::heldOutNdcg10)
                                        .toArray()),
                        estimate.low(),
                        estimate.high()));
        t.append(
                String.format(
                        Locale.ROOT,
                        "fusion    its best on all %d queries: %s (in-sample %.4f, optimistic)%n",
                        r.queries(),
                        r.chosen(),
                        r.chosenInSampleNdcg10()));
        PairedBootstrap b = r.hybridMinusVector();
        t.append(
                String.format(
                        Locale.ROOT,
                        "fusion    hybrid (selected, held-out) minus vector: %+.4f, paired bootstrap 95%% CI"
                                + " [%+.4f, %+.4f]%n",
                        b.meanDifference(),
                        b.low(),
                        b.high()));
        return t.toString();
    }

    private static Map<String, Object> crossValidationJson(FusionSelection.CrossValidation c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("meanHeldOutNdcg10", round(c.meanHeldOutNdcg10()));
        double[] heldOut =
                c.folds().stream().mapToDouble(FusionSelection.Fold::heldOutNdcg10).toArray();
        m.put("heldOutFoldSd", round(sd(heldOut)));
        m.put(
                "heldOutFoldRange",
                List.of(
                        round(Arrays.stream(heldOut).min().orElseThrow()),
                        round(Arrays.stream(heldOut).max().orElseThrow())));
        PairedBootstrap mean = heldOutMean(c);
        m.put("heldOutMeanCi95", List.of(round(mean.low()), round(mean.high())));
        m.put(
                "heldOutMeanCiNote",
                "bootstrap over the queries of each one's held-out nDCG@10 ("
                        + mean.resamples()
                        + " resamples, seed "
                        + mean.seed()
                        + ")");
        List<Map<String, Object>> folds = new ArrayList<>();
        for (FusionSelection.Fold f : c.folds()) {
            Map<String, Object> fold = new LinkedHashMap<>();
            fold.put("fold", f.fold());
            fold.put("queries", f.queries());
            fold.put("chosen", fusionJson(f.chosen()));
            fold.put("trainNdcg10", round(f.trainNdcg10()));
            fold.put("heldOutNdcg10", round(f.heldOutNdcg10()));
            folds.add(fold);
        }
        m.put("folds", folds);
        return m;
    }

    private static PairedBootstrap heldOutMean(FusionSelection.CrossValidation c) {
        return PairedBootstrap.ofMean(
                c.heldOutPerQuery(),
                0.95,
                FusionSelection.BOOTSTRAP_RESAMPLES,
                FusionSelection.SEED);
    }

    /** Sample standard deviation. */
    private static double sd(double[] v) {
        double mean = Arrays.stream(v).average().orElseThrow();
        double ss = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
        return v.length < 2 ? 0 : Math.sqrt(ss / (v.length - 1));
    }

    /** A fusion's settings under their option names' last parts. */
    public static Map<String, Object> fusionJson(Fusion f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fusion", f.method().name().toLowerCase(Locale.ROOT));
        m.put("keywordWeight", f.keywordWeight());
        if (f.method() == FusionMethod.RRF) {
            m.put("rrfK", f.rrfK());
        }
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
