package io.kbstream.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The timeline of a live autoscaling run: every few seconds the embedding vertex's running
 * parallelism, the backlog (documents acknowledged but not yet indexed) and the indexing
 * throughput; written as JSON with a PNG beside it.
 */
public final class AutoscaleTimeline {

    /** One sample; {@code seconds} since the run began. */
    public record Sample(
            double seconds,
            int parallelism,
            int acknowledged,
            int indexed,
            double indexedPerSecond) {

        public int backlog() {
            return Math.max(0, acknowledged - indexed);
        }
    }

    private final long startNanos = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();

    /** Records a sample now; the throughput is taken from the previous sample. */
    public synchronized Sample record(int parallelism, int acknowledged, int indexed) {
        double t = (System.nanoTime() - startNanos) / 1e9;
        double rate = 0;
        if (!samples.isEmpty()) {
            Sample last = samples.get(samples.size() - 1);
            rate = t > last.seconds() ? (indexed - last.indexed()) / (t - last.seconds()) : 0;
        }
        Sample s = new Sample(t, parallelism, acknowledged, indexed, Math.max(0, rate));
        samples.add(s);
        return s;
    }

    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The parallelism changes in order, e.g. [1, 2, 1]. */
    public synchronized List<Integer> parallelismSteps() {
        List<Integer> steps = new ArrayList<>();
        for (Sample s : samples) {
            if (steps.isEmpty() || steps.get(steps.size() - 1) != s.parallelism()) {
                steps.add(s.parallelism());
            }
        }
        return steps;
    }

    /** Writes {@code <name>.json} (header + samples) and {@code <name>.png} into {@code dir}. */
    public synchronized void write(Path dir, String name, Map<String, Object> header)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>(header);
        json.put("parallelismSteps", parallelismSteps());
        json.put("samples", samples);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve(name + ".json").toFile(), json);
        XYChart chart =
                new XYChartBuilder()
                        .width(900)
                        .height(520)
                        .title("Autoscaling the indexing job (flink-autoscaler, local cluster)")
                        .xAxisTitle("seconds")
                        .yAxisTitle("documents")
                        .build();
        List<Double> x = samples.stream().map(Sample::seconds).toList();
        if (x.isEmpty()) {
            chart.addSeries("no data", List.of(0.0), List.of(0.0));
        } else {
            chart.addSeries("backlog (acknowledged, not indexed)", x, ints(Sample::backlog))
                    .setMarker(SeriesMarkers.NONE);
            chart.addSeries(
                            "indexed per second",
                            x,
                            samples.stream().map(Sample::indexedPerSecond).toList())
                    .setMarker(SeriesMarkers.NONE);
            XYSeries p = chart.addSeries("embedding parallelism", x, ints(Sample::parallelism));
            p.setMarker(SeriesMarkers.NONE);
            p.setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, "parallelism");
        }
        BitmapEncoder.saveBitmap(
                chart, dir.resolve(name + ".png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private List<Double> ints(java.util.function.ToIntFunction<Sample> f) {
        return samples.stream().map(s -> (double) f.applyAsInt(s)).toList();
    }
}
