package io.kbstream.benchmark.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The two PNG plots of the report (XChart). */
final class Plots {

    private Plots() {}

    /** p50/p95/p99 of searches per user step (in user order), both designs, log axes. */
    @SuppressWarnings("unchecked")
    static void latencyVsUsers(Path file, Map<String, Object> ed, Map<String, Object> sync)
            throws IOException {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(520)
                        .title("Search latency vs simulated users (think 0.5-2 s)")
                        .xAxisTitle("concurrent users")
                        .yAxisTitle("latency (ms)")
                        .build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        boolean any = false;
        for (var design : List.of(Map.entry("event-driven", ed), Map.entry("sync", sync))) {
            Object users = design.getValue().get("users");
            if (!(users instanceof Map<?, ?> u)) {
                continue;
            }
            List<Map<String, Object>> steps =
                    new ArrayList<>((List<Map<String, Object>>) u.get("steps"));
            steps.sort(java.util.Comparator.comparingDouble(s -> ReportTable.value(s, "users")));
            for (String p : List.of("p50Ms", "p95Ms", "p99Ms")) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (Map<String, Object> step : steps) {
                    double v = ReportTable.value(step, "search", p);
                    if (!Double.isNaN(v)) {
                        x.add(((Number) step.get("users")).doubleValue());
                        y.add(Math.max(0.01, v));
                    }
                }
                if (!x.isEmpty()) {
                    chart.addSeries(design.getKey() + " " + p.replace("Ms", ""), x, y)
                            .setMarker(SeriesMarkers.CIRCLE);
                    any = true;
                }
            }
        }
        if (!any) {
            chart.addSeries("no data", List.of(1.0), List.of(1.0));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Documents indexed per second over time during the bulk ingest, both designs. */
    @SuppressWarnings("unchecked")
    static void ingestOverTime(Path file, Map<String, Object> ed, Map<String, Object> sync)
            throws IOException {
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(520)
                        .title("Bulk ingest: documents indexed per second")
                        .xAxisTitle("seconds since the first upload")
                        .yAxisTitle("documents/s (1 s samples)")
                        .build();
        boolean any = false;
        for (var design : List.of(Map.entry("event-driven", ed), Map.entry("sync", sync))) {
            Object bulk = design.getValue().get("bulkIngest");
            if (!(bulk instanceof Map<?, ?> b)) {
                continue;
            }
            List<List<Double>> points = (List<List<Double>>) b.get("indexedOverTime");
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 1; i < points.size(); i++) {
                double dt = points.get(i).get(0) - points.get(i - 1).get(0);
                double dn = points.get(i).get(1) - points.get(i - 1).get(1);
                x.add(points.get(i).get(0));
                y.add(dt > 0 ? dn / dt : 0);
            }
            if (!x.isEmpty()) {
                chart.addSeries(design.getKey(), x, y).setMarker(SeriesMarkers.NONE);
                any = true;
            }
        }
        if (!any) {
            chart.addSeries("no data", List.of(0.0), List.of(0.0));
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
