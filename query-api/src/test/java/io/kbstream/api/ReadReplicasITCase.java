package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.ShardRouter;
import io.kbstream.core.testing.LocalStackConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Searches on the local stack's real streaming replicas ({@code
 * kb.stack.postgres.replicas-per-shard = 1}): which server answers is read from the API's own
 * per-node shard timer.
 */
class ReadReplicasITCase {

    private static final String SHARD_CALLS = "kb_api_search_shard_seconds_count{";

    @Test
    void replicas_first_answers_searches_from_the_replicas_once_they_have_the_document() {
        KbConfig config = LocalStackConfig.load();
        assertThat(config.get(PostgresOptions.REPLICAS)).hasSize(2);
        try (ApiUnderTest api = new ApiUnderTest(Map.of());
                Seeder seeder = new Seeder(config)) {
            seeder.index(api.tenantA, "copied", "Copied", Map.of(), "Replicas stream the WAL.");
            awaitOnReplicas(config, api.tenantA, 1);
            awaitUsableReplicas(api, 2);
            String before = api.get("/metrics", null).body();

            JsonNode answer = search(api, "replicas stream");

            assertThat(answer.get("partial").asBoolean()).isFalse();
            assertThat(answer.get("results").get(0).get("id").asText()).isEqualTo("copied");
            String after = api.get("/metrics", null).body();
            // vector, keyword statistics and keyword calls on both shards' replicas
            assertThat(calls(after, "node=\"replica-0\"") - calls(before, "node=\"replica-0\""))
                    .isEqualTo(6);
            assertThat(calls(after, "node=\"primary\""))
                    .isEqualTo(calls(before, "node=\"primary\""));
            seeder.deleteTenant(api.tenantA);
        }
    }

    @Test
    void primary_only_never_reads_a_replica() {
        KbConfig config = LocalStackConfig.load();
        try (ApiUnderTest api =
                        new ApiUnderTest(Map.of(PostgresOptions.READ_FROM.key(), "primary-only"));
                Seeder seeder = new Seeder(config)) {
            seeder.index(api.tenantA, "p", "Primary", Map.of(), "Writes land on the primary.");

            JsonNode answer = search(api, "writes land");

            assertThat(answer.get("partial").asBoolean()).isFalse();
            assertThat(answer.get("results").get(0).get("id").asText()).isEqualTo("p");
            String metrics = api.get("/metrics", null).body();
            assertThat(calls(metrics, "node=\"primary\"")).isGreaterThan(0);
            assertThat(calls(metrics, "node=\"replica-0\"")).isZero();
            seeder.deleteTenant(api.tenantA);
        }
    }

    @Test
    void a_replica_failing_a_search_falls_back_to_the_primary_within_the_same_search() {
        KbConfig config = LocalStackConfig.load();
        // each replica's own port, but a database without the tables: its lag is measured (so
        // searches use it) and every search call on it fails
        List<String> broken =
                config.get(PostgresOptions.REPLICAS).stream()
                        .map(url -> url.substring(0, url.lastIndexOf('/') + 1) + "postgres")
                        .toList();
        try (ApiUnderTest api =
                        new ApiUnderTest(
                                Map.of(PostgresOptions.REPLICAS.key(), String.join(",", broken)));
                Seeder seeder = new Seeder(config)) {
            seeder.index(api.tenantA, "f", "Fallback", Map.of(), "A failed node is skipped.");
            awaitUsableReplicas(api, 2);

            JsonNode answer = search(api, "failed node");

            assertThat(answer.get("partial").asBoolean()).isFalse();
            assertThat(answer.get("results").get(0).get("id").asText()).isEqualTo("f");
            String metrics = api.get("/metrics", null).body();
            assertThat(calls(metrics, "node=\"replica-0\"", "outcome=\"error\"")).isGreaterThan(0);
            assertThat(calls(metrics, "node=\"primary\"", "outcome=\"ok\"")).isGreaterThan(0);
            seeder.deleteTenant(api.tenantA);
        }
    }

    @Test
    void a_replica_lagging_more_than_the_bound_is_skipped_and_the_primary_answers()
            throws Exception {
        KbConfig config = LocalStackConfig.load();
        List<String> replicas = config.get(PostgresOptions.REPLICAS);
        try (ApiUnderTest api =
                        new ApiUnderTest(Map.of(PostgresOptions.MAX_REPLICA_LAG.key(), "PT0.5S"));
                Seeder seeder = new Seeder(config)) {
            awaitUsableReplicas(api, 2);
            replay(config, replicas, "pause");
            try {
                // one document per shard, written after replay stopped: no replica has them, and
                // each replica's lag grows from here (commits received, not replayed)
                ShardRouter router = ShardRouter.fromConfig(config);
                int shards = config.get(PostgresOptions.SHARDS).size();
                for (int shard = 0; shard < shards; shard++) {
                    String id = idOn(router, api.tenantA, shard);
                    seeder.indexOnPrimaries(
                            api.tenantA, id, id, Map.of(), "Written while replay waits.");
                }
                awaitUsableReplicas(api, 0);

                JsonNode answer = search(api, "replay waits");

                assertThat(answer.get("partial").asBoolean()).isFalse();
                assertThat(answer.get("results")).hasSize(shards);
            } finally {
                replay(config, replicas, "resume");
            }
            awaitUsableReplicas(api, 2);
            seeder.deleteTenant(api.tenantA);
        }
    }

    /** A document id that lands on {@code shard}. */
    private static String idOn(ShardRouter router, String tenant, int shard) {
        for (int i = 0; ; i++) {
            if (router.shardOf(tenant, "doc-" + i) == shard) {
                return "doc-" + i;
            }
        }
    }

    private static JsonNode search(ApiUnderTest api, String query) {
        return json(
                api.postJson(
                                "/v1/search",
                                api.keyA,
                                "{\"query\":\"" + query + "\",\"mode\":\"hybrid\"}")
                        .body());
    }

    /** Shard calls (any kind) whose labels contain every fragment. */
    private static double calls(String exposition, String... fragments) {
        return exposition
                .lines()
                .filter(l -> l.startsWith(SHARD_CALLS))
                .filter(l -> List.of(fragments).stream().allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static void awaitUsableReplicas(ApiUnderTest api, int usable) {
        await(
                () -> {
                    String metrics = api.get("/metrics", null).body();
                    return metrics.lines()
                                    .filter(l -> l.startsWith("kb_api_search_replica_usable{"))
                                    .filter(l -> l.endsWith(" 1.0"))
                                    .count()
                            == usable;
                },
                usable + " usable replicas");
    }

    /** Waits until the replicas together hold {@code documents} of the tenant. */
    private static void awaitOnReplicas(KbConfig config, String tenant, long documents) {
        await(
                () -> {
                    long total = 0;
                    for (String url : config.get(PostgresOptions.REPLICAS)) {
                        try (Connection c = connect(config, url);
                                PreparedStatement st =
                                        c.prepareStatement(
                                                "SELECT count(*) FROM documents WHERE tenant = ?")) {
                            st.setString(1, tenant);
                            try (ResultSet rs = st.executeQuery()) {
                                rs.next();
                                total += rs.getLong(1);
                            }
                        }
                    }
                    return total == documents;
                },
                documents + " documents replayed on the replicas");
    }

    /** Pauses or resumes WAL replay on every replica ({@code pg_wal_replay_pause/resume}). */
    private static void replay(KbConfig config, List<String> replicas, String action)
            throws SQLException {
        for (String url : replicas) {
            try (Connection c = connect(config, url);
                    PreparedStatement st =
                            c.prepareStatement("SELECT pg_wal_replay_" + action + "()")) {
                st.execute();
            }
        }
    }

    private static Connection connect(KbConfig config, String url) throws SQLException {
        return DriverManager.getConnection(
                url, config.get(PostgresOptions.USER), config.get(PostgresOptions.PASSWORD));
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try {
            while (!condition.holds()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out waiting for: " + what);
                }
                Thread.sleep(100);
            }
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("while waiting for " + what, e);
        }
    }
}
