package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbstream.core.config.StackOptions;
import io.kbstream.deploy.Manifests;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every query of the Grafana dashboard ({@link Manifests#DASHBOARD}) returns data from a private
 * stack's real Prometheus after a few uploads and searches: Grafana is not packaged here, so this
 * is what keeps a renamed metric or a broken expression from leaving a panel empty.
 */
class DashboardQueriesITCase {

    /** Port base offset of this test's private stack (faults +300 … shard alert +600). */
    static final int PORT_OFFSET = 700;

    private static final String TENANT = "dashboard";
    private static final int DOCUMENTS = 5;
    private static final int SEARCHES = 3;
    private static final String INDEXED =
            "sum(flink_taskmanager_job_task_operator_kb_outcome_documents_total"
                    + "{outcome=\"indexed\"})";
    private static final String SEARCHED =
            "sum(kb_api_requests_seconds_count{endpoint=\"/v1/search\"})";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void every_dashboard_query_returns_data_from_prometheus_after_uploads_and_searches()
            throws Exception {
        List<String> queries = dashboardQueries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(20);
        try (FaultStack stack =
                FaultStack.start(
                        "dashboard", PORT_OFFSET, List.of(TENANT), Map.of(), System.out::println)) {
            PrometheusApi prometheus =
                    new PrometheusApi(
                            "http://127.0.0.1:" + stack.config().get(StackOptions.PROMETHEUS_PORT));
            LedgerClient client = stack.client(TENANT, new Ledger());
            // fresh ids each run: the pipeline resumes its state, a known text would be "unchanged"
            String prefix = "dash-" + Long.toString(System.currentTimeMillis(), 36);
            double indexedBefore = prometheus.value(INDEXED);
            Corpus corpus = new Corpus(17);
            for (int i = 0; i < DOCUMENTS; i++) {
                assertThat(client.put(corpus.doc(prefix, i)).acknowledged()).isTrue();
            }
            PrometheusApi.awaitTrue(
                    () -> prometheus.value(INDEXED) >= indexedBefore + DOCUMENTS,
                    Duration.ofMinutes(5),
                    DOCUMENTS + " documents indexed, as scraped by Prometheus");
            double searchedBefore = prometheus.value(SEARCHED);
            Random random = new Random(17);
            for (int i = 0; i < SEARCHES; i++) {
                String query = Corpus.query(random);
                // twice: the second answer comes from the cache
                assertThat(client.search(query).status()).isEqualTo(200);
                assertThat(client.search(query).status()).isEqualTo(200);
            }
            PrometheusApi.awaitTrue(
                    () -> prometheus.value(SEARCHED) >= searchedBefore + 2 * SEARCHES,
                    Duration.ofMinutes(2),
                    "the searches scraped by Prometheus");

            // rates need two scrapes after the load: wait for every query, then name the empty
            FaultStack.waitUntil(
                    () -> queries.stream().allMatch(q -> prometheus.series(q) > 0),
                    Duration.ofMinutes(2));
            assertThat(queries.stream().filter(q -> prometheus.series(q) == 0).toList())
                    .as("dashboard queries without data")
                    .isEmpty();
            stack.deleteTenants();
        }
    }

    /** Every {@code expr} of every panel of the dashboard file. */
    private static List<String> dashboardQueries() throws IOException {
        try (InputStream in =
                DashboardQueriesITCase.class
                        .getClassLoader()
                        .getResourceAsStream(Manifests.DASHBOARD)) {
            assertThat(in).as(Manifests.DASHBOARD).isNotNull();
            List<String> queries = new ArrayList<>();
            for (JsonNode panel : JSON.readTree(in).path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    queries.add(target.path("expr").asText());
                }
            }
            return queries;
        }
    }
}
