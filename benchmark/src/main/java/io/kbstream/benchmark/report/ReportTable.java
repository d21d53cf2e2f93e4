package io.kbstream.benchmark.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two tables of the report, read from the designs' measurements: the seed's five targets, each
 * met or not, with the load generator's own capacity beside it; and the event-driven design against
 * the synchronous baseline, with the ratio per row.
 */
public final class ReportTable {

    private ReportTable() {}

    // ---------------------------------------------------------------- the targets

    /** One of the seed's targets: what it asks, what was measured, whether it was met. */
    public record Target(
            String name, String target, String measured, boolean met, String generator) {}

    public static List<Target> targets(Map<String, Object> ed) {
        String capacity =
                String.format(
                        Locale.ROOT,
                        "%,.0f req/s on /health/live",
                        value(ed, "generatorCapacity", "heldPerSecond"));
        List<Target> rows = new ArrayList<>();
        Map<String, Object> up = map(ed, "uploadTarget");
        double upRate = value(up, "achievedPerSecond");
        double upP95 = value(up, "upload", "p95Ms");
        rows.add(
                new Target(
                        "upload acknowledgement, open loop at "
                                + format(value(up, "offeredPerSecond"))
                                + "/s",
                        "≥ 1,000/s at p95 < 25 ms",
                        String.format(
                                Locale.ROOT,
                                "%s/s answered: p50 %s, p95 %s, p99 %s ms; error rate %s",
                                format(upRate),
                                format(value(up, "upload", "p50Ms")),
                                format(upP95),
                                format(value(up, "upload", "p99Ms")),
                                percent(value(up, "errorRate"))),
                        upRate >= 0.97 * 1000
                                && upP95 < BenchSettings.UPLOAD_P95_TARGET_MS
                                && value(up, "errorRate") < BenchSettings.ERROR_RATE_TARGET,
                        capacity + lag(up)));
        Map<String, Object> at = searchLevel(ed, BenchSettings.SEARCH_RATE_TARGET);
        rows.add(
                new Target(
                        "cached search, Zipf mix of the SciFact claims",
                        "≥ 5,000 req/s at p95 < 10 ms",
                        String.format(
                                Locale.ROOT,
                                "at %s/s offered: %s/s answered, p95 %s ms, p99 %s ms; best rate"
                                        + " within target %s/s",
                                format(value(at, "offeredPerSecond")),
                                format(value(at, "achievedPerSecond")),
                                format(value(at, "search", "p95Ms")),
                                format(value(at, "search", "p99Ms")),
                                format(
                                        value(
                                                ed,
                                                "cachedSearchTarget",
                                                "bestPerSecondWithinTarget"))),
                        Boolean.TRUE.equals(at.get("heldWithinTarget")),
                        capacity + lag(at)));
        Map<String, Object> users = map(ed, "users");
        Map<String, Object> first = firstStep(users);
        rows.add(
                new Target(
                        format(value(users, "target")) + " simulated users, think 0.5–2 s",
                        "search p95 < 200 ms, errors < 0.1 %",
                        String.format(
                                Locale.ROOT,
                                "%s users: search p95 %s ms, error rate %s, %s req/s; most users"
                                        + " within target %s (bisection, 10 %%)",
                                format(value(first, "users")),
                                format(value(first, "search", "p95Ms")),
                                percent(value(first, "errorRate")),
                                format(value(first, "achievedPerSecond")),
                                format(value(users, "maxUsersWithinTarget"))),
                        Boolean.TRUE.equals(users.get("targetMet")),
                        capacity + lag(first)));
        double fp32 = value(ed, "bulkIngest", "documentsPerHour");
        rows.add(
                new Target(
                        "documents indexed per hour, all-minilm-l6-v2 (fp32)",
                        "≥ 100,000 SciFact abstracts/h on 2 cores",
                        format(fp32)
                                + "/h ("
                                + format(value(ed, "bulkIngest", "indexed"))
                                + " abstracts in "
                                + format(value(ed, "bulkIngest", "secondsToIndexAll"))
                                + " s)",
                        fp32 >= BenchSettings.DOCS_PER_HOUR_TARGET,
                        "–"));
        double int8 = value(ed, "int8Indexing", "documentsPerHour");
        rows.add(
                new Target(
                        "documents indexed per hour, all-minilm-l6-v2-q (int8)",
                        "≥ 100,000 SciFact abstracts/h on 2 cores",
                        format(int8)
                                + "/h ("
                                + format(value(ed, "int8Indexing", "indexed"))
                                + " abstracts in "
                                + format(value(ed, "int8Indexing", "secondsToIndexAll"))
                                + " s)",
                        int8 >= BenchSettings.DOCS_PER_HOUR_TARGET,
                        "–"));
        return rows;
    }

    private static String lag(Map<String, Object> phase) {
        double p99 = value(phase, "sendLagMs", "p99Ms");
        return Double.isNaN(p99) ? "" : "; send lag p99 " + format(p99) + " ms";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> searchLevel(Map<String, Object> ed, double rate) {
        Object levels = map(ed, "cachedSearchTarget").get("levels");
        if (levels instanceof List<?> list) {
            for (Object l : list) {
                Map<String, Object> level = (Map<String, Object>) l;
                if (value(level, "offeredPerSecond") == rate) {
                    return level;
                }
            }
            if (!list.isEmpty()) {
                return (Map<String, Object>) list.get(list.size() - 1);
            }
        }
        return Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstStep(Map<String, Object> users) {
        Object steps = users.get("steps");
        return steps instanceof List<?> list && !list.isEmpty()
                ? (Map<String, Object>) list.get(0)
                : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof Map<?, ?> ? (Map<String, Object>) v : Map.of();
    }

    public static String targetsMarkdown(List<Target> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| target | asks | measured | met | load generator beside it |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Target t : rows) {
            sb.append("| ")
                    .append(t.name())
                    .append(" | ")
                    .append(t.target())
                    .append(" | ")
                    .append(t.measured())
                    .append(" | ")
                    .append(t.met() ? "**met**" : "**not met**")
                    .append(" | ")
                    .append(t.generator())
                    .append(" |\n");
        }
        return sb.toString();
    }

    public static List<Map<String, Object>> targetsJson(List<Target> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Target t : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", t.name());
            m.put("asks", t.target());
            m.put("measured", t.measured());
            m.put("met", t.met());
            m.put("generator", t.generator());
            out.add(m);
        }
        return out;
    }

    // ---------------------------------------------------------------- the comparison

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
            rows.add(
                    row(
                            "upload ack " + p + " (bulk ingest, 8 in flight)",
                            "ms",
                            ed,
                            sync,
                            "bulkIngest",
                            "uploadAck",
                            "upload",
                            p + "Ms"));
        }
        for (String phase : List.of("cold", "warm")) {
            String label =
                    phase.equals("cold")
                            ? "cold: no cache holds the query"
                            : "warm: both answer from an in-process cache";
            for (String p : List.of("p50", "p95", "p99")) {
                rows.add(
                        row(
                                "search " + p + " (" + label + ")",
                                "ms",
                                ed,
                                sync,
                                "search",
                                phase,
                                "search",
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
                        "most simulated users at search p95 < 200 ms, errors < 0.1 % (bisection,"
                                + " 10 %)",
                        "users", ed, sync, "users", "maxUsersWithinTarget"));
        rows.add(
                new Row(
                        "CPU, service processes (avg over the design's phases)",
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

    static String percent(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f %%", v * 100);
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
