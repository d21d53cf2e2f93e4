package io.kbstream.jobs.testing;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.testing.Bm25Audit;
import io.kbstream.core.testing.LocalStackConfig;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentEvents;
import io.kbstream.schemas.DocumentVersions;
import io.kbstream.schemas.EventKeys;
import io.kbstream.schemas.EventType;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One test's private corner of the local stack: its own tenant and its own documents topic, so
 * tests never see each other's data. Produces events and reads back what the shards hold.
 */
public final class JobFixture {

    private final KbConfig config;
    private final String tenant;
    private final String topic;
    private final AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();

    private JobFixture(KbConfig config, String tenant, String topic) {
        this.config = config;
        this.tenant = tenant;
        this.topic = topic;
    }

    /**
     * A fresh tenant, a fresh 2-partition documents topic and its own tenant-events topic;
     * checkpoints under {@code checkpoints}.
     */
    public static JobFixture create(String name, java.nio.file.Path checkpoints) throws Exception {
        String tenant = LocalStackConfig.uniqueTenant(name);
        String topic = "kb.test." + tenant;
        KbConfig config =
                LocalStackConfig.load()
                        .with(KafkaOptions.TOPIC_DOCUMENTS, topic)
                        .with(KafkaOptions.TOPIC_TENANT_EVENTS, topic + ".tenants")
                        .with(PipelineOptions.CONSUMER_GROUP, "kb-test-" + tenant)
                        .with(PipelineOptions.CHECKPOINT_DIR, checkpoints.toUri().toString())
                        .with(PipelineOptions.CHECKPOINT_INTERVAL, "200")
                        .with(PipelineOptions.RESTART_DELAY, "200");
        LocalStackConfig.ensureTopic(config, topic, 2);
        LocalStackConfig.ensureTopic(config, topic + ".tenants", 1);
        return new JobFixture(config, tenant, topic);
    }

    public KbConfig config() {
        return config;
    }

    public String tenant() {
        return tenant;
    }

    public static DocumentEvent upsert(String tenant, String id, String text) {
        return event(
                tenant, id, EventType.UPSERT, text.getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    public static DocumentEvent event(
            String tenant, String id, EventType type, byte[] content, String contentType) {
        if (type == EventType.DELETE) {
            return DocumentEvents.delete(tenant, id, Instant.now());
        }
        return DocumentEvents.upsert(
                tenant,
                id,
                "Title of " + id,
                content,
                contentType,
                Map.of("source", "test"),
                Instant.now());
    }

    /**
     * Sends events in order (same document → same partition, so their order holds) and returns the
     * version each got: where Kafka stored it.
     */
    public List<Long> send(List<DocumentEvent> events) throws Exception {
        List<Long> versions = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                KafkaClients.producer(config, "job-fixture")) {
            for (DocumentEvent e : events) {
                long offset =
                        producer.send(KafkaClients.documentRecord(topic, serde, e)).get().offset();
                versions.add(DocumentVersions.ofOffset(offset));
            }
        }
        return versions;
    }

    /** Sends raw bytes as a record value (for undecodable-input tests). */
    public void sendRaw(String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                KafkaClients.producer(config, "job-fixture")) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
                    .get();
        }
    }

    /** docId → its chunk texts in chunk order, over all shards, for this tenant. */
    public Map<String, List<String>> chunksByDocument() throws SQLException {
        return chunksByDocument(config.get(PostgresOptions.SHARDS));
    }

    /** As {@link #chunksByDocument()}, over the shards at {@code shards} (JDBC URLs). */
    public Map<String, List<String>> chunksByDocument(List<String> shards) throws SQLException {
        return chunksByDocument(tenant, shards);
    }

    /** As {@link #chunksByDocument(List)}, for {@code tenant}. */
    public Map<String, List<String>> chunksByDocument(String tenant, List<String> shards)
            throws SQLException {
        Map<String, List<String>> out = new TreeMap<>();
        for (String url : shards) {
            try (Connection c = connect(url);
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT doc_id, text FROM chunks WHERE tenant = ? ORDER BY doc_id, chunk_no")) {
                st.setString(1, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                                .add(rs.getString(2));
                    }
                }
            }
        }
        return out;
    }

    /**
     * How this tenant's BM25 statistics differ, on any shard, from a recount of its chunks (see
     * {@link Bm25Audit}); empty when exact.
     */
    public List<String> bm25Differences() throws SQLException {
        List<String> out = new ArrayList<>();
        for (String url : config.get(PostgresOptions.SHARDS)) {
            try (Connection c = connect(url)) {
                Bm25Audit.differences(c, tenant).forEach(d -> out.add(url + ": " + d));
            }
        }
        return out;
    }

    /** docId → stored version, over all shards, for this tenant. */
    public Map<String, Long> documentVersions() throws SQLException {
        return documentVersions(config.get(PostgresOptions.SHARDS));
    }

    /** As {@link #documentVersions()}, over the shards at {@code shards} (JDBC URLs). */
    public Map<String, Long> documentVersions(List<String> shards) throws SQLException {
        return documentVersions(tenant, shards);
    }

    /** As {@link #documentVersions(List)}, for {@code tenant}. */
    public Map<String, Long> documentVersions(String tenant, List<String> shards)
            throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        for (String url : shards) {
            try (Connection c = connect(url);
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT id, version FROM documents WHERE tenant = ?")) {
                st.setString(1, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return out;
    }

    /** How many of this tenant's documents each shard holds. */
    public List<Integer> documentsPerShard() throws SQLException {
        List<Integer> counts = new ArrayList<>();
        for (String url : config.get(PostgresOptions.SHARDS)) {
            try (Connection c = connect(url);
                    PreparedStatement st =
                            c.prepareStatement("SELECT count(*) FROM documents WHERE tenant = ?")) {
                st.setString(1, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    counts.add(rs.getInt(1));
                }
            }
        }
        return counts;
    }

    /** Chunk texts of one document in chunk order. */
    public List<String> chunkTexts(String docId) throws SQLException {
        List<String> texts = new ArrayList<>();
        for (String url : config.get(PostgresOptions.SHARDS)) {
            try (Connection c = connect(url);
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT text FROM chunks WHERE tenant = ? AND doc_id = ? ORDER BY chunk_no")) {
                st.setString(1, tenant);
                st.setString(2, docId);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        texts.add(rs.getString(1));
                    }
                }
            }
        }
        return texts;
    }

    /** Dead letters of this tenant on the DLQ topic: key → reason header. */
    public Map<String, String> deadLetters(Duration wait) {
        Map<String, String> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.consumer(config, "dlq-reader-" + UUID.randomUUID())) {
            consumer.subscribe(List.of(config.get(KafkaOptions.TOPIC_DLQ)));
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                    if (key.startsWith(EventKeys.documentKey(tenant, ""))) {
                        var reason = r.headers().lastHeader("kb.reason");
                        out.put(
                                key,
                                reason == null
                                        ? ""
                                        : new String(reason.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return out;
    }

    private Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(
                url, config.get(PostgresOptions.USER), config.get(PostgresOptions.PASSWORD));
    }
}
