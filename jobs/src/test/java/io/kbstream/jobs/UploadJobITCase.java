package io.kbstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.testing.LocalStackConfig;
import io.kbstream.jobs.records.DocumentEventDeserializer;
import io.kbstream.schemas.AvroSerde;
import io.kbstream.schemas.DocumentEvent;
import io.kbstream.schemas.DocumentVersions;
import io.kbstream.schemas.EventKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link UploadJob}: files and BEIR lines in, DocumentEvents on a real topic out. */
class UploadJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @TempDir Path folder;

    @Test
    void every_file_of_a_folder_becomes_one_document_event_with_its_content_type()
            throws Exception {
        Files.createDirectories(folder.resolve("notes"));
        Files.writeString(folder.resolve("readme.md"), "# Title\n\nSome markdown.");
        Files.writeString(folder.resolve("notes/plain.txt"), "plain text");
        Files.writeString(folder.resolve("page.html"), "<html><body><p>hello</p></body></html>");

        Map<String, DocumentEvent> events = upload(folder.toString(), 3);

        assertThat(events).containsOnlyKeys("readme.md", "notes/plain.txt", "page.html");
        assertThat(events.get("readme.md").getContentType()).isEqualTo("text/markdown");
        assertThat(events.get("notes/plain.txt").getContentType()).isEqualTo("text/plain");
        assertThat(events.get("page.html").getContentType()).isEqualTo("text/html");
        assertThat(
                        StandardCharsets.UTF_8
                                .decode(events.get("notes/plain.txt").getContent())
                                .toString())
                .isEqualTo("plain text");
    }

    @Test
    void every_line_of_a_beir_corpus_becomes_a_document_with_its_id_and_title() throws Exception {
        Path corpus = folder.resolve("corpus.jsonl");
        Files.writeString(
                corpus,
                "{\"_id\": \"4983\", \"title\": \"Microstructural development\", \"text\": \"Alterations of the architecture.\"}\n"
                        + "\n"
                        + "{\"_id\": \"5836\", \"title\": \"Induction of myelodysplasia\", \"text\": \"Myelodysplastic syndromes.\"}\n");

        Map<String, DocumentEvent> events = upload(corpus.toString(), 2);

        assertThat(events).containsOnlyKeys("4983", "5836");
        assertThat(events.get("5836").getTitle()).isEqualTo("Induction of myelodysplasia");
        assertThat(StandardCharsets.UTF_8.decode(events.get("4983").getContent()).toString())
                .isEqualTo("Alterations of the architecture.");
    }

    /** Runs the bounded job to completion, then reads back what it wrote. */
    private static Map<String, DocumentEvent> upload(String input, int expected) throws Exception {
        String tenant = LocalStackConfig.uniqueTenant("upload");
        String topic = "kb.test." + tenant;
        KbConfig config = LocalStackConfig.load().with(KafkaOptions.TOPIC_DOCUMENTS, topic);
        LocalStackConfig.ensureTopic(config, topic, 2);

        UploadJob.toKafka(config, tenant, input)
                .execute(StreamExecutionEnvironment.getExecutionEnvironment());

        AvroSerde<DocumentEvent> serde = AvroSerde.documentEvents();
        Map<String, DocumentEvent> events = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.consumer(config, "upload-it-" + UUID.randomUUID())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (events.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(300))) {
                    DocumentEvent event = serde.deserialize(record.value());
                    assertThat(event.getTenant()).isEqualTo(tenant);
                    assertThat(new String(record.key(), StandardCharsets.UTF_8))
                            .isEqualTo(EventKeys.documentKey(tenant, event.getDocumentId()));
                    // the version is the log's, as for an API upload: the indexing job reads it
                    assertThat(event.getVersion()).isEqualTo(DocumentVersions.UNASSIGNED);
                    assertThat(
                                    DocumentEventDeserializer.decode(
                                                    serde,
                                                    record.key(),
                                                    record.value(),
                                                    h -> null,
                                                    record.offset())
                                            .version)
                            .isEqualTo(DocumentVersions.ofOffset(record.offset()));
                    events.put(event.getDocumentId(), event);
                }
            }
        }
        return events;
    }
}
