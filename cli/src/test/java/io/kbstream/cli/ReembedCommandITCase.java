package io.kbstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.models.ModelMigrations;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ChunkRow;
import io.kbstream.core.store.IndexedDocument;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.TenantModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * Tests for {@link ReembedCommand}: {@code kb reembed} and its steps run as the {@code kb} command
 * line runs them ({@link KbCommand#commandLine}, its error handling included), against the local
 * stack's shards and Redis, with the real models and the re-embed job on a MiniCluster.
 */
class ReembedCommandITCase {

    private static final String OLD = "all-minilm-l6-v2";
    private static final String NEW = "bge-small-en-v15";
    private static final List<String> TEXTS =
            List.of(
                    "The axolotl regenerates its limbs, heart and spinal cord.",
                    "Starfish grow back lost arms from a single piece.",
                    "Aspirin lowers the risk of a second heart attack.",
                    "Vitamin D deficiency is common in northern winters.",
                    "Sleep deprivation impairs working memory.");

    private static KbConfig config;
    private static ShardedStore store;
    private static JedisPooled redis;
    private static ModelMigrations migrations;
    private static final List<String> tenants = new ArrayList<>();

    @BeforeAll
    static void open() {
        config = KbConfig.load();
        store = ShardedStore.open(config);
        redis = RedisConnections.pooled(config);
        migrations =
                new ModelMigrations(
                        store,
                        new IndexGenerations(redis),
                        config.get(io.kbstream.core.config.EmbeddingOptions.MODEL),
                        model -> Embedders.shared(config, model));
    }

    @AfterAll
    static void close() {
        tenants.forEach(store::deleteTenant);
        store.close();
        redis.close();
    }

    @Test
    void switch_is_refused_while_chunks_lack_the_new_vector_and_cancel_ends_the_migration() {
        String tenant = seededTenant();
        migrations.start(tenant, NEW);

        Run status = kb("reembed", "status", "--tenant", tenant);
        assertThat(status.code()).isZero();
        assertThat(status.out())
                .contains("tenant " + tenant + ": active " + OLD + ", target " + NEW)
                .contains(TEXTS.size() + " chunks")
                .contains("missing " + TEXTS.size());

        Run refused = kb("reembed", "switch", "--tenant", tenant);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err())
                .contains(
                        TEXTS.size() + " chunks of " + tenant + " have no " + NEW + " vector yet");
        assertNoTrace(refused);
        assertThat(migrations.models(tenant).active()).isEqualTo(OLD);

        Run cancel = kb("reembed", "cancel", "--tenant", tenant);
        assertThat(cancel.code()).isZero();
        assertThat(cancel.out()).contains("active " + OLD + ", target -");
        assertThat(migrations.models(tenant)).isEqualTo(TenantModels.only(tenant, OLD));
        assertThat(vectors(tenant, NEW)).isZero();
    }

    @Test
    void reembed_fills_every_chunk_with_a_progress_bar_then_switch_switch_back_and_drop_old_work()
            throws Exception {
        String tenant = seededTenant();
        int n = TEXTS.size();

        Run run = kb("reembed", "--tenant", tenant, "--model", NEW, "--no-switch");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("[" + "#".repeat(40) + "] " + n + "/" + n + " chunks with " + NEW)
                .contains("active " + OLD + ", target " + NEW)
                .contains("missing 0");
        assertThat(vectors(tenant, NEW)).isEqualTo(n);
        assertThat(migrations.models(tenant).active()).as("--no-switch").isEqualTo(OLD);

        long generation = new IndexGenerations(redis).current(tenant);
        Run switched = kb("reembed", "switch", "--tenant", tenant);
        assertThat(switched.code()).isZero();
        assertThat(switched.out()).contains("active " + NEW + ", target -, previous " + OLD);
        assertThat(new IndexGenerations(redis).current(tenant))
                .as("cached answers of the old model are not served again")
                .isGreaterThan(generation);

        Run back = kb("reembed", "switch-back", "--tenant", tenant);
        assertThat(back.code()).isZero();
        assertThat(back.out()).contains("active " + OLD + ", target -, previous " + NEW);

        Run drop = kb("reembed", "drop-old", "--tenant", tenant);
        assertThat(drop.code()).isZero();
        assertThat(drop.out()).contains("active " + OLD + ", target -, previous -");
        assertThat(vectors(tenant, NEW)).isZero();
        assertThat(vectors(tenant, OLD)).isEqualTo(n);

        Run again = kb("reembed", "drop-old", "--tenant", tenant);
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("keeps no previous model");
        assertNoTrace(again);
    }

    @Test
    void bad_input_is_a_one_line_error_with_a_nonzero_exit_and_changes_nothing() {
        String tenant = seededTenant();

        Run unknownTenant =
                kb("reembed", "status", "--tenant", "no-such-tenant-" + UUID.randomUUID());
        assertThat(unknownTenant.code()).isEqualTo(1);
        assertThat(unknownTenant.err()).contains("is unknown").contains("fix:");
        assertNoTrace(unknownTenant);

        Run unknownModel = kb("reembed", "--tenant", tenant, "--model", "no-such-model");
        assertThat(unknownModel.code()).isEqualTo(1);
        assertThat(unknownModel.err()).startsWith("error: ").contains("no-such-model");
        assertNoTrace(unknownModel);

        Run noMigration = kb("reembed", "switch", "--tenant", tenant);
        assertThat(noMigration.code()).isEqualTo(1);
        assertThat(noMigration.err()).contains("has no migration to switch to");
        assertNoTrace(noMigration);

        Run sameModel = kb("reembed", "--tenant", tenant, "--model", OLD);
        assertThat(sameModel.code()).isEqualTo(1);
        assertThat(sameModel.err()).contains("already uses " + OLD);

        Run noModel = kb("reembed", "--tenant", tenant);
        assertThat(noModel.code()).isEqualTo(2);
        assertThat(noModel.err()).contains("--model is required");

        Run noSuchStep = kb("reembed", "frobnicate", "--tenant", tenant);
        assertThat(noSuchStep.code()).isEqualTo(2);
        assertThat(noSuchStep.err()).contains("frobnicate");
        assertNoTrace(noSuchStep);

        assertThat(migrations.models(tenant)).isEqualTo(TenantModels.only(tenant, OLD));
        assertThat(vectors(tenant, OLD)).isEqualTo(TEXTS.size());
    }

    /** A fresh tenant on {@link #OLD}, one chunk per text, written as the indexing job writes. */
    private static String seededTenant() {
        String tenant = "cli-reembed-" + UUID.randomUUID().toString().substring(0, 8);
        tenants.add(tenant);
        migrations.assign(tenant, OLD);
        Embedder embedder = Embedders.shared(config, OLD);
        float[][] vectors = embedder.embed(TEXTS);
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) {
            String text = TEXTS.get(i);
            docs.add(
                    new IndexedDocument(
                            tenant,
                            "d" + i,
                            1,
                            "hash" + i,
                            "doc " + i,
                            Map.of(),
                            OLD,
                            List.of(new ChunkRow(0, text, 0, text.length(), vectors[i]))));
        }
        assertThat(store.upsert(docs)).isEqualTo(TEXTS.size());
        return tenant;
    }

    private static long vectors(String tenant, String model) {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            n += store.countVectors(s, tenant, model);
        }
        return n;
    }

    private static void assertNoTrace(Run run) {
        assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception:");
    }

    record Run(int code, String out, String err) {}

    /** Runs {@code kb args} in this JVM, capturing what it prints. */
    private static synchronized Run kb(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = KbCommand.commandLine().execute(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        Run run =
                new Run(
                        code,
                        out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8));
        System.out.printf(
                "kb %s -> %d%n%s%s%n", String.join(" ", args), code, run.out(), run.err());
        return run;
    }
}
