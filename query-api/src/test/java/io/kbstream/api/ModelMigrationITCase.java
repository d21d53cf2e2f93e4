package io.kbstream.api;

import static io.kbstream.api.testing.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbstream.api.testing.ApiUnderTest;
import io.kbstream.api.testing.Seeder;
import io.kbstream.client.EventStream;
import io.kbstream.client.http.Response;
import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.models.ModelMigrations;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.jobs.ReembedJob;
import io.kbstream.jobs.records.ChunkTask;
import io.kbstream.jobs.sink.VectorSink;
import io.kbstream.jobs.source.TenantChunkSource;
import io.kbstream.jobs.testing.PipelineRunner;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * Issue 20 end to end: a tenant indexed with all-MiniLM-L6-v2 moves to bge-small-en-v1.5 while
 * uploads, deletes and searches go on through the real API and indexing job; the re-embed job is
 * killed once mid-way (its sink fails after half the vectors) and resumes; then the switch, and the
 * switch back.
 */
class ModelMigrationITCase {

    private static final String OLD = "all-minilm-l6-v2";
    private static final String NEW = "bge-small-en-v15";
    private static final String QUERY = "animals that grow back lost body parts";
    private static final String PROBE_TEXT =
            "The axolotl is a salamander that regenerates its limbs, heart and spinal cord.";

    /** Set by the killing sink once it has failed the job; static: the MiniCluster is in-JVM. */
    static final AtomicBoolean KILLED = new AtomicBoolean();

    static final AtomicLong WRITTEN_BEFORE_KILL = new AtomicLong();

    /** Vectors handed to the sink by all its subtasks. */
    static final AtomicLong WRITTEN = new AtomicLong();

    static volatile long killAfter;

    private static ApiUnderTest api;
    private static PipelineRunner pipeline;
    private static ShardedStore store;
    private static JedisPooled redis;
    private static ModelMigrations migrations;

    @BeforeAll
    static void start() throws Exception {
        api =
                new ApiUnderTest(
                        Map.of(
                                EmbeddingOptions.MODEL.key(), OLD,
                                EmbeddingOptions.TENANT_MODELS_REFRESH.key(), "PT0.3S",
                                EmbeddingOptions.REEMBED_READ_BATCH.key(), "8"));
        pipeline = PipelineRunner.start(api.config);
        store = ShardedStore.open(api.config);
        redis = RedisConnections.pooled(api.config);
        migrations =
                new ModelMigrations(
                        store,
                        new IndexGenerations(redis),
                        OLD,
                        model -> Embedders.shared(api.config, model));
    }

    @AfterAll
    static void stop() throws Exception {
        pipeline.close();
        try (Seeder seeder = new Seeder(api.config)) {
            seeder.deleteTenant(api.tenantA);
            seeder.deleteTenant(api.tenantB);
        }
        store.close();
        redis.close();
        api.close();
    }

    @Test
    void a_tenant_moves_to_another_model_with_no_failed_search_and_can_switch_back()
            throws Exception {
        String tenant = api.tenantA;
        Set<String> live = ConcurrentHashMap.newKeySet();
        Set<String> deleted = ConcurrentHashMap.newKeySet();
        upload("probe", PROBE_TEXT, live);
        for (int i = 0; i < 40; i++) {
            upload(
                    "d" + i,
                    "Document " + i + " is about topic " + (i % 7) + " of the corpus.",
                    live);
        }
        awaitIndexed(live);
        assertThat(model()).isEqualTo(OLD);
        assertThat(probeScore())
                .isCloseTo(expectedScore(OLD), org.assertj.core.data.Offset.offset(1e-3));

        // searches and writes go on through everything below
        AtomicInteger searches = new AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean searching = new AtomicBoolean(true);
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread searcher =
                new Thread(
                        () -> {
                            while (searching.get()) {
                                Response r = search();
                                searches.incrementAndGet();
                                if (r.statusCode() != 200
                                        || json(r.body()).get("partial").asBoolean()) {
                                    failures.add(r.statusCode() + " " + r.body());
                                }
                                sleep(50);
                            }
                        });
        Thread writer =
                new Thread(
                        () -> {
                            int n = 0;
                            while (writing.get()) {
                                upload("w" + n, "Written during the move, number " + n + ".", live);
                                if (n % 3 == 2) {
                                    String gone = "d" + (n / 3);
                                    Response r = api.delete("/v1/documents/" + gone, api.keyA);
                                    if (r.statusCode() == 202) {
                                        live.remove(gone);
                                        deleted.add(gone);
                                    }
                                }
                                n++;
                                sleep(250);
                            }
                        });
        searcher.start();
        writer.start();

        EventStream socket = api.events("Bearer " + api.keyA);
        assertThat(socket.await("subscribed", 10)).isNotNull();
        migrations.start(tenant, NEW);
        sleep(600); // two model refreshes: every writer now embeds with both models
        long missing = migrations.status(tenant).missing();
        assertThat(missing).isPositive();
        killAfter = missing / 2;
        runReembed(tenant, true);
        assertThat(KILLED).as("the job was killed mid-way").isTrue();
        assertThat(WRITTEN_BEFORE_KILL.get()).isPositive().isLessThan(missing);
        String progress = socket.await("model-migration", 10);
        assertThat(progress).as("progress on the WebSocket").isNotNull();
        assertThat(json(progress).get("target").asText()).isEqualTo(NEW);
        socket.close();

        writing.set(false);
        writer.join();
        awaitIndexed(live);
        awaitGone(deleted);
        // what was written while the job ran has both vectors already (dual embedding); a pass
        // catches up anything read before it existed
        runReembed(tenant, false);

        ModelMigrations.Status before = migrations.status(tenant);
        assertThat(before.missing()).isZero();
        assertThat(before.vectors())
                .containsEntry(OLD, before.chunks())
                .containsEntry(NEW, before.chunks());
        for (String id : live) {
            assertThat(store.find(tenant, id)).as(id).isPresent();
        }
        for (String id : deleted) {
            assertThat(store.find(tenant, id)).as(id).isEmpty();
        }
        assertThat(model()).as("searches keep the old model until the switch").isEqualTo(OLD);

        migrations.switchToTarget(tenant);
        assertThat(model()).isEqualTo(NEW);
        assertThat(probeScore())
                .isCloseTo(expectedScore(NEW), org.assertj.core.data.Offset.offset(1e-3));
        assertThat(expectedScore(NEW))
                .isNotCloseTo(expectedScore(OLD), org.assertj.core.data.Offset.offset(1e-2));

        migrations.switchBack(tenant);
        assertThat(model()).isEqualTo(OLD);
        assertThat(probeScore())
                .isCloseTo(expectedScore(OLD), org.assertj.core.data.Offset.offset(1e-3));

        searching.set(false);
        searcher.join();
        assertThat(searches.get()).isGreaterThan(10);
        assertThat(failures).as("failed searches").isEmpty();
    }

    private static String model() {
        return json(api.get("/v1/tenant/model", api.keyA).body()).get("active").asText();
    }

    private static Response search() {
        return api.postJson(
                "/v1/search",
                api.keyA,
                "{\"query\":\"" + QUERY + "\",\"mode\":\"vector\",\"k\":10}");
    }

    /** The probe document's score in a vector search. */
    private static double probeScore() {
        for (JsonNode hit : json(search().body()).get("results")) {
            if (hit.get("id").asText().equals("probe")) {
                return hit.get("score").asDouble();
            }
        }
        throw new AssertionError("the probe document was not found");
    }

    /** Cosine of the query and the probe's text by {@code model}, computed here. */
    private static double expectedScore(String model) {
        Embedder e = Embedders.shared(api.config, model);
        float[] q = e.embedQuery(QUERY);
        float[] d = e.embed(PROBE_TEXT);
        double dot = 0;
        for (int i = 0; i < q.length; i++) {
            dot += q[i] * d[i];
        }
        return dot;
    }

    private static void upload(String id, String text, Set<String> live) {
        Response r =
                api.putJson(
                        "/v1/documents/" + id,
                        api.keyA,
                        "{\"title\":\"" + id + "\",\"text\":\"" + text + "\"}");
        if (r.statusCode() == 202) {
            live.add(id);
        }
    }

    private static void awaitIndexed(Set<String> ids) {
        long deadline = System.currentTimeMillis() + 300_000;
        for (String id : ids) {
            String status = "";
            while (!status.equals("INDEXED") && System.currentTimeMillis() < deadline) {
                status =
                        json(api.get("/v1/documents/" + id, api.keyA).body())
                                .path("status")
                                .asText();
                if (!status.equals("INDEXED")) {
                    sleep(200);
                }
            }
            assertThat(status).as(id).isEqualTo("INDEXED");
        }
    }

    private static void awaitGone(Set<String> ids) {
        long deadline = System.currentTimeMillis() + 300_000;
        for (String id : ids) {
            while (store.find(api.tenantA, id).isPresent()
                    && System.currentTimeMillis() < deadline) {
                sleep(200);
            }
        }
    }

    /** One run of the production re-embed job on a MiniCluster; optionally killed once mid-way. */
    private static void runReembed(String tenant, boolean kill) throws Exception {
        KbConfig config =
                api.config.with(
                        PipelineOptions.CHECKPOINT_DIR,
                        Files.createTempDirectory("kb-reembed").toUri().toString());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
        io.kbstream.jobs.IndexingJob.configure(env, config);
        Sink<ChunkTask> sink = new VectorSink(config);
        new ReembedJob(
                        config,
                        NEW,
                        new TenantChunkSource(config, tenant, NEW),
                        kill ? new KillingSink(sink) : sink)
                .execute(env);
    }

    /**
     * The production sink, failing the job once after {@link #killAfter} vectors are in the shards
     * (flushed first, so the kill lands mid-way for sure); the restarted job must finish the rest.
     */
    static final class KillingSink implements Sink<ChunkTask> {
        private static final long serialVersionUID = 1L;
        private final Sink<ChunkTask> delegate;

        KillingSink(Sink<ChunkTask> delegate) {
            this.delegate = delegate;
        }

        @Override
        public SinkWriter<ChunkTask> createWriter(WriterInitContext context)
                throws java.io.IOException {
            SinkWriter<ChunkTask> writer = delegate.createWriter(context);
            return new SinkWriter<>() {
                @Override
                public void write(ChunkTask task, Context c)
                        throws java.io.IOException, InterruptedException {
                    writer.write(task, c);
                    if (WRITTEN.incrementAndGet() >= killAfter
                            && KILLED.compareAndSet(false, true)) {
                        writer.flush(false);
                        WRITTEN_BEFORE_KILL.set(WRITTEN.get());
                        throw new IllegalStateException("re-embed job killed mid-way (test)");
                    }
                }

                @Override
                public void flush(boolean endOfInput)
                        throws java.io.IOException, InterruptedException {
                    writer.flush(endOfInput);
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        }

        @Override
        @SuppressWarnings("deprecation")
        public SinkWriter<ChunkTask> createWriter(InitContext context) {
            throw new UnsupportedOperationException("Flink 1.20 calls the other entry point");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
