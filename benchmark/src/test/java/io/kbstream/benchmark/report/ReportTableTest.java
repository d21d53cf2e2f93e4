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
                        Map.of("uploadAck", Map.of("p50Ms", 10.0), "documentsPerHour", 7200),
                        "processes",
                        Map.of("api", Map.of("cpuCores", 0.5, "rssMb", 300, "peakRssMb", 310)));
        Map<String, Object> sync =
                Map.of(
                        "bulkIngest",
                        Map.of("uploadAck", Map.of("p50Ms", 40.0), "documentsPerHour", 3600),
                        "processes",
                        Map.of("b", Map.of("cpuCores", 1.0, "rssMb", 100, "peakRssMb", 120)));

        List<ReportTable.Row> rows = ReportTable.rows(ed, sync);
        String md = ReportTable.markdown(rows);

        assertThat(rows.get(0).ratio()).isEqualTo(0.25);
        assertThat(md).contains("| upload ack p50 | ms | 10.0 | 40.0 | 0.25× |");
        assertThat(md).contains("| documents indexed per hour | docs/h | 7,200 | 3,600 | 2.00× |");
        assertThat(md).contains("| search p95 (cold cache) | ms | – | – | – |");
        assertThat(md).contains("| RSS, service processes (at end) | MB | 300 | 100 | 3.00× |");
    }
}
