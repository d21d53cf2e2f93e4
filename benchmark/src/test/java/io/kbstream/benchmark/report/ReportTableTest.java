package io.kbstream.benchmark.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link ReportTable}. */
class ReportTableTest {

    @Test
    void ratio_is_event_driven_over_synchronous_and_missing_values_show_as_dashes() {
        Map<String, Object> ed =
                Map.of(
                        "bulkIngest",
                        Map.of(
                                "uploadAck",
                                Map.of("upload", Map.of("p50Ms", 10.0)),
                                "documentsPerHour",
                                7200),
                        "processes",
                        Map.of("api", Map.of("cpuCores", 0.5, "rssMb", 300, "peakRssMb", 310)));
        Map<String, Object> sync =
                Map.of(
                        "bulkIngest",
                        Map.of(
                                "uploadAck",
                                Map.of("upload", Map.of("p50Ms", 40.0)),
                                "documentsPerHour",
                                3600),
                        "processes",
                        Map.of("b", Map.of("cpuCores", 1.0, "rssMb", 100, "peakRssMb", 120)));

        List<ReportTable.Row> rows = ReportTable.rows(ed, sync);
        String md = ReportTable.markdown(rows);

        assertThat(rows.get(0).ratio()).isEqualTo(0.25);
        assertThat(md)
                .contains(
                        "| upload ack p50 (bulk ingest, 8 in flight) | ms | 10.0 | 40.0 | 0.25× |");
        assertThat(md).contains("| documents indexed per hour | docs/h | 7,200 | 3,600 | 2.00× |");
        assertThat(md).contains("| search p95 (cold: no cache holds the query) | ms | – | – | – |");
        assertThat(md).contains("| RSS, service processes (at end) | MB | 300 | 100 | 3.00× |");
    }

    @Test
    void each_target_is_met_only_when_its_rate_and_its_latency_both_hold() {
        Map<String, Object> ed =
                Map.of(
                        "generatorCapacity",
                        Map.of("heldPerSecond", 12000),
                        "uploadTarget",
                        Map.of(
                                "offeredPerSecond", 1000.0,
                                "achievedPerSecond", 999.0,
                                "errorRate", 0.0,
                                "upload", Map.of("p50Ms", 3.0, "p95Ms", 24.0, "p99Ms", 40.0),
                                "sendLagMs", Map.of("p99Ms", 0.4)),
                        "cachedSearchTarget",
                        Map.of(
                                "levels",
                                List.of(
                                        Map.of(
                                                "offeredPerSecond",
                                                5000.0,
                                                "achievedPerSecond",
                                                4100.0,
                                                "heldWithinTarget",
                                                false,
                                                "search",
                                                Map.of("p95Ms", 900.0))),
                                "bestPerSecondWithinTarget",
                                2500),
                        "users",
                        Map.of(
                                "target",
                                10000,
                                "targetMet",
                                false,
                                "maxUsersWithinTarget",
                                4200,
                                "steps",
                                List.of(
                                        Map.of(
                                                "users",
                                                10000,
                                                "errorRate",
                                                0.02,
                                                "search",
                                                Map.of("p95Ms", 700.0)))),
                        "bulkIngest",
                        Map.of("documentsPerHour", 60000, "indexed", 800),
                        "int8Indexing",
                        Map.of("documentsPerHour", 120000, "indexed", 800));

        List<ReportTable.Target> targets = ReportTable.targets(ed);
        String md = ReportTable.targetsMarkdown(targets);

        assertThat(targets)
                .extracting(ReportTable.Target::met)
                .containsExactly(true, false, false, false, true);
        assertThat(targets.get(0).generator())
                .isEqualTo("12,000 req/s on /health/live; send lag p99 0.40 ms");
        assertThat(md).contains("most users within target 4,200");
        assertThat(md).contains("| **not met** |");
    }
}
