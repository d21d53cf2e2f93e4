package io.kbstream.benchmark.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes {@code report.json}, {@code report.md} and the two plots of one report run. */
final class ReportWriter {

    private ReportWriter() {}

    /** Writes everything under {@code dir}; returns the Markdown tables. */
    static String write(
            Path dir,
            Map<String, Object> header,
            Map<String, Object> eventDriven,
            Map<String, Object> sync)
            throws IOException {
        Files.createDirectories(dir);
        List<ReportTable.Target> targets = ReportTable.targets(eventDriven);
        List<ReportTable.Row> rows = ReportTable.rows(eventDriven, sync);
        Map<String, Object> json = new LinkedHashMap<>(header);
        json.put("writtenAt", Instant.now().toString());
        json.put("targets", ReportTable.targetsJson(targets));
        json.put("table", ReportTable.asJson(rows));
        json.put(BenchReport.EVENT_DRIVEN, eventDriven);
        json.put(BenchReport.SYNCHRONOUS, sync);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("report.json").toFile(), json);
        String tables =
                "## The seed's targets\n\n"
                        + ReportTable.targetsMarkdown(targets)
                        + "\n## One machine, two roles (uploads and uncached searches during a bulk"
                        + " import)\n\n"
                        + twoRoles(eventDriven)
                        + "\n## Event-driven against synchronous\n\n"
                        + ReportTable.markdown(rows);
        StringBuilder md = new StringBuilder("# kb-stream: bench report\n\n");
        header.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append('\n').append(tables);
        Files.writeString(dir.resolve("report.md"), md.toString());
        Plots.latencyVsUsers(dir.resolve("latency-vs-users.png"), eventDriven, sync);
        Plots.ingestOverTime(dir.resolve("ingest-throughput.png"), eventDriven, sync);
        return tables;
    }

    @SuppressWarnings("unchecked")
    static String twoRoles(Map<String, Object> ed) {
        StringBuilder sb =
                new StringBuilder(
                        "| pipeline | upload p50 / p95 / p99 ms | uncached search p50 / p95 / p99"
                                + " ms | pipeline CPU (cores) | API CPU (cores) |\n"
                                + "|---|---|---|---:|---:|\n");
        Object roles = ed.get("twoRoles");
        if (!(roles instanceof Map<?, ?> r)) {
            return sb.toString();
        }
        for (String key : List.of("withoutPriority", "withLoweredPriority")) {
            if (!(r.get(key) instanceof Map<?, ?> p)) {
                continue;
            }
            Map<String, Object> phase = (Map<String, Object>) p;
            sb.append("| ")
                    .append(phase.get("pipeline"))
                    .append(" | ")
                    .append(percentiles(phase, "upload", "upload"))
                    .append(" | ")
                    .append(percentiles(phase, "uncachedSearch", "search"))
                    .append(" | ")
                    .append(ReportTable.format(ReportTable.value(phase, "pipelineCpu", "cpuCores")))
                    .append(" | ")
                    .append(ReportTable.format(ReportTable.value(phase, "apiCpu", "cpuCores")))
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String percentiles(Map<String, Object> phase, String part, String kind) {
        StringBuilder s = new StringBuilder();
        for (String p : List.of("p50Ms", "p95Ms", "p99Ms")) {
            if (s.length() > 0) {
                s.append(" / ");
            }
            s.append(ReportTable.format(ReportTable.value(phase, part, kind, p)));
        }
        return s.toString();
    }
}
