package io.kbstream.benchmark.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The rows of issue 7's table, read from both designs' measurements, with the ratio per row. */
public final class ReportTable {

    private ReportTable() {}

    /** One row: both designs' values (NaN when not measured) and event-driven ÷ synchronous. */
    public record Row(String metric, String unit, double eventDriven, double synchronous) {
        public double ratio() {
            return synchronous == 0 || Double.isNaN(synchronous) || Double.isNaN(eventDriven)
                    ? Double.NaN
                    : eventDriven / synchronous;
        }
    }

    public static List<Row> rows(Map<String, Object> ed, Map<String, Object> sync) {
        List<Row> rows = new ArrayList<>();
        for (String p : List.of("p50", "p95", "p99")) {
            rows.add(row("upload ack " + p, "ms", ed, sync, "bulkIngest", "uploadAck", p + "Ms"));
        }
        for (String phase : List.of("cold", "warm")) {
            for (String p : List.of("p50", "p95", "p99")) {
                rows.add(
                        row(
                                "search " + p + " (" + phase + " cache)",
                                "ms",
                                ed,
                                sync,
                                "search",
                                phase,
                                p + "Ms"));
            }
        }
        rows.add(
                row(
                        "documents indexed per hour",
                        "docs/h",
                        ed,
                        sync,
                        "bulkIngest",
                        "documentsPerHour"));
        rows.add(
                row(
                        "search req/s at p95 < 200 ms",
                        "req/s",
                        ed,
                        sync,
                        "throughput",
                        "bestPerSecondWithinTarget"));
        rows.add(
                row(
                        "max concurrent users (p95 < 200 ms, errors < 0.1 %)",
                        "users", ed, sync, "users", "maxUsersWithinTarget"));
        rows.add(
                new Row(
                        "CPU, service processes (avg over the run)",
                        "cores",
                        sumProcesses(ed, "cpuCores"),
                        sumProcesses(sync, "cpuCores")));
        rows.add(
                new Row(
                        "RSS, service processes (at end)",
                        "MB",
                        sumProcesses(ed, "rssMb"),
                        sumProcesses(sync, "rssMb")));
        rows.add(
                new Row(
                        "peak RSS, service processes",
                        "MB",
                        sumProcesses(ed, "peakRssMb"),
                        sumProcesses(sync, "peakRssMb")));
        return rows;
    }

    @SuppressWarnings("unchecked")
    static double sumProcesses(Map<String, Object> design, String field) {
        Object procs = design.get("processes");
        if (!(procs instanceof Map<?, ?> map) || map.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        for (Object p : map.values()) {
            sum += ((Number) ((Map<String, Object>) p).get(field)).doubleValue();
        }
        return sum;
    }

    private static Row row(
            String metric,
            String unit,
            Map<String, Object> ed,
            Map<String, Object> sync,
            String... path) {
        return new Row(metric, unit, value(ed, path), value(sync, path));
    }

    /** The number at {@code path} in nested maps, NaN when absent. */
    @SuppressWarnings("unchecked")
    public static double value(Map<String, Object> map, String... path) {
        Object node = map;
        for (String key : path) {
            if (!(node instanceof Map<?, ?>)) {
                return Double.NaN;
            }
            node = ((Map<String, Object>) node).get(key);
        }
        return node instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    public static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| metric | unit | event-driven | synchronous | event-driven ÷ synchronous |\n");
        sb.append("|---|---|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append("| ")
                    .append(r.metric())
                    .append(" | ")
                    .append(r.unit())
                    .append(" | ")
                    .append(format(r.eventDriven()))
                    .append(" | ")
                    .append(format(r.synchronous()))
                    .append(" | ")
                    .append(Double.isNaN(r.ratio()) ? "–" : format(r.ratio()) + "×")
                    .append(" |\n");
        }
        return sb.toString();
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    public static List<Map<String, Object>> asJson(List<Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("metric", r.metric());
            m.put("unit", r.unit());
            m.put("eventDriven", Double.isNaN(r.eventDriven()) ? null : r.eventDriven());
            m.put("synchronous", Double.isNaN(r.synchronous()) ? null : r.synchronous());
            m.put("ratio", Double.isNaN(r.ratio()) ? null : r.ratio());
            out.add(m);
        }
        return out;
    }
}
