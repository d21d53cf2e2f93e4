package io.kbstream.benchmark.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbstream.benchmark.eval.SciFact;
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
        // fails (does not skip) without the dataset: the message names where it looked
        Path scifact = SciFact.locate(KbConfig.load());
        List<String> log = new ArrayList<>();

        String table = BenchRun.run(BenchSettings.smoke(), scifact, out, log::add);

        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.path("targets")).hasSize(5);
        for (JsonNode target : report.path("targets")) {
            assertThat(target.path("met").isBoolean()).as(target.toString()).isTrue();
            assertThat(target.path("measured").asText())
                    .as(target.toString())
                    .doesNotContain("–/h");
        }
        List<String> metrics = new ArrayList<>();
        for (JsonNode row : report.path("table")) {
            metrics.add(row.path("metric").asText());
            assertThat(row.path("eventDriven").isNumber()).as(row.toString()).isTrue();
            assertThat(row.path("synchronous").isNumber()).as(row.toString()).isTrue();
        }
        assertThat(metrics).hasSize(14);
        JsonNode ed = report.path("event-driven");
        // whether it held a rate is a measurement (benchmark/README.md), not something a smoke
        // run on a shared machine can assert; that it measured itself is
        JsonNode capacity = ed.path("generatorCapacity");
        assertThat(capacity.path("levels")).as("the generator measured itself").isNotEmpty();
        assertThat(capacity.path("levels").get(0).path("achievedPerSecond").asDouble())
                .as("the generator's requests to /health/live were answered")
                .isPositive();
        assertThat(capacity.path("heldPerSecond").isNumber()).isTrue();
        assertThat(ed.path("bulkIngest").path("indexed").asLong())
                .as("the event-driven pipeline indexed the uploads")
                .isEqualTo(BenchSettings.smoke().bulkDocs());
        assertThat(ed.path("int8Indexing").path("indexed").asLong())
                .as("the int8 pipeline indexed the same abstracts into its scratch databases")
                .isEqualTo(BenchSettings.smoke().bulkDocs());
        assertThat(report.path("synchronous").path("bulkIngest").path("indexed").asLong())
                .isEqualTo(BenchSettings.smoke().bulkDocs());
        assertThat(ed.path("search").path("warm").path("search").path("cachedResponses").asLong())
                .as("the warm pass is served from the cache")
                .isEqualTo(BenchSettings.smoke().coldQueries());
        assertThat(
                        report.path("synchronous")
                                .path("search")
                                .path("warm")
                                .path("search")
                                .path("cachedResponses")
                                .asLong())
                .as("the baseline has the same in-process cache")
                .isEqualTo(BenchSettings.smoke().coldQueries());
        JsonNode roles = ed.path("twoRoles");
        assertThat(roles.path("withoutPriority").path("upload").path("all").path("count").asLong())
                .isPositive();
        assertThat(
                        roles.path("withLoweredPriority")
                                .path("uncachedSearch")
                                .path("all")
                                .path("count")
                                .asLong())
                .isPositive();
        assertThat(ed.path("uploadTarget").path("upload").path("ok").asLong()).isPositive();
        assertThat(ed.path("users").path("steps")).isNotEmpty();
        assertThat(ed.path("wrkCrossCheck").path("live").path("requestsPerSecond").asDouble())
                .as("wrk (installed by scripts/install-prereqs.sh) measured the same API")
                .isPositive();
        assertThat(
                        ed.path("wrkCrossCheck")
                                .path("cachedSearchZipf")
                                .path("requestsPerSecond")
                                .asDouble())
                .isPositive();
        assertThat(table).contains("| event-driven | synchronous |", "| target | asks |");
        assertThat(out.resolve("report.md")).exists();
        assertThat(Files.size(out.resolve("latency-vs-users.png"))).isPositive();
        assertThat(Files.size(out.resolve("ingest-throughput.png"))).isPositive();
    }
}
