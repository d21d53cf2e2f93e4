package io.kbstream.benchmark.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kbstream.api.ApiKeys;
import io.kbstream.api.ApiServer;
import io.kbstream.client.ApiClient;
import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.testing.LocalStackConfig;
import io.kbstream.jobs.testing.PipelineRunner;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for {@link Evaluation} on a CI-sized SciFact subset: the judged documents of the first
 * {@value #QUERIES} train claims plus unjudged distractors up to {@value #DOCUMENTS} documents,
 * uploaded through a real API into the real IndexingJob (own tenant, own documents topic), searched
 * in all three modes and scored. Skipped, with a message, only when the shared data is absent.
 */
class EvalSubsetITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final int QUERIES = 40;
    static final int DOCUMENTS = 200;

    @TempDir Path subset;

    @Test
    void a_scifact_subset_through_the_real_pipeline_scores_far_above_chance_in_every_mode()
            throws Exception {
        Path scifact =
                Path.of(
                                System.getProperty(
                                        "kb.eval.scifact",
                                        KbConfig.home()
                                                .resolve("../shared/data/scifact")
                                                .toString()))
                        .normalize();
        assumeTrue(
                Files.isRegularFile(scifact.resolve("qrels/train.tsv")),
                "SciFact is not at "
                        + scifact
                        + " (set -Dkb.eval.scifact=DIR): skipping the eval ITCase");
        writeSubset(scifact, subset);
        BeirDataset data = BeirDataset.load(subset, "train");
        assertThat(data.queries()).hasSize(QUERIES);
        assertThat(data.corpus()).hasSize(DOCUMENTS);

        String tenant = LocalStackConfig.uniqueTenant("eval");
        String key = ApiKeys.mint();
        String topic = "kb.documents.eval-it-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> values = new LinkedHashMap<>(LocalStackConfig.load().explicitValues());
        values.put(ApiOptions.KEYS.key(), ApiKeys.configEntry(tenant, key));
        values.put(KafkaOptions.TOPIC_DOCUMENTS.key(), topic);
        KbConfig config = KbConfig.of(values);
        createTopic(config, topic);
        ApiServer server = ApiServer.create(config).start(0);
        PipelineRunner pipeline = PipelineRunner.start(config);
        try (ShardedStore store = ShardedStore.open(config)) {
            try {
                Evaluation eval =
                        new Evaluation(
                                data,
                                ApiClient.of("http://127.0.0.1:" + server.port(), key),
                                () -> count(store, tenant),
                                System.out);
                assertThat(eval.index(Duration.ofMinutes(2))).as("uploaded").isTrue();
                assertThat(eval.index(Duration.ofMinutes(2)))
                        .as("a re-run skips the upload")
                        .isFalse();

                Map<String, Metrics> m = new LinkedHashMap<>();
                for (String mode : List.of("vector", "keyword", "hybrid")) {
                    Evaluation.ModeResult r = eval.search(mode, 100);
                    m.put(mode, r.metrics());
                    assertThat(r.latencies().count()).isEqualTo(QUERIES);
                    assertThat(r.partial()).isZero();
                    System.out.println(mode + " " + r.metrics());
                }
                for (Metrics x : m.values()) {
                    assertThat(x.queries()).isEqualTo(QUERIES);
                    // chance: ~1.3 relevant documents among 200 → nDCG@10 of a random order ≈ 0.02
                    assertThat(x.ndcg10()).isBetween(0.35, 1.0);
                    assertThat(x.mrr10()).isBetween(0.3, 1.0);
                    assertThat(x.recall100()).isBetween(x.ndcg10() - 1e-9, 1.0);
                }
                double weaker = Math.min(m.get("vector").ndcg10(), m.get("keyword").ndcg10());
                assertThat(m.get("hybrid").ndcg10()).isGreaterThanOrEqualTo(weaker);
            } finally {
                pipeline.close();
                server.stop();
                store.deleteTenant(tenant);
                deleteTopic(config, topic);
            }
        }
    }

    /** The first QUERIES judged claims, their judged documents, and distractors up to DOCUMENTS. */
    private static void writeSubset(Path scifact, Path into) throws Exception {
        Qrels all = Qrels.load(scifact.resolve("qrels/train.tsv"));
        Set<String> queries = new LinkedHashSet<>();
        Set<String> docs = new LinkedHashSet<>();
        for (String q : all.queryIds()) {
            if (queries.size() == QUERIES) {
                break;
            }
            queries.add(q);
            docs.addAll(all.of(q).keySet());
        }
        Files.createDirectories(into.resolve("qrels"));
        try (BufferedWriter qrels = Files.newBufferedWriter(into.resolve("qrels/train.tsv"))) {
            qrels.write("query-id\tcorpus-id\tscore\n");
            for (String q : queries) {
                for (Map.Entry<String, Integer> e : all.of(q).entrySet()) {
                    qrels.write(q + "\t" + e.getKey() + "\t" + e.getValue() + "\n");
                }
            }
        }
        List<String> corpus = new ArrayList<>();
        List<String> distractors = new ArrayList<>();
        try (BufferedReader in =
                Files.newBufferedReader(scifact.resolve("corpus.jsonl"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                String id = JSON.readTree(line).path("_id").asText();
                if (docs.contains(id)) {
                    corpus.add(line);
                } else if (distractors.size() < DOCUMENTS) {
                    distractors.add(line);
                }
            }
        }
        corpus.addAll(distractors.subList(0, DOCUMENTS - corpus.size()));
        Files.write(into.resolve("corpus.jsonl"), corpus, StandardCharsets.UTF_8);
        List<String> queryLines = new ArrayList<>();
        try (BufferedReader in =
                Files.newBufferedReader(scifact.resolve("queries.jsonl"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                String id = JSON.readTree(line).path("_id").asText();
                if (queries.contains(id)) {
                    queryLines.add(line);
                }
            }
        }
        Files.write(into.resolve("queries.jsonl"), queryLines, StandardCharsets.UTF_8);
    }

    private static long count(ShardedStore store, String tenant) {
        long n = 0;
        for (int s = 0; s < store.shardCount(); s++) {
            n += store.countDocuments(s, tenant);
        }
        return n;
    }

    private static Admin admin(KbConfig config) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(KafkaOptions.BOOTSTRAP));
        return Admin.create(props);
    }

    private static void createTopic(KbConfig config, String topic) throws Exception {
        try (Admin admin = admin(config)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static void deleteTopic(KbConfig config, String topic) throws Exception {
        try (Admin admin = admin(config)) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
    }
}
