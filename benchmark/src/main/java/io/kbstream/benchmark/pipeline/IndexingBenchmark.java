package io.kbstream.benchmark.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kbstream.core.chunk.Chunk;
import io.kbstream.core.chunk.Chunker;
import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.StackOptions;
import io.kbstream.core.embed.Embedder;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.jobs.IndexingJob;
import io.kbstream.jobs.records.DocumentCommand;
import io.kbstream.jobs.records.DocumentEventDeserializer;
import io.kbstream.jobs.sink.ShardedIndexSink;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentEvents;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * End-to-end indexing throughput on a BEIR corpus, in one run: (a) the embedder alone on the very
 * chunks the pipeline makes — the model-bound ceiling; (b) the IndexingJob on a local MiniCluster
 * from a Kafka topic holding the corpus to the last committed shard write; (c) the same job with
 * embedding batch size 1. Writes {@code benchmark/results/indexing.json}.
 *
 * <p>Usage: {@code IndexingBenchmark --corpus PATH [--limit N] [--out FILE] [--batch1 false]};
 * needs the local stack ({@code ./kb stack up}), whose shards must hold the configured model's
 * vectors (another model needs its own stack). Each pipeline run uses its own tenant and topic,
 * deleted after.
 */
public final class IndexingBenchmark {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private IndexingBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path corpus = Path.of(opt.getOrDefault("corpus", "../shared/data/scifact/corpus.jsonl"));
        int limit = Integer.parseInt(opt.getOrDefault("limit", "1000000"));
        Path out = Path.of(opt.getOrDefault("out", "benchmark/results/indexing.json"));
        boolean batch1 = Boolean.parseBoolean(opt.getOrDefault("batch1", "true"));
        KbConfig config = KbConfig.load();
        List<String[]> docs = readCorpus(corpus, limit);
        System.out.printf("corpus: %d documents from %s%n", docs.size(), corpus);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("machine", machine());
        result.put("loadAverageBefore", Files.readString(Path.of("/proc/loadavg")).trim());
        result.put("model", config.get(EmbeddingOptions.MODEL));
        result.put("documents", docs.size());
        Run ceiling = embedderAlone(config, docs);
        result.put("embedderAlone", ceiling);
        Run batched = pipeline(config, docs, config.get(PipelineOptions.EMBED_BATCH_SIZE));
        result.put("pipeline", batched);
        Run single = batch1 ? pipeline(config, docs, 1) : null;
        result.put("efficiency", batched.chunksPerSecond() / ceiling.chunksPerSecond());
        result.put("steadyEfficiency", batched.steadyChunksPerSecond() / ceiling.chunksPerSecond());
        result.put(
                "efficiencyNote",
                "efficiency: whole job run (start-up included) ÷ embedder alone, chunks/s;"
                        + " steadyEfficiency: from the first committed chunk to the end");
        if (single != null) {
            result.put("pipelineBatch1", single);
            result.put("batchingGain", batched.chunksPerSecond() / single.chunksPerSecond());
        }
        result.put("documentsPerHour", batched.documentsPerSecond() * 3600);
        result.put(
                "steadyDocumentsPerHour",
                batched.steadyChunksPerSecond() * docs.size() / batched.chunks() * 3600);
        result.put("loadAverageAfter", Files.readString(Path.of("/proc/loadavg")).trim());
        Files.createDirectories(out.toAbsolutePath().getParent());
        JSON.writeValue(out.toFile(), result);

        System.out.println();
        System.out.println("| run | documents/s | chunks/s | seconds |");
        System.out.println("|---|---:|---:|---:|");
        for (Run run :
                single == null ? List.of(ceiling, batched) : List.of(ceiling, batched, single)) {
            System.out.printf(
                    "| %s | %.1f | %.1f | %.1f |%n",
                    run.name(), run.documentsPerSecond(), run.chunksPerSecond(), run.seconds());
        }
        System.out.printf(
                "%nsteady efficiency (after the first commit): %.2f, %.0f documents/hour%n",
                (double) result.get("steadyEfficiency"),
                (double) result.get("steadyDocumentsPerHour"));
        System.out.printf(
                "efficiency (pipeline ÷ embedder alone): %.2f; batching gain (batch %d ÷ batch 1): %s;"
                        + " %.0f documents/hour (target 100,000)%n",
                (double) result.get("efficiency"),
                config.get(PipelineOptions.EMBED_BATCH_SIZE),
                single == null
                        ? "not measured"
                        : String.format("%.2fx", (double) result.get("batchingGain")),
                (double) result.get("documentsPerHour"));
        System.out.println("written to " + out);
        System.exit(0); // Flink's and DJL's non-daemon threads would keep the JVM alive
    }

    /**
     * One measured run.
     *
     * @param steadyChunksPerSecond for a pipeline run, chunks/s from its first committed chunk to
     *     the end (job start-up left out: a running job pays it once); for the embedder alone, the
     *     same as {@link #chunksPerSecond()}
     */
    public record Run(
            String name, int documents, long chunks, double seconds, double steadyChunksPerSecond) {
        public double documentsPerSecond() {
            return documents / seconds;
        }

        public double chunksPerSecond() {
            return chunks / seconds;
        }
    }

    /** The ceiling: chunk with the same chunker, then embed every chunk in batches, one caller. */
    public static Run embedderAlone(KbConfig config, List<String[]> docs) {
        Chunker chunker = Chunker.forConfig(config);
        Embedder embedder = Embedders.shared(config);
        embedder.embed(List.of("warm up the model")); // loading is not throughput
        int batchSize = config.get(PipelineOptions.EMBED_BATCH_SIZE);
        long start = System.nanoTime();
        List<String> batch = new ArrayList<>(batchSize);
        long chunks = 0;
        for (String[] doc : docs) {
            for (Chunk chunk : chunker.chunk(doc[2])) {
                batch.add(chunk.text());
                chunks++;
                if (batch.size() == batchSize) {
                    embedder.embed(batch);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            embedder.embed(batch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Run run =
                new Run(
                        "embedder alone (batch " + batchSize + ")",
                        docs.size(),
                        chunks,
                        seconds,
                        chunks / seconds);
        System.out.printf("%s: %.1f chunks/s%n", run.name(), run.chunksPerSecond());
        return run;
    }

    /** The IndexingJob over a topic already holding every document, until all are written. */
    static Run pipeline(KbConfig base, List<String[]> docs, int embedBatch) throws Exception {
        String tenant = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = "kb.bench." + tenant;
        KbConfig config =
                base.with(KafkaOptions.TOPIC_DOCUMENTS, topic)
                        .with(PipelineOptions.CONSUMER_GROUP, "kb-bench-" + tenant)
                        .with(PipelineOptions.EMBED_BATCH_SIZE, Integer.toString(embedBatch))
                        .with(
                                PipelineOptions.CHECKPOINT_DIR,
                                Files.createTempDirectory("kb-bench-ckpt").toUri().toString());
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaOptions.BOOTSTRAP));
        try (Admin kafka = Admin.create(admin)) {
            kafka.createTopics(
                            List.of(
                                    new NewTopic(
                                            topic,
                                            config.get(StackOptions.KAFKA_PARTITIONS),
                                            (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();
        // The API's short send timeout is for answering 503 fast; a bulk load on a busy machine
        // waits instead, and every send is checked: a lost record would read as a lost document.
        KbConfig loader = config.with(KafkaOptions.SEND_TIMEOUT, "PT2M");
        List<Future<RecordMetadata>> sends = new ArrayList<>(docs.size());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(loader, "kb-bench")) {
            for (String[] doc : docs) {
                DocumentEvent event =
                        DocumentEvents.upsert(
                                tenant,
                                doc[0],
                                doc[1],
                                doc[2].getBytes(StandardCharsets.UTF_8),
                                "text/plain",
                                Map.of(),
                                Instant.now());
                sends.add(producer.send(KafkaClients.documentRecord(topic, serde, event)));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get(); // throws if Kafka did not take the record
            }
        }
        KafkaSource<DocumentCommand> source =
                KafkaSource.<DocumentCommand>builder()
                        .setBootstrapServers(config.get(KafkaOptions.BOOTSTRAP))
                        .setTopics(topic)
                        .setGroupId(config.get(PipelineOptions.CONSUMER_GROUP))
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.latest())
                        .setDeserializer(new DocumentEventDeserializer())
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
        IndexingJob.configure(env, config);
        long start = System.nanoTime();
        long[] firstCommit = {-1, 0}; // nanos, chunks then
        double seconds;
        try (ShardedStore store = ShardedStore.open(config)) {
            // samples the shards until the first chunk is committed: where start-up ends
            Thread sampler =
                    new Thread(
                            () -> {
                                while (firstCommit[0] < 0 && !Thread.interrupted()) {
                                    long n = chunks(store, tenant);
                                    if (n > 0) {
                                        firstCommit[1] = n;
                                        firstCommit[0] = System.nanoTime();
                                        return;
                                    }
                                    try {
                                        Thread.sleep(100);
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                }
                            },
                            "kb-bench-first-commit");
            sampler.start();
            new IndexingJob(
                            config,
                            source,
                            new ShardedIndexSink(config),
                            IndexingJob.deadLetterSink(config),
                            op -> op)
                    .execute(env);
            seconds = (System.nanoTime() - start) / 1e9;
            sampler.interrupt();
            sampler.join();
        }
        long end = start + (long) (seconds * 1e9);
        long chunks = 0;
        long documents = 0;
        try (ShardedStore store = ShardedStore.open(config)) {
            for (int shard = 0; shard < store.shardCount(); shard++) {
                chunks += store.countChunks(shard, tenant);
                documents += store.countDocuments(shard, tenant);
            }
            store.deleteTenant(tenant);
        }
        try (Admin kafka = Admin.create(admin)) {
            kafka.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
        if (documents != docs.size()) {
            throw new IllegalStateException(
                    "pipeline indexed " + documents + " of " + docs.size() + " documents");
        }
        Run run =
                new Run(
                        "pipeline (embed batch "
                                + embedBatch
                                + ", parallelism "
                                + config.get(PipelineOptions.PARALLELISM)
                                + ")",
                        docs.size(),
                        chunks,
                        seconds,
                        firstCommit[0] < 0
                                ? Double.NaN
                                : (chunks - firstCommit[1]) / ((end - firstCommit[0]) / 1e9));
        System.out.printf(
                "%s: %.1f documents/s, %.1f chunks/s, %.1f chunks/s after the first commit%n",
                run.name(),
                run.documentsPerSecond(),
                run.chunksPerSecond(),
                run.steadyChunksPerSecond());
        return run;
    }

    private static long chunks(ShardedStore store, String tenant) {
        long n = 0;
        for (int shard = 0; shard < store.shardCount(); shard++) {
            n += store.countChunks(shard, tenant);
        }
        return n;
    }

    /** {_id, title, text} of the first {@code limit} corpus lines. */
    public static List<String[]> readCorpus(Path corpus, int limit) throws Exception {
        List<String[]> docs = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null && docs.size() < limit) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode doc = JSON.readTree(line);
                docs.add(
                        new String[] {
                            doc.path("_id").asText(),
                            doc.path("title").asText(),
                            doc.path("text").asText()
                        });
            }
        }
        return docs;
    }

    /** Cores, CPU model and memory of this machine, recorded beside measured figures. */
    public static Map<String, Object> machine() throws Exception {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        String model =
                Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(l -> l.startsWith("model name"))
                        .findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .orElse("unknown");
        machine.put("cpu", model);
        String mem =
                Files.readAllLines(Path.of("/proc/meminfo")).stream()
                        .filter(l -> l.startsWith("MemTotal"))
                        .findFirst()
                        .orElse("");
        machine.put("memory", mem.replaceAll("\\s+", " "));
        return machine;
    }
}
