package io.kbstream.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.tenant.TenantTombstones;
import io.kbstream.jobs.testing.JobFixture;
import io.kbstream.jobs.testing.PipelineRunner;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.EventType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/**
 * Issue 20's log as the source of truth: a tenant indexed by the real job from its topic (uploads,
 * an update, a delete as a tombstone) is rebuilt by {@link LocalRebuild} from the log alone into
 * three new databases (the live index has two shards), and holds the same documents, versions and
 * chunk texts. Issue 21: an all-tenants rebuild brings back nothing a deleted tenant wrote before
 * its tenant tombstone.
 */
class RebuildITCase {

    @TempDir Path checkpoints;

    @Test
    void a_tenant_rebuilt_from_the_log_into_three_new_shards_has_the_same_documents_and_chunks()
            throws Exception {
        JobFixture fx = JobFixture.create("rebuild", checkpoints);
        String t = fx.tenant();
        Map<String, Long> expected = indexTenant(fx);
        Map<String, List<String>> original = fx.chunksByDocument();
        assertThat(original.keySet()).containsExactly("d0", "d1", "d2", "d4");
        assertThat(original.get("d2")).hasSizeGreaterThan(1);
        assertThat(String.join(" ", original.get("d1"))).contains("second version");

        List<String> targets = newDatabases(fx.config(), 3);
        try {
            LocalRebuild rebuild = new LocalRebuild(rebuildConfig(fx, targets));
            List<LocalRebuild.Progress> progress = new ArrayList<>();

            LocalRebuild.Summary summary = rebuild.run(t, null, progress::add);

            assertThat(fx.chunksByDocument(targets)).isEqualTo(original);
            // versions are the offsets of the events, which the replay reads again
            assertThat(fx.documentVersions(targets)).isEqualTo(expected);
            assertThat(summary.documents()).isEqualTo(4);
            assertThat(summary.chunks())
                    .isEqualTo(original.values().stream().mapToLong(List::size).sum());
            assertThat(summary.shards()).isEqualTo(targets);
            assertThat(progress).isNotEmpty();
            LocalRebuild.Progress last = progress.get(progress.size() - 1);
            assertThat(last.offsetsToRead()).isPositive().isEqualTo(last.offsetsRead());

            // the targets now hold the tenant: a second rebuild into them is refused
            assertThatThrownBy(() -> rebuild.run(t, null, p -> {}))
                    .isInstanceOf(StackException.class)
                    .hasMessageContaining("is not empty")
                    .hasMessageContaining(t);
        } finally {
            dropDatabases(fx.config(), targets);
        }
    }

    @Test
    void an_all_tenants_rebuild_leaves_out_what_a_deleted_tenant_wrote_before_its_deletion()
            throws Exception {
        JobFixture fx = JobFixture.create("rebuild-deleted", checkpoints);
        indexTenant(fx);
        Map<String, List<String>> kept = fx.chunksByDocument();
        String gone = fx.tenant() + "-gone";
        long recreated;
        try (KafkaProducer<byte[], byte[]> producer =
                KafkaClients.producer(fx.config(), "rebuild-test")) {
            fx.send(
                    List.of(
                            JobFixture.upsert(gone, "g0", "Written before the tenant's deletion."),
                            JobFixture.upsert(gone, "g1", "Also written before it.")));
            // the tenant is deleted as the API does it (its rows: it was never indexed live)
            TenantTombstones.publish(fx.config(), producer, gone);
            // re-created, it uploads a document again, above the tombstone's mark
            recreated = fx.send(List.of(JobFixture.upsert(gone, "g0", "Written after it."))).get(0);
        }

        List<String> targets = newDatabases(fx.config(), 2);
        try {
            new LocalRebuild(rebuildConfig(fx, targets)).run(null, null, p -> {});

            assertThat(fx.chunksByDocument(targets)).isEqualTo(kept);
            // nothing the deleted tenant wrote before its deletion, however the job's two
            // sources interleaved: the tombstones were read before the replay started
            assertThat(fx.documentVersions(gone, targets)).containsExactly(entry("g0", recreated));
            assertThat(fx.chunksByDocument(gone, targets)).containsOnlyKeys("g0");
            try (JedisPooled redis = RedisConnections.pooled(fx.config())) {
                assertThat(new StatusStore(redis, Duration.ofMinutes(5)).get(gone, "g1"))
                        .as("a status of the deleted tenant written by the replay")
                        .isEmpty();
            }
        } finally {
            dropDatabases(fx.config(), targets);
        }
    }

    @Test
    void a_rebuild_into_a_live_shard_is_refused_before_anything_is_written() throws Exception {
        JobFixture fx = JobFixture.create("rebuild-live", checkpoints);
        List<String> live = fx.config().get(PostgresOptions.SHARDS);
        LocalRebuild rebuild = new LocalRebuild(rebuildConfig(fx, List.of(live.get(0))));

        assertThatThrownBy(() -> rebuild.run(fx.tenant(), null, p -> {}))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("is a live shard");
    }

    /**
     * Uploads d0..d4 (d2 long enough for several chunks), then a second version of d1 and a delete
     * of d3, and waits until the live shards hold exactly that; returns docId → version.
     */
    private static Map<String, Long> indexTenant(JobFixture fx) throws Exception {
        String t = fx.tenant();
        List<DocumentEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String text =
                    i == 2
                            ? IntStream.range(0, 120)
                                    .mapToObj(
                                            n ->
                                                    "Sentence "
                                                            + n
                                                            + " says that a log of facts can be"
                                                            + " replayed into a new index.")
                                    .collect(Collectors.joining(" "))
                            : "Document " + i + " is the first version of its text.";
            events.add(JobFixture.upsert(t, "d" + i, text));
        }
        events.add(JobFixture.upsert(t, "d1", "Document 1 in its second version, updated."));
        events.add(JobFixture.event(t, "d3", EventType.DELETE, null, null));
        Map<String, Long> expected = new TreeMap<>();
        try (PipelineRunner pipeline = PipelineRunner.start(fx.config())) {
            List<Long> versions = fx.send(events);
            for (int i = 0; i < 5; i++) {
                expected.put("d" + i, versions.get(i));
            }
            expected.put("d1", versions.get(5));
            expected.remove("d3");
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (!fx.documentVersions().equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(300);
            }
        }
        assertThat(fx.documentVersions()).isEqualTo(expected);
        return expected;
    }

    private static KbConfig rebuildConfig(JobFixture fx, List<String> targets) {
        return fx.config()
                .with(PipelineOptions.REBUILD_SHARDS, String.join(",", targets))
                .with(PipelineOptions.REBUILD_CONSUMER_GROUP, "kb-test-rebuild-" + fx.tenant());
    }

    /** {@code n} database URLs not yet created, round robin over the live shards' servers. */
    private static List<String> newDatabases(KbConfig config, int n) {
        List<String> live = config.get(PostgresOptions.SHARDS);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String server = live.get(i % live.size());
            urls.add(
                    server.substring(0, server.lastIndexOf('/') + 1) + "kb_rb_" + suffix + "_" + i);
        }
        return urls;
    }

    private static void dropDatabases(KbConfig config, List<String> urls) throws Exception {
        for (String url : urls) {
            int slash = url.lastIndexOf('/');
            try (Connection c =
                            DriverManager.getConnection(
                                    url.substring(0, slash + 1) + "postgres",
                                    config.get(PostgresOptions.USER),
                                    config.get(PostgresOptions.PASSWORD));
                    Statement st = c.createStatement()) {
                st.execute(
                        "DROP DATABASE IF EXISTS \""
                                + url.substring(slash + 1)
                                + "\" WITH (FORCE)");
            }
        }
    }
}
