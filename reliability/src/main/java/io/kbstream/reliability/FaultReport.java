package io.kbstream.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes the fault table as JSON and Markdown. */
public final class FaultReport {

    private FaultReport() {}

    /** Writes {@code <name>.json} and {@code <name>.md} into {@code dir}; returns the table. */
    public static String write(
            Path dir, String name, Map<String, Object> header, List<ScenarioResult> rows)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>(header);
        json.put("finishedAt", Instant.now().toString());
        json.put("scenarios", rows);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve(name + ".json").toFile(), json);
        String table = table(rows);
        StringBuilder md = new StringBuilder("# Fault scenarios\n\n");
        header.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append('\n').append(table);
        Files.writeString(dir.resolve(name + ".md"), md.toString());
        return table;
    }

    /** The Markdown table: one row per scenario. */
    public static String table(List<ScenarioResult> rows) {
        StringBuilder out =
                new StringBuilder(
                        "| scenario | acknowledged | indexed | lost | duplicated | outage s |"
                                + " back in service s | all indexed s |\n"
                                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ScenarioResult r : rows) {
            out.append(
                    String.format(
                            "| %s | %d | %d | %d | %d | %.1f | %.1f | %.1f |%n",
                            r.scenario(),
                            r.acknowledged(),
                            r.indexed(),
                            r.lost(),
                            r.duplicated(),
                            r.outageSeconds(),
                            r.backInServiceSeconds(),
                            r.allIndexedSeconds()));
        }
        return out.toString();
    }
}
