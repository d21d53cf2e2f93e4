package io.kbstream.benchmark.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbstream.core.config.KbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link BenchRun}: the smoke variant of {@code kb bench report} — both designs in their
 * own processes on their own ports and tenants against the local stack, seconds of tiny load.
 */
class BenchReportSmokeITCase {

    @Test
    void smoke_report_has_every_row_with_numbers_from_both_designs(@TempDir Path out)
            throws Exception {
        Path scifact = KbConfig.home().resolve("../shared/data/scifact").normalize();
        assumeTrue(
                Files.isRegularFile(scifact.resolve("queries.jsonl")),
                "SciFact is not at " + scifact);
        List<String> log = new ArrayList<>();

        String table = BenchRun.run(BenchSettings.smoke(), scifact, out, log::add);

        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        List<String> metrics = new ArrayList<>();
        for (JsonNode row : report.path("table")) {
            metrics.add(row.path("metric").asText());
            if (!row.path("metric").asText().startsWith("max concurrent")) {
                assertThat(row.path("eventDriven").isNumber()).as(row.toString()).isTrue();
                assertThat(row.path("synchronous").isNumber()).as(row.toString()).isTrue();
            }
        }
        assertThat(metrics)
                .contains(
                        "upload ack p95",
                        "search p95 (cold cache)",
                        "search p95 (warm cache)",
                        "documents indexed per hour",
                        "search req/s at p95 < 200 ms",
                        "max concurrent users (p95 < 200 ms, errors < 0.1 %)",
                        "CPU, service processes (avg over the run)",
                        "RSS, service processes (at end)");
        assertThat(report.path("event-driven").path("bulkIngest").path("indexed").asLong())
                .as("the event-driven pipeline indexed the uploads")
                .isEqualTo(BenchSettings.smoke().bulkDocs());
        assertThat(report.path("synchronous").path("bulkIngest").path("indexed").asLong())
                .isEqualTo(BenchSettings.smoke().bulkDocs());
        assertThat(
                        report.path("event-driven")
                                .path("search")
                                .path("warm")
                                .path("cachedResponses")
                                .asLong())
                .as("the warm pass is served from the cache")
                .isEqualTo(BenchSettings.smoke().coldQueries());
        assertThat(table).contains("| event-driven | synchronous |");
        assertThat(out.resolve("report.md")).exists();
        assertThat(Files.size(out.resolve("latency-vs-users.png"))).isPositive();
        assertThat(Files.size(out.resolve("ingest-throughput.png"))).isPositive();
    }
}
