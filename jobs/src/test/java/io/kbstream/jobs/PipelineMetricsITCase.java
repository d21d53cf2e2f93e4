package io.kbstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.client.http.HttpTransport;
import io.kbstream.client.http.Request;
import io.kbstream.jobs.metrics.JobMetrics;
import io.kbstream.jobs.testing.JobFixture;
import io.kbstream.jobs.testing.PipelineRunner;
import io.kbstream.schemas.EventType;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexing job on a MiniCluster with Flink's Prometheus reporter configured as the local
 * pipeline configures it ({@link JobMetrics#prometheusReporter}), scraped over HTTP after real
 * documents went through Kafka, the model and the shards.
 */
class PipelineMetricsITCase {

    private static final String OP = "flink_taskmanager_job_task_operator_kb_";

    @TempDir Path checkpoints;

    @Test
    void the_pipeline_endpoint_serves_outcomes_inference_shard_writes_and_kafka_lag()
            throws Exception {
        JobFixture fixture = JobFixture.create("metrics", checkpoints);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Configuration flink = new Configuration();
        JobMetrics.prometheusReporter(flink, port);
        String t = fixture.tenant();
        String text = "Prometheus scrapes the pipeline. It counts every document it indexes.";
        try (PipelineRunner pipeline = PipelineRunner.start(fixture.config(), flink)) {
            fixture.send(
                    List.of(
                            JobFixture.upsert(t, "kept-doc", text),
                            JobFixture.upsert(t, "kept-doc", text),
                            JobFixture.upsert(t, "other-doc", text + " Another one."),
                            // a delete right after an upload of the same document may supersede
                            // it before it is written; a delete on its own is always applied
                            JobFixture.event(t, "gone-doc", EventType.DELETE, null, null),
                            JobFixture.event(
                                    t, "empty-doc", EventType.UPSERT, new byte[0], "text/plain")));
            String scrape = awaitOutcomes(port, Duration.ofMinutes(3));

            assertThat(sum(scrape, OP + "outcome_documents_total\\{[^}]*outcome=\"indexed\""))
                    .isEqualTo(2);
            assertThat(sum(scrape, OP + "outcome_documents_total\\{[^}]*outcome=\"unchanged\""))
                    .isEqualTo(1);
            assertThat(sum(scrape, OP + "outcome_documents_total\\{[^}]*outcome=\"deleted\""))
                    .isEqualTo(1);
            assertThat(sum(scrape, OP + "outcome_documents_total\\{[^}]*outcome=\"failed\""))
                    .isEqualTo(1);
            assertThat(sum(scrape, OP + "chunks_embedded_total\\{")).isGreaterThanOrEqualTo(2);
            assertThat(sum(scrape, OP + "dead_letters_total\\{")).isEqualTo(1);
            assertThat(scrape)
                    .containsPattern(OP + "inference_batch_size_chunks\\{[^}]*quantile=\"0.95\"")
                    .containsPattern(OP + "inference_latency_milliseconds\\{[^}]*quantile=\"0.95\"")
                    .containsPattern(
                            OP + "shard_write_latency_milliseconds\\{[^}]*quantile=\"0.95\"")
                    .containsPattern(
                            OP + "shard_write_rows_per_transaction\\{[^}]*quantile=\"0.5\"")
                    .containsPattern(
                            OP + "upload_to_indexed_latency_milliseconds_count\\{[^}]*} [1-9]")
                    .contains("flink_taskmanager_job_task_operator_pendingRecords{")
                    .contains("flink_jobmanager_job_numberOfFailedCheckpoints{")
                    .doesNotContain("kept-doc")
                    .doesNotContain("other-doc")
                    .doesNotContain("gone-doc");
        }
    }

    /** Scrapes until every outcome of the five events is counted (or the time is up). */
    private static String awaitOutcomes(int port, Duration timeout) throws Exception {
        HttpTransport http = new HttpTransport(Duration.ofSeconds(5));
        long deadline = System.nanoTime() + timeout.toNanos();
        String scrape = "";
        while (System.nanoTime() < deadline) {
            try {
                scrape =
                        http.send(
                                        Request.get(URI.create("http://127.0.0.1:" + port + "/"))
                                                .timeout(Duration.ofSeconds(5)))
                                .body();
            } catch (IOException e) {
                scrape = ""; // the reporter starts with the cluster
            }
            if (sum(scrape, OP + "outcome_documents_total\\{[^}]*outcome=\"indexed\"") >= 2
                    && sum(scrape, OP + "outcome_documents_total\\{[^}]*outcome=\"failed\"") >= 1
                    && sum(scrape, OP + "outcome_documents_total\\{[^}]*outcome=\"deleted\"") >= 1
                    && sum(scrape, OP + "outcome_documents_total\\{[^}]*outcome=\"unchanged\"")
                            >= 1) {
                return scrape;
            }
            Thread.sleep(500);
        }
        return scrape;
    }

    /** The sum of every sample whose name and labels start with {@code seriesPrefix} (a regex). */
    private static double sum(String scrape, String seriesPrefix) {
        Matcher m =
                Pattern.compile("(?m)^" + seriesPrefix + "[^\\n]*} ([0-9.eE+-]+)$").matcher(scrape);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }
}
