package io.kbstream.reliability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the fault table: what was acknowledged, what the shards hold afterwards, and how long
 * the system took to recover. {@code backInServiceSeconds} runs from the restart of the failed part
 * to the first normal answer of the affected kind; {@code allIndexedSeconds} from that restart to
 * the moment every acknowledged document was indexed.
 */
public record ScenarioResult(
        String scenario,
        String fault,
        int acknowledged,
        int indexed,
        int lost,
        int duplicated,
        double outageSeconds,
        double backInServiceSeconds,
        double allIndexedSeconds,
        Map<String, Object> observed,
        List<String> problems) {

    /** Builds a row from an audit; {@code observed} holds the scenario's own checks. */
    static ScenarioResult of(
            String scenario,
            String fault,
            ShardAudit.Audit audit,
            double outageSeconds,
            double backInServiceSeconds,
            double allIndexedSeconds,
            Map<String, Object> observed) {
        Map<String, Object> all = new LinkedHashMap<>(observed);
        all.put("unacknowledgedButIndexed", audit.unacknowledgedIndexed());
        return new ScenarioResult(
                scenario,
                fault,
                audit.acknowledged(),
                audit.indexed(),
                audit.lost(),
                audit.duplicated(),
                round(outageSeconds),
                round(backInServiceSeconds),
                round(allIndexedSeconds),
                all,
                audit.problems());
    }

    static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }
}
