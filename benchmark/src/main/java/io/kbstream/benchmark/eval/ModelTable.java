package io.kbstream.benchmark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model table: each candidate embedding model's retrieval quality (vector mode through the
 * search API, from a {@code kb eval} results file) beside its speed (from the embedding benchmark's
 * {@code chunks} and {@code queries} phases), and the default chosen by one stated rule: among the
 * candidates whose nDCG@10 is at least {@value #QUALITY_SHARE} of the best candidate's, the fastest
 * indexing ceiling (chunks/s); a tie goes to the better nDCG@10.
 */
public final class ModelTable {

    /** A candidate must reach this share of the best candidate's nDCG@10. */
    public static final double QUALITY_SHARE = 0.9;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One candidate: a model with or without its query instruction.
     *
     * @param evalFile the {@code kb eval} results file its quality comes from
     * @param exactNdcg10 exact search over the same chunks, or NaN when that run did not measure it
     */
    public record Row(
            String model,
            boolean queryInstruction,
            double ndcg10,
            double recall100,
            double mrr10,
            double exactNdcg10,
            double chunksPerSecond,
            double documentsPerHour,
            double queryP50Ms,
            double queryP90Ms,
            double queryTokens,
            String evalFile) {}

    /**
     * @param rows every candidate, in the order given
     * @param best the candidate with the best nDCG@10
     * @param chosen the default by the rule
     */
    public record Table(List<Row> rows, Row best, Row chosen, String speedFile) {}

    private ModelTable() {}

    /**
     * Builds the table.
     *
     * @param withInstruction eval files of runs with the model's query instruction on
     * @param withoutInstruction eval files of runs without one (or of a model that has none)
     * @param speed the embedding benchmark's results file (chunks and queries phases)
     */
    public static Table build(List<Path> withInstruction, List<Path> withoutInstruction, Path speed)
            throws IOException {
        JsonNode bench = JSON.readTree(speed.toFile());
        List<Row> rows = new ArrayList<>();
        for (Path file : withInstruction) {
            rows.add(row(file, true, bench));
        }
        for (Path file : withoutInstruction) {
            rows.add(row(file, false, bench));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no eval files given");
        }
        Row best = rows.stream().max(Comparator.comparingDouble(Row::ndcg10)).orElseThrow();
        Row chosen =
                rows.stream()
                        .filter(r -> r.ndcg10() >= QUALITY_SHARE * best.ndcg10())
                        .max(
                                Comparator.comparingDouble(Row::chunksPerSecond)
                                        .thenComparingDouble(Row::ndcg10))
                        .orElseThrow();
        return new Table(rows, best, chosen, speed.toString());
    }

    private static Row row(Path file, boolean instruction, JsonNode bench) throws IOException {
        JsonNode eval = JSON.readTree(file.toFile());
        JsonNode vector = null;
        double exact = Double.NaN;
        for (JsonNode r : eval.path("results")) {
            if (r.path("mode").asText().equals("vector")) {
                vector = r;
            } else if (r.path("mode").asText().equals("vector-exact")) {
                exact = r.path("ndcg@10").asDouble();
            }
        }
        if (vector == null) {
            throw new IllegalArgumentException(file + " has no vector row");
        }
        String model = vector.path("model").asText();
        JsonNode chunks = find(bench.path("chunks"), model, null, speedNote(file, "chunks"));
        JsonNode query =
                find(bench.path("queryLatency"), model, instruction, speedNote(file, "queries"));
        return new Row(
                model,
                instruction,
                vector.path("ndcg@10").asDouble(),
                vector.path("recall@100").asDouble(),
                vector.path("mrr@10").asDouble(),
                exact,
                chunks.path("chunksPerSecond").asDouble(),
                chunks.path("documentsPerHour").asDouble(),
                query.path("p50Ms").asDouble(),
                query.path("p90Ms").asDouble(),
                query.path("meanTokens").asDouble(),
                file.toString());
    }

    private static String speedNote(Path file, String phase) {
        return "the embedding benchmark's " + phase + " phase has no entry for " + file;
    }

    private static JsonNode find(JsonNode list, String model, Boolean instruction, String missing) {
        for (JsonNode n : list) {
            if (n.path("model").asText().equals(model)
                    && (instruction == null
                            || n.path("queryInstruction").asBoolean() == instruction
                            || !hasInstruction(list, model))) {
                return n;
            }
        }
        throw new IllegalArgumentException(missing);
    }

    /** Whether the benchmark measured the model with an instruction (MiniLM has none). */
    private static boolean hasInstruction(JsonNode list, String model) {
        for (JsonNode n : list) {
            if (n.path("model").asText().equals(model) && n.path("queryInstruction").asBoolean()) {
                return true;
            }
        }
        return false;
    }

    /** The table as JSON, with the rule and the choice. */
    public static Map<String, Object> json(Table t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "rule",
                String.format(
                        Locale.ROOT,
                        "among the candidates with nDCG@10 >= %.2f x the best candidate's (%.4f),"
                                + " the fastest indexing ceiling (chunks/s); a tie goes to the"
                                + " better nDCG@10",
                        QUALITY_SHARE,
                        t.best().ndcg10()));
        m.put("threshold", Math.round(QUALITY_SHARE * t.best().ndcg10() * 10_000) / 10_000.0);
        m.put(
                "chosen",
                Map.of(
                        "model",
                        t.chosen().model(),
                        "queryInstruction",
                        t.chosen().queryInstruction()));
        m.put("speedFile", t.speedFile());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row r : t.rows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", r.model());
            row.put("queryInstruction", r.queryInstruction());
            row.put("ndcg@10", r.ndcg10());
            row.put("recall@100", r.recall100());
            row.put("mrr@10", r.mrr10());
            if (!Double.isNaN(r.exactNdcg10())) {
                row.put("exactNdcg@10", r.exactNdcg10());
            }
            row.put("eligible", r.ndcg10() >= QUALITY_SHARE * t.best().ndcg10());
            row.put("chunksPerSecond", r.chunksPerSecond());
            row.put("documentsPerHourCeiling", r.documentsPerHour());
            row.put("queryEmbeddingP50Ms", r.queryP50Ms());
            row.put("queryEmbeddingP90Ms", r.queryP90Ms());
            row.put("queryTokens", r.queryTokens());
            row.put("evalFile", r.evalFile());
            rows.add(row);
        }
        m.put("rows", rows);
        return m;
    }

    /** The table in Markdown. */
    public static String markdown(Table t) {
        StringBuilder s = new StringBuilder();
        s.append(
                "| model | query instruction | nDCG@10 | Recall@100 | ≥ 0.9 × best |"
                        + " chunks/s (ceiling) | documents/hour (ceiling) | query p50 ms |\n");
        s.append("|---|---|---:|---:|---|---:|---:|---:|\n");
        for (Row r : t.rows()) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "| %s%s | %s | %.4f | %.4f | %s | %.1f | %,.0f | %.2f |%n",
                            r.model(),
                            r == t.chosen() ? " **(default)**" : "",
                            r.queryInstruction() ? "yes" : "no",
                            r.ndcg10(),
                            r.recall100(),
                            r.ndcg10() >= QUALITY_SHARE * t.best().ndcg10() ? "yes" : "no",
                            r.chunksPerSecond(),
                            r.documentsPerHour(),
                            r.queryP50Ms()));
        }
        return s.toString();
    }

    /** Writes the JSON. */
    public static void write(Table t, Path out) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json(t));
    }

    /** Reads a table written by {@link #write}, to put into an eval's results file. */
    public static Object read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Map.class);
    }
}
