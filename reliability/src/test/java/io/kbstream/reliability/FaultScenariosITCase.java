package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KbConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault scenarios on a private stack (port base + 300, {@code .kb/faults}): each kills one real
 * part with SIGKILL ({@link FaultStack#kill} fails unless it is down afterwards), asserts one piece
 * of evidence of the outage (503s, partial answers, uncached answers, nothing indexed, uploads
 * without an answer), restarts it, and checks every acknowledged document against the shards. Short
 * by default; {@code -Dkb.reliability=full} runs more documents and longer outages and writes the
 * table to {@code benchmark/results/faults.{json,md}} (the short run writes it under {@code
 * target/}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultScenariosITCase {

    static final int PORT_OFFSET = 300;

    private static final FaultSettings SETTINGS = FaultSettings.fromSystemProperty();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final List<ScenarioResult> ROWS = new ArrayList<>();
    private static FaultStack stack;
    private static FaultScenarios scenarios;
    private static long startNanos;

    @BeforeAll
    static void startPrivateStack() {
        startNanos = System.nanoTime();
        List<String> tenants =
                FaultScenarios.NAMES.stream().map(n -> FaultScenarios.tenant(RUN, n)).toList();
        stack = FaultStack.start("faults", PORT_OFFSET, tenants, Map.of(), System.out::println);
        scenarios = new FaultScenarios(stack, SETTINGS, RUN, System.out::println);
    }

    @AfterAll
    static void writeTableAndStop() throws Exception {
        try {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("mode", SETTINGS.mode());
            header.put("seed", SETTINGS.seed());
            header.put("documentsPerScenario", SETTINGS.docs());
            header.put("outageSeconds", SETTINGS.outage().toSeconds());
            header.put("suiteSeconds", Math.round((System.nanoTime() - startNanos) / 1e9));
            String table =
                    FaultReport.write(
                            SETTINGS.isFull()
                                    ? KbConfig.home().resolve("benchmark/results")
                                    : KbConfig.home().resolve("reliability/target"),
                            "faults",
                            header,
                            ROWS);
            System.out.println(table);
            // a failed scenario's tenant stays on the private shards for a look
            if (stack != null
                    && ROWS.size() == FaultScenarios.NAMES.size()
                    && ROWS.stream().allMatch(r -> r.problems().isEmpty())) {
                stack.deleteTenants();
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    private static ScenarioResult exact(ScenarioResult row) {
        ROWS.add(row);
        assertThat(row.problems()).as("documents not as acknowledged").isEmpty();
        assertThat(row.lost()).isZero();
        assertThat(row.duplicated()).isZero();
        assertThat(row.indexed()).isEqualTo(row.acknowledged()).isPositive();
        return row;
    }

    @Test
    @Order(1)
    void kafka_broker_killed_during_uploads_gives_503_and_loses_nothing() throws Exception {
        ScenarioResult row = exact(scenarios.kafkaBrokerKilled());

        assertThat(row.observed()).containsEntry("acknowledgedWhileDown", 0);
        assertThat(row.observed().get("outageStatus503"))
                .as("uploads during the outage got 503")
                .isNotNull()
                .isEqualTo(row.observed().get("outage503WithRetryAfter"));
        // -1 means never within the settle timeout; 0.0 is a recovery faster than the rounding
        assertThat(row.backInServiceSeconds()).as("API accepts again by itself").isNotNegative();
    }

    @Test
    @Order(2)
    void shard_killed_while_indexing_answers_partial_and_loses_nothing() throws Exception {
        ScenarioResult row = exact(scenarios.shardKilled());

        assertThat(row.observed().get("searchPartial")).as("partial answers").isNotNull();
        assertThat(row.observed()).containsOnlyKeys(keysWithout5xx(row));
        assertThat(row.backInServiceSeconds()).isNotNegative();
    }

    @Test
    @Order(3)
    void shard_primary_killed_under_load_answers_every_search_in_full_from_its_replica()
            throws Exception {
        ScenarioResult row = exact(scenarios.primaryKilled());

        assertThat(row.observed()).as("searches during the outage").containsKey("searchStatus200");
        assertThat(row.observed()).doesNotContainKey("searchPartial");
        assertThat(row.observed()).containsOnlyKeys(keysWithout5xx(row));
        assertThat(row.observed()).containsEntry("uploadsDuringOutageNotAcknowledged", 0L);
        assertThat(row.backInServiceSeconds()).isNotNegative();
    }

    @Test
    @Order(4)
    void shard_replica_killed_under_load_fails_no_search() throws Exception {
        ScenarioResult row = exact(scenarios.replicaKilled());

        assertThat(row.observed()).as("searches during the outage").containsKey("searchStatus200");
        assertThat(row.observed()).doesNotContainKey("searchPartial");
        assertThat(row.observed()).containsOnlyKeys(keysWithout5xx(row));
        assertThat(row.observed()).containsEntry("uploadsDuringOutageNotAcknowledged", 0L);
    }

    @Test
    @Order(5)
    void redis_killed_keeps_searches_and_uploads_going_and_caches_warm_again() throws Exception {
        ScenarioResult row = exact(scenarios.redisKilled());

        assertThat(row.observed())
                .as("the query cached before the kill is answered uncached during the outage")
                .containsEntry("repeatedSearchCachedBefore", true)
                .containsEntry("repeatedSearchCachedDuring", false)
                .doesNotContainKey("searchCached");
        assertThat(row.observed()).containsEntry("uploadsDuringOutageNotAcknowledged", 0L);
        assertThat(row.observed()).containsEntry("statusOfIndexedDocument", 200);
        assertThat(row.observed()).containsKey("searchStatus200");
        assertThat(row.observed()).containsOnlyKeys(keysWithout5xx(row));
        assertThat((long) row.observed().get("redisSearchKeysAfter")).isPositive();
    }

    @Test
    @Order(6)
    void pipeline_killed_mid_ingest_resumes_from_its_checkpoint_with_exact_counts()
            throws Exception {
        ScenarioResult row = exact(scenarios.pipelineKilled());

        assertThat(row.observed()).containsEntry("resumedFromCheckpoint", true);
        assertThat(row.observed())
                .as("nothing indexed while down")
                .containsEntry("indexedWhileDown", 0);
        assertThat((int) row.observed().get("indexedAtKill")).isLessThan(row.acknowledged());
    }

    @Test
    @Order(7)
    void api_killed_under_load_loses_no_acknowledged_upload() throws Exception {
        ScenarioResult row = exact(scenarios.apiKilled());

        assertThat((long) row.observed().get("uploadsWithoutAnswer"))
                .as("uploads that got no answer while the API was down")
                .isPositive();
        assertThat(row.backInServiceSeconds()).isNotNegative();
    }

    /** Every observed key except searches answered 5xx or not at all. */
    private static List<String> keysWithout5xx(ScenarioResult row) {
        return row.observed().keySet().stream()
                .filter(k -> !k.matches("searchStatus(5\\d\\d|0)"))
                .toList();
    }
}
