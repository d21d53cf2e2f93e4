package io.kbstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.chunk.Chunker;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.testing.TestDocuments;
import io.kbstream.jobs.records.DocumentCommand;
import io.kbstream.jobs.records.DocumentEventDeserializer;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.jobs.sink.ShardedIndexSink;
import io.kbstream.jobs.testing.JobFixture;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.EventType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/**
 * Tests for {@link IndexingJob}: the real job on a Flink MiniCluster, reading a bounded slice of a
 * real Kafka topic, writing to the real shards and Redis of the local stack.
 */
class IndexingJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path checkpoints;

    @Test
    void everyDocumentIsIndexedOnceWithItsChunksSpreadOverBothShards() throws Exception {
        JobFixture fixture = JobFixture.create("e2e", checkpoints);
        Map<String, String> texts = new TreeMap<>();
        for (int i = 0; i < 24; i++) {
            texts.put("doc-" + i, sampleText(i, 40 + (i % 4) * 140));
        }
        List<DocumentEvent> events = new ArrayList<>();
        texts.forEach((id, text) -> events.add(JobFixture.upsert(fixture.tenant(), id, 1, text)));
        fixture.send(events);

        run(fixture, op -> op);

        assertThat(fixture.chunksByDocument()).isEqualTo(expectedChunks(fixture.config(), texts));
        assertThat(fixture.documentsPerShard())
                .hasSize(2)
                .allSatisfy(n -> assertThat(n).isPositive());
        try (JedisPooled redis = RedisConnections.pooled(fixture.config())) {
            StatusStore statuses = new StatusStore(redis, Duration.ofMinutes(5));
            for (String id : texts.keySet()) {
                DocumentStatus status = statuses.get(fixture.tenant(), id).orElseThrow();
                assertThat(status.getState()).isEqualTo(DocumentState.INDEXED);
                assertThat(status.getChunkCount())
                        .isEqualTo(fixture.chunksByDocument().get(id).size());
            }
        }
    }

    @Test
    void unchangedReuploadNewVersionStaleVersionAndDeleteEndInTheRightState() throws Exception {
        JobFixture fixture = JobFixture.create("versions", checkpoints);
        String t = fixture.tenant();
        String same = sampleText(1, 60);
        String oldText = sampleText(2, 60);
        String newText =
                "A completely different text about glaciers and ice sheets melting in summer.";
        fixture.send(
                List.of(
                        JobFixture.upsert(t, "same", 1, same),
                        JobFixture.upsert(t, "same", 2, same),
                        JobFixture.upsert(t, "changed", 1, oldText),
                        JobFixture.upsert(t, "changed", 2, newText),
                        JobFixture.upsert(t, "deleted", 1, sampleText(3, 30)),
                        JobFixture.event(t, "deleted", 2, EventType.DELETE, null, null),
                        JobFixture.upsert(t, "late", 2, newText),
                        JobFixture.upsert(t, "late", 1, oldText)));

        run(fixture, op -> op);

        assertThat(fixture.documentVersions())
                .containsExactlyInAnyOrderEntriesOf(Map.of("same", 1L, "changed", 2L, "late", 2L));
        assertThat(fixture.chunkTexts("changed")).containsExactly(newText);
        assertThat(fixture.chunkTexts("late")).containsExactly(newText);
        assertThat(fixture.chunksByDocument()).doesNotContainKey("deleted");
        assertThat(fixture.bm25Differences())
                .as(
                        "BM25 statistics after an unchanged re-upload, new and stale versions, a delete")
                .isEmpty();
        try (JedisPooled redis = RedisConnections.pooled(fixture.config())) {
            StatusStore statuses = new StatusStore(redis, Duration.ofMinutes(5));
            DocumentStatus reupload = statuses.get(t, "same").orElseThrow();
            assertThat(reupload.getVersion()).isEqualTo(2);
            assertThat(reupload.getState()).isEqualTo(DocumentState.INDEXED);
            assertThat(reupload.getReason()).isEqualTo("unchanged");
            assertThat(reupload.getChunkCount())
                    .isEqualTo(fixture.chunksByDocument().get("same").size());
            assertThat(statuses.get(t, "deleted")).isEmpty();
        }
    }

    /** Documents that reach the job but cannot be indexed: each must end FAILED with a reason. */
    private static final List<String> CORRUPT =
            List.of(
                    "empty",
                    "unsupported",
                    "broken-pdf",
                    "truncated-pdf",
                    "zip-bomb-pdf",
                    "binary-as-text");

    @Test
    void badRecordsFailWithTheirReasonAndGoToTheDeadLetterTopicWhileGoodOnesAreIndexed()
            throws Exception {
        JobFixture fixture = JobFixture.create("bad", checkpoints);
        String t = fixture.tenant();
        fixture.send(List.of(JobFixture.upsert(t, "good-1", 1, sampleText(5, 50))));
        fixture.sendRaw(
                t + "/garbage", "this is not an Avro record".getBytes(StandardCharsets.UTF_8));
        fixture.send(
                List.of(
                        JobFixture.event(
                                t, "empty", 1, EventType.UPSERT, new byte[0], "text/plain"),
                        JobFixture.event(
                                t,
                                "unsupported",
                                1,
                                EventType.UPSERT,
                                new byte[] {1, 2, 3},
                                "application/x-msdownload"),
                        JobFixture.event(
                                t,
                                "broken-pdf",
                                1,
                                EventType.UPSERT,
                                "%PDF-1.7 not really".getBytes(StandardCharsets.UTF_8),
                                "application/pdf"),
                        JobFixture.event(
                                t,
                                "truncated-pdf",
                                1,
                                EventType.UPSERT,
                                TestDocuments.truncatedPdf(),
                                "application/pdf"),
                        JobFixture.event(
                                t,
                                "zip-bomb-pdf",
                                1,
                                EventType.UPSERT,
                                TestDocuments.zipBombPdf(1L << 28),
                                "application/pdf"),
                        JobFixture.event(
                                t,
                                "binary-as-text",
                                1,
                                EventType.UPSERT,
                                TestDocuments.binaryAsText(),
                                "text/plain"),
                        JobFixture.upsert(t, "good-2", 1, sampleText(6, 50))));

        run(fixture, op -> op);

        assertThat(fixture.chunksByDocument()).containsOnlyKeys("good-1", "good-2");
        try (JedisPooled redis = RedisConnections.pooled(fixture.config())) {
            StatusStore statuses = new StatusStore(redis, Duration.ofMinutes(5));
            for (String id : CORRUPT) {
                DocumentStatus status = statuses.get(t, id).orElseThrow();
                assertThat(status.getState()).as(id).isEqualTo(DocumentState.FAILED);
                assertThat(status.getReason()).as(id).isNotBlank();
            }
            assertThat(statuses.get(t, "empty").orElseThrow().getReason()).contains("empty");
            assertThat(statuses.get(t, "zip-bomb-pdf").orElseThrow().getReason())
                    .contains("expand to more than");
            assertThat(statuses.get(t, "binary-as-text").orElseThrow().getReason())
                    .contains("binary");
        }
        List<String> deadLetterKeys = new ArrayList<>(List.of(t + "/garbage"));
        CORRUPT.forEach(id -> deadLetterKeys.add(t + "/" + id));
        assertThat(fixture.deadLetters(Duration.ofSeconds(5)))
                .containsOnlyKeys(deadLetterKeys)
                .allSatisfy((key, reason) -> assertThat(reason).isNotBlank());
    }

    @Test
    void afterAFailureMidStreamTheJobRestartsFromItsCheckpointAndIndexesEveryDocumentExactlyOnce()
            throws Exception {
        JobFixture fixture = JobFixture.create("failure", checkpoints);
        Map<String, String> firstWave = texts(0, 20);
        Map<String, String> secondWave = texts(20, 40);
        FailOnceAfterCheckpoint.reset();
        JobClient job = start(fixture, new FailOnceAfterCheckpoint());
        try {
            fixture.send(upserts(fixture.tenant(), firstWave));
            await(() -> fixture.documentVersions().size() == 20, "first wave indexed");
            int checkpointsSoFar = FailOnceAfterCheckpoint.CHECKPOINTS.get();
            await(
                    () -> FailOnceAfterCheckpoint.CHECKPOINTS.get() > checkpointsSoFar,
                    "a checkpoint after the first wave");

            // armed: the first document write of the second wave fails the job, after a checkpoint
            FailOnceAfterCheckpoint.ARMED.set(true);
            fixture.send(upserts(fixture.tenant(), secondWave));
            await(
                    () -> fixture.documentVersions().size() == 40,
                    "second wave indexed after the restart");
        } finally {
            job.cancel().get();
        }

        assertThat(FailOnceAfterCheckpoint.FAILED).as("the fault was injected").isTrue();
        Map<String, String> all = new TreeMap<>(firstWave);
        all.putAll(secondWave);
        assertThat(fixture.chunksByDocument()).isEqualTo(expectedChunks(fixture.config(), all));
        assertThat(fixture.documentVersions())
                .hasSize(40)
                .allSatisfy((id, version) -> assertThat(version).isEqualTo(1L));
        assertThat(fixture.bm25Differences())
                .as("BM25 statistics after the failure and the replay from the checkpoint")
                .isEmpty();
    }

    private static Map<String, String> texts(int from, int to) {
        Map<String, String> texts = new TreeMap<>();
        for (int i = from; i < to; i++) {
            texts.put("doc-" + i, sampleText(100 + i, 30 + (i % 3) * 150));
        }
        return texts;
    }

    private static List<DocumentEvent> upserts(String tenant, Map<String, String> texts) {
        List<DocumentEvent> events = new ArrayList<>();
        texts.forEach((id, text) -> events.add(JobFixture.upsert(tenant, id, 1, text)));
        return events;
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }

    /** Runs the job with an unbounded source, in the background. */
    private static JobClient start(JobFixture fixture, MapFunction<IndexOp, IndexOp> beforeSink)
            throws Exception {
        return jobOn(fixture, false, beforeSink).executeAsync("indexing job under test");
    }

    /** Runs the job over what the topic holds now, until it has indexed all of it. */
    private static void run(JobFixture fixture, MapFunction<IndexOp, IndexOp> beforeSink)
            throws Exception {
        jobOn(fixture, true, beforeSink).execute("indexing job under test");
    }

    private static StreamExecutionEnvironment jobOn(
            JobFixture fixture, boolean bounded, MapFunction<IndexOp, IndexOp> beforeSink) {
        KbConfig config = fixture.config();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IndexingJob.configure(env, config);
        new IndexingJob(
                        config,
                        source(config, bounded),
                        new ShardedIndexSink(config),
                        IndexingJob.deadLetterSink(config),
                        beforeSink)
                .build(env);
        return env;
    }

    private static KafkaSource<DocumentCommand> source(KbConfig config, boolean bounded) {
        var builder =
                KafkaSource.<DocumentCommand>builder()
                        .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP))
                        .setTopics(config.get(KafkaOptions.TOPIC_DOCUMENTS))
                        .setGroupId(config.get(PipelineOptions.CONSUMER_GROUP))
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(new DocumentEventDeserializer());
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    private static Map<String, List<Integer>> expectedChunks(
            KbConfig config, Map<String, String> texts) {
        Chunker chunker = Chunker.forConfig(config);
        Map<String, List<Integer>> expected = new TreeMap<>();
        texts.forEach(
                (id, text) ->
                        expected.put(
                                id,
                                IntStream.range(0, chunker.chunk(text).size()).boxed().toList()));
        return expected;
    }

    private static final String[] WORDS = {
        "protein", "cell", "immune", "response", "gene", "expression", "tumor", "growth",
                "patients",
        "treatment", "increased", "reduced", "mice", "study", "clinical", "trial", "receptor",
                "binding",
        "signal", "pathway", "vitamin", "deficiency", "risk", "disease", "infection", "virus",
                "vaccine"
    };

    /** Deterministic pseudo-abstract of {@code words} words, different for each seed. */
    static String sampleText(int seed, int words) {
        StringBuilder text = new StringBuilder();
        long x = seed * 2654435761L + 17;
        for (int i = 0; i < words; i++) {
            x = (x * 6364136223846793005L + 1442695040888963407L);
            text.append(WORDS[(int) Math.floorMod(x >>> 33, WORDS.length)]);
            text.append(i % 12 == 11 ? ". " : " ");
        }
        return text.toString().trim();
    }

    /**
     * Once armed (by the test, after a checkpoint completed), throws on the first document write it
     * sees: the job then restarts from that checkpoint.
     */
    static final class FailOnceAfterCheckpoint
            implements MapFunction<IndexOp, IndexOp>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicInteger CHECKPOINTS = new AtomicInteger();

        static void reset() {
            ARMED.set(false);
            FAILED.set(false);
            CHECKPOINTS.set(0);
        }

        @Override
        public IndexOp map(IndexOp op) {
            if ("UPSERT".equals(op.kind) && ARMED.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException(
                        "injected failure before writing " + op.documentKey());
            }
            return op;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS.incrementAndGet();
        }
    }
}
