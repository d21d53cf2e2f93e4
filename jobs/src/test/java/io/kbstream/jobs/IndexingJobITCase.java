package io.kbstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.chunk.Chunk;
import io.kbstream.core.chunk.Chunker;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.redis.StatusStore;
import io.kbstream.core.store.ChunkRow;
import io.kbstream.core.store.IndexedDocument;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.tenant.TenantTombstones;
import io.kbstream.core.testing.TestDocuments;
import io.kbstream.jobs.records.DocumentCommand;
import io.kbstream.jobs.records.DocumentEventDeserializer;
import io.kbstream.jobs.records.IndexOp;
import io.kbstream.jobs.sink.ShardedIndexSink;
import io.kbstream.jobs.testing.JobFixture;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentState;
import io.kbstream.schemas.DocumentStatus;
import io.kbstream.schemas.DocumentStatuses;
import io.kbstream.schemas.EventKeys;
import io.kbstream.schemas.EventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
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
    void every_document_is_indexed_once_with_its_chunks_spread_over_both_shards() throws Exception {
        JobFixture fixture = JobFixture.create("e2e", checkpoints);
        Map<String, String> texts = new TreeMap<>();
        for (int i = 0; i < 24; i++) {
            texts.put("doc-" + i, sampleText(i, 40 + (i % 4) * 140));
        }
        List<DocumentEvent> events = new ArrayList<>();
        texts.forEach((id, text) -> events.add(JobFixture.upsert(fixture.tenant(), id, text)));
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
    void
            unchanged_reupload_new_version_delete_and_writers_claiming_versions_end_in_the_right_state()
                    throws Exception {
        JobFixture fixture = JobFixture.create("versions", checkpoints);
        String t = fixture.tenant();
        String same = sampleText(1, 60);
        String oldText = sampleText(2, 60);
        String newText =
                "A completely different text about glaciers and ice sheets melting in summer.";
        List<Long> versions =
                fixture.send(
                        List.of(
                                JobFixture.upsert(t, "same", same),
                                JobFixture.upsert(t, "same", same),
                                JobFixture.upsert(t, "changed", oldText),
                                JobFixture.upsert(t, "changed", newText),
                                JobFixture.upsert(t, "deleted", sampleText(3, 30)),
                                JobFixture.event(t, "deleted", EventType.DELETE, null, null),
                                // writers whose clocks disagree: the log's order decides, not the
                                // versions they claim
                                claiming(2, JobFixture.upsert(t, "late", oldText)),
                                claiming(1, JobFixture.upsert(t, "late", newText))));

        run(fixture, op -> op);

        assertThat(fixture.documentVersions())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "same", versions.get(0),
                                "changed", versions.get(3),
                                "late", versions.get(7)));
        // offsets count per partition: versions grow per document, not across documents
        for (int later = 1; later < versions.size(); later += 2) {
            assertThat(versions.get(later)).isGreaterThan(versions.get(later - 1));
        }
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
            assertThat(reupload.getVersion()).isEqualTo(versions.get(1));
            assertThat(reupload.getState()).isEqualTo(DocumentState.INDEXED);
            assertThat(reupload.getReason()).isEqualTo("unchanged");
            assertThat(reupload.getChunkCount())
                    .isEqualTo(fixture.chunksByDocument().get("same").size());
            assertThat(statuses.get(t, "deleted")).isEmpty();
        }
    }

    /** The event as a writer that put its own version into it would send it. */
    private static DocumentEvent claiming(long version, DocumentEvent event) {
        return DocumentEvent.newBuilder(event).setVersion(version).build();
    }

    @Test
    void a_document_an_older_build_indexed_with_a_clock_version_is_replaced_by_the_next_upload()
            throws Exception {
        JobFixture fixture = JobFixture.create("legacy", checkpoints);
        String t = fixture.tenant();
        KbConfig config = fixture.config();
        // what builds before offset versions wrote: the API's wall-clock microseconds
        long clockVersion = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        try (ShardedStore store = ShardedStore.open(config);
                JedisPooled redis = RedisConnections.pooled(config)) {
            Embedder embedder = Embedders.shared(config);
            store.upsert(
                    List.of(
                            new IndexedDocument(
                                    t,
                                    "old",
                                    clockVersion,
                                    "hash-of-the-old-build",
                                    "Old",
                                    Map.of(),
                                    embedder.modelInfo().name(),
                                    List.of(
                                            new ChunkRow(
                                                    0,
                                                    "indexed by the old build",
                                                    0,
                                                    24,
                                                    embedder.embed(
                                                                    List.of(
                                                                            "indexed by the old build"))[
                                                            0])))));
            new StatusStore(redis, Duration.ofMinutes(5))
                    .put(
                            DocumentStatuses.of(
                                    "old-event",
                                    t,
                                    "old",
                                    clockVersion,
                                    DocumentState.INDEXED,
                                    null,
                                    1,
                                    Instant.now(),
                                    Instant.now()));
        }
        String newText = sampleText(7, 40);

        long version = fixture.send(List.of(JobFixture.upsert(t, "old", newText))).get(0);
        run(fixture, op -> op);

        assertThat(version).isGreaterThan(clockVersion);
        assertThat(fixture.documentVersions()).containsEntry("old", version);
        assertThat(fixture.chunksByDocument().get("old"))
                .isEqualTo(expectedChunks(config, Map.of("old", newText)).get("old"));
        assertThat(fixture.chunkTexts("old")).doesNotContain("indexed by the old build");
        try (JedisPooled redis = RedisConnections.pooled(config)) {
            DocumentStatus status =
                    new StatusStore(redis, Duration.ofMinutes(5)).get(t, "old").orElseThrow();
            assertThat(status.getVersion()).isEqualTo(version);
            assertThat(status.getState()).isEqualTo(DocumentState.INDEXED);
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
    void
            bad_records_fail_with_their_reason_and_go_to_the_dead_letter_topic_while_good_ones_are_indexed()
                    throws Exception {
        JobFixture fixture = JobFixture.create("bad", checkpoints);
        String t = fixture.tenant();
        fixture.send(List.of(JobFixture.upsert(t, "good-1", sampleText(5, 50))));
        fixture.sendRaw(
                EventKeys.documentKey(t, "garbage"),
                "this is not an Avro record".getBytes(StandardCharsets.UTF_8));
        fixture.send(
                List.of(
                        JobFixture.event(t, "empty", EventType.UPSERT, new byte[0], "text/plain"),
                        JobFixture.event(
                                t,
                                "unsupported",
                                EventType.UPSERT,
                                new byte[] {1, 2, 3},
                                "application/x-msdownload"),
                        JobFixture.event(
                                t,
                                "broken-pdf",
                                EventType.UPSERT,
                                "%PDF-1.7 not really".getBytes(StandardCharsets.UTF_8),
                                "application/pdf"),
                        JobFixture.event(
                                t,
                                "truncated-pdf",
                                EventType.UPSERT,
                                TestDocuments.truncatedPdf(),
                                "application/pdf"),
                        JobFixture.event(
                                t,
                                "zip-bomb-pdf",
                                EventType.UPSERT,
                                TestDocuments.zipBombPdf(1L << 28),
                                "application/pdf"),
                        JobFixture.event(
                                t,
                                "binary-as-text",
                                EventType.UPSERT,
                                TestDocuments.binaryAsText(),
                                "text/plain"),
                        JobFixture.upsert(t, "good-2", sampleText(6, 50))));

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
        List<String> deadLetterKeys = new ArrayList<>(List.of(EventKeys.documentKey(t, "garbage")));
        CORRUPT.forEach(id -> deadLetterKeys.add(EventKeys.documentKey(t, id)));
        assertThat(fixture.deadLetters(Duration.ofSeconds(5)))
                .containsOnlyKeys(deadLetterKeys)
                .allSatisfy((key, reason) -> assertThat(reason).isNotBlank());
    }

    @Test
    void
            after_a_failure_mid_stream_the_job_restarts_from_its_checkpoint_and_indexes_every_document_exactly_once()
                    throws Exception {
        JobFixture fixture = JobFixture.create("failure", checkpoints);
        Map<String, String> firstWave = texts(0, 20);
        Map<String, String> secondWave = texts(20, 40);
        FailAfterWritesBeforeCheckpoint.reset();
        Map<String, Long> sent = new TreeMap<>();
        JobClient job =
                jobOn(
                                fixture,
                                false,
                                op -> op,
                                new FailAfterWritesBeforeCheckpoint(fixture.config()))
                        .executeAsync("indexing job under test");
        try {
            sent.putAll(send(fixture, firstWave));
            await(() -> fixture.documentVersions().size() == 20, "first wave indexed");

            // armed: the first checkpoint that finds second-wave documents written to the shards
            // fails after the writes, so the restart replays documents already written
            FailAfterWritesBeforeCheckpoint.ARMED.set(true);
            sent.putAll(send(fixture, secondWave));
            await(FailAfterWritesBeforeCheckpoint.FAILED::get, "the injected failure");
            await(
                    () ->
                            fixture.chunksByDocument().size() == 40
                                    && FailAfterWritesBeforeCheckpoint.replayed()
                                            .containsAll(
                                                    FailAfterWritesBeforeCheckpoint.WRITTEN_BEFORE),
                    "second wave indexed and rewritten after the restart");
        } finally {
            job.cancel().get();
        }

        assertThat(FailAfterWritesBeforeCheckpoint.WRITTEN_BEFORE)
                .as("documents on the shards when the checkpoint failed")
                .isNotEmpty();
        Map<String, String> all = new TreeMap<>(firstWave);
        all.putAll(secondWave);
        assertThat(fixture.chunksByDocument()).isEqualTo(expectedChunks(fixture.config(), all));
        // replayed after the restart, each document still has the version of its one event
        assertThat(fixture.documentVersions()).hasSize(40).isEqualTo(sent);
        assertThat(fixture.bm25Differences())
                .as("BM25 statistics after written documents were replayed from the checkpoint")
                .isEmpty();
    }

    @Test
    void
            after_its_tenant_is_deleted_the_same_document_uploaded_again_is_indexed_again_not_skipped_as_unchanged()
                    throws Exception {
        JobFixture fixture = JobFixture.create("tombstone", checkpoints);
        KbConfig config = fixture.config();
        String t = fixture.tenant();
        String text = sampleText(7, 80);
        JobClient job =
                jobOn(fixture, false, op -> op, new ShardedIndexSink(config))
                        .executeAsync("indexing job under test");
        try (JedisPooled redis = RedisConnections.pooled(config);
                ShardedStore store = ShardedStore.open(config);
                KafkaProducer<byte[], byte[]> producer =
                        KafkaClients.producer(config, "tombstone-test")) {
            StatusStore statuses = new StatusStore(redis, Duration.ofMinutes(5));
            long first = fixture.send(List.of(JobFixture.upsert(t, "doc", text))).get(0);
            await(() -> first == fixture.documentVersions().getOrDefault("doc", 0L), "indexed");
            // the gate remembers it: the same content again is only reported unchanged
            long again = fixture.send(List.of(JobFixture.upsert(t, "doc", text))).get(0);
            await(() -> indexedAt(statuses, t, again), "the unchanged re-upload reported");
            assertThat(statuses.get(t, "doc").orElseThrow().getReason()).isEqualTo("unchanged");

            // the tenant is deleted as the API's TenantDeletion does it
            RecordMetadata tombstone = TenantTombstones.publish(config, producer, t);
            assertThat(TenantTombstones.awaitApplied(config, tombstone, Duration.ofSeconds(120)))
                    .as("the job confirms the tombstone")
                    .isTrue();
            store.deleteTenant(t);
            assertThat(fixture.documentVersions()).isEmpty();

            // re-created, the tenant uploads the very same document once more
            long recreated = fixture.send(List.of(JobFixture.upsert(t, "doc", text))).get(0);
            await(() -> indexedAt(statuses, t, recreated), "the re-upload reported");
            assertThat(statuses.get(t, "doc").orElseThrow().getReason()).isNull();
            assertThat(fixture.documentVersions()).containsExactly(Map.entry("doc", recreated));
            assertThat(fixture.chunksByDocument())
                    .isEqualTo(expectedChunks(config, Map.of("doc", text)));
        } finally {
            job.cancel().get();
        }
    }

    private static boolean indexedAt(StatusStore statuses, String tenant, long version) {
        return statuses.get(tenant, "doc")
                .filter(s -> s.getVersion() == version && s.getState() == DocumentState.INDEXED)
                .isPresent();
    }

    private static Map<String, String> texts(int from, int to) {
        Map<String, String> texts = new TreeMap<>();
        for (int i = from; i < to; i++) {
            texts.put("doc-" + i, sampleText(100 + i, 30 + (i % 3) * 150));
        }
        return texts;
    }

    /** Sends one upload per text; returns the version each document got. */
    private static Map<String, Long> send(JobFixture fixture, Map<String, String> texts)
            throws Exception {
        List<String> ids = new ArrayList<>(texts.keySet());
        List<DocumentEvent> events = new ArrayList<>();
        ids.forEach(id -> events.add(JobFixture.upsert(fixture.tenant(), id, texts.get(id))));
        List<Long> versions = fixture.send(events);
        Map<String, Long> sent = new TreeMap<>();
        for (int i = 0; i < ids.size(); i++) {
            sent.put(ids.get(i), versions.get(i));
        }
        return sent;
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

    /** Runs the job over what the topic holds now, until it has indexed all of it. */
    private static void run(JobFixture fixture, MapFunction<IndexOp, IndexOp> beforeSink)
            throws Exception {
        jobOn(fixture, true, beforeSink, new ShardedIndexSink(fixture.config()))
                .execute("indexing job under test");
    }

    private static StreamExecutionEnvironment jobOn(
            JobFixture fixture,
            boolean bounded,
            MapFunction<IndexOp, IndexOp> beforeSink,
            Sink<IndexOp> indexSink) {
        KbConfig config = fixture.config();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IndexingJob.configure(env, config);
        new IndexingJob(
                        config,
                        source(config, bounded),
                        indexSink,
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

    /** docId → the chunk texts, in order, that the chunker makes of its text. */
    private static Map<String, List<String>> expectedChunks(
            KbConfig config, Map<String, String> texts) {
        Chunker chunker = Chunker.forConfig(config);
        Map<String, List<String>> expected = new TreeMap<>();
        texts.forEach(
                (id, text) ->
                        expected.put(id, chunker.chunk(text).stream().map(Chunk::text).toList()));
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
     * The production sink, failing once when armed: at the first checkpoint (its flush before the
     * barrier) after which second-wave documents were written to the shards, it throws after the
     * writes, so the checkpoint never completes and the restart replays documents already written.
     * Static state: the MiniCluster runs the writers in this JVM.
     */
    static final class FailAfterWritesBeforeCheckpoint implements Sink<IndexOp> {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final Set<String> WRITTEN_BEFORE = ConcurrentHashMap.newKeySet();
        private static final Set<String> WRITTEN_AFTER = ConcurrentHashMap.newKeySet();

        private final ShardedIndexSink sink;

        FailAfterWritesBeforeCheckpoint(KbConfig config) {
            this.sink = new ShardedIndexSink(config);
        }

        static void reset() {
            ARMED.set(false);
            FAILED.set(false);
            WRITTEN_BEFORE.clear();
            WRITTEN_AFTER.clear();
        }

        /** Documents written again after the failure. */
        static Set<String> replayed() {
            return Set.copyOf(WRITTEN_AFTER);
        }

        @Override
        public SinkWriter<IndexOp> createWriter(WriterInitContext context) throws IOException {
            return failing(sink.createWriter(context));
        }

        @Override
        @SuppressWarnings("deprecation")
        public SinkWriter<IndexOp> createWriter(InitContext context) throws IOException {
            return failing(sink.createWriter(context));
        }

        private static SinkWriter<IndexOp> failing(SinkWriter<IndexOp> writer) {
            return new SinkWriter<>() {
                // upserts handed to the writer since the last barrier
                private final List<String> sinceBarrier = new ArrayList<>();

                @Override
                public void write(IndexOp op, Context context)
                        throws IOException, InterruptedException {
                    writer.write(op, context);
                    if (op.kind == IndexOp.Kind.UPSERT) {
                        sinceBarrier.add(op.documentKey());
                        if (FAILED.get()) {
                            WRITTEN_AFTER.add(op.documentKey());
                        }
                    }
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    writer.flush(endOfInput); // everything since the barrier is on the shards now
                    if (!endOfInput
                            && ARMED.get()
                            && !sinceBarrier.isEmpty()
                            && FAILED.compareAndSet(false, true)) {
                        WRITTEN_BEFORE.addAll(sinceBarrier);
                        throw new IllegalStateException(
                                "injected failure after writing "
                                        + sinceBarrier.size()
                                        + " documents, before the checkpoint completes");
                    }
                    sinceBarrier.clear();
                }

                @Override
                public void close() throws Exception {
                    writer.close();
                }
            };
        }
    }
}
