package io.kbstream.jobs.metrics;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The indexing job's own metrics, all in the {@code kb} group of their operator, so the Prometheus
 * reporter names them {@code flink_taskmanager_job_task_operator_kb_<name>} (units in the name,
 * {@code _total} on counters; labels are Flink's scope plus {@code outcome}, never a document).
 * Histograms are Flink histograms over the last {@link #WINDOW} values, which the reporter exports
 * as summaries with {@code quantile} labels (0.5 … 0.999).
 */
public final class JobMetrics {

    /** Values a histogram keeps: at a few hundred documents a second, the last few seconds. */
    static final int WINDOW = 1024;

    private JobMetrics() {}

    /** What became of a document in the job. */
    public enum Outcome {
        INDEXED,
        UNCHANGED,
        FAILED,
        DELETED,
        STALE;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * {@code kb_outcome_documents_total{outcome=...}}: documents that ended so in this operator.
     */
    public static Counter documents(MetricGroup operator, Outcome outcome) {
        return operator.addGroup("kb")
                .addGroup("outcome", outcome.label())
                .counter("documents_total");
    }

    public static Counter counter(MetricGroup operator, String name) {
        return operator.addGroup("kb").counter(name);
    }

    public static Histogram histogram(MetricGroup operator, String name) {
        return operator.addGroup("kb").histogram(name, new DescriptiveStatisticsHistogram(WINDOW));
    }

    /**
     * Adds Flink's Prometheus reporter on {@code port} to a cluster configuration: every metric of
     * the job (ours, the KafkaSource's lag, checkpoints, the job's uptime) served at {@code
     * http://host:port/}.
     */
    public static void prometheusReporter(Configuration flink, int port) {
        flink.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        flink.setString("metrics.reporter.prom.port", Integer.toString(port));
    }
}
