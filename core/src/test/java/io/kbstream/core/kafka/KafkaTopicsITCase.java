package io.kbstream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.testing.LocalStackConfig;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** Tests for {@link KafkaTopics} against the local stack's broker. */
class KafkaTopicsITCase {

    private final KbConfig config = LocalStackConfig.load();

    @Test
    void the_stacks_documents_topic_is_compacted_and_keeps_tombstones_seven_days()
            throws Exception {
        try (Admin admin = KafkaClients.admin(config)) {
            Config topic = configOf(admin, config.get(KafkaOptions.TOPIC_DOCUMENTS));

            assertThat(topic.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(topic.get("delete.retention.ms").value()).isEqualTo("604800000");
        }
    }

    @Test
    void an_existing_topic_that_deletes_by_age_is_altered_to_compacted_once() throws Exception {
        String name = "kb.test.topics-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = KafkaClients.admin(config)) {
            // as kb.documents was created before compaction: Kafka's defaults
            admin.createTopics(List.of(new NewTopic(name, 2, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            KafkaTopics.awaitKnown(admin, List.of(name));
            assertThat(configOf(admin, name).get("cleanup.policy").value()).isEqualTo("delete");
            List<KafkaTopics.Topic> wanted =
                    List.of(new KafkaTopics.Topic(name, 2, KafkaTopics.documentsConfigs(config)));

            List<String> first = KafkaTopics.ensure(admin, wanted);
            List<String> second = KafkaTopics.ensure(admin, wanted);

            assertThat(first).containsExactly(name);
            assertThat(second).isEmpty();
            Config now = configOf(admin, name);
            assertThat(now.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(now.get("delete.retention.ms").value()).isEqualTo("604800000");
            assertThat(admin.describeTopics(List.of(name)).allTopicNames().get().get(name))
                    .extracting(t -> t.partitions().size())
                    .isEqualTo(2);
        } finally {
            try (Admin admin = KafkaClients.admin(config)) {
                admin.deleteTopics(List.of(name)).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void a_missing_topic_is_created_with_its_configs() throws Exception {
        String name = "kb.test.topics-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = KafkaClients.admin(config)) {
            List<String> altered =
                    KafkaTopics.ensure(
                            admin,
                            List.of(
                                    new KafkaTopics.Topic(
                                            name, 1, KafkaTopics.documentsConfigs(config))));

            assertThat(altered).isEmpty();
            assertThat(configOf(admin, name).get("cleanup.policy").value()).isEqualTo("compact");
        } finally {
            try (Admin admin = KafkaClients.admin(config)) {
                admin.deleteTopics(List.of(name)).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Config configOf(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource))
                .all()
                .get(10, TimeUnit.SECONDS)
                .get(resource);
    }
}
