package io.kbstream.core.kafka;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topics kb-stream writes, with their partitions and configs, and the one way they are made to
 * exist: created when missing, and an existing topic's configs brought to what is declared here (so
 * an installation whose {@code kb.documents} predates compaction is altered in place, never
 * recreated: recreating it would restart its offsets, the documents' versions).
 */
public final class KafkaTopics {

    private KafkaTopics() {}

    /** A topic as kb-stream wants it. */
    public record Topic(String name, int partitions, Map<String, String> configs) {}

    /**
     * {@code kb.documents} is the event store: compacted, so the latest event of each document
     * (key) is kept for as long as the installation lives, and a rebuild can replay it; a delete is
     * a tombstone, kept {@link KafkaOptions#DOCUMENTS_DELETE_RETENTION} after compaction. Offsets
     * survive compaction, so the versions they give stay valid.
     */
    public static Map<String, String> documentsConfigs(KbConfig config) {
        return Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.DELETE_RETENTION_MS_CONFIG,
                Long.toString(config.get(KafkaOptions.DOCUMENTS_DELETE_RETENTION).toMillis()));
    }

    /**
     * Every topic: documents and statuses with {@code partitions}, dead letters and tenant events
     * with one.
     */
    public static List<Topic> all(KbConfig config, int partitions) {
        return List.of(
                new Topic(
                        config.get(KafkaOptions.TOPIC_DOCUMENTS),
                        partitions,
                        documentsConfigs(config)),
                new Topic(config.get(KafkaOptions.TOPIC_STATUS), partitions, Map.of()),
                new Topic(config.get(KafkaOptions.TOPIC_DLQ), 1, Map.of()),
                new Topic(config.get(KafkaOptions.TOPIC_TENANT_EVENTS), 1, Map.of()));
    }

    /**
     * Creates the missing topics and sets the declared configs on the existing ones where they
     * differ; a second call changes nothing. Partitions of an existing topic are left alone.
     *
     * @return the names of the existing topics whose configs were changed
     */
    public static List<String> ensure(Admin admin, Collection<Topic> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        Map<ConfigResource, Topic> present = new HashMap<>();
        for (Topic t : topics) {
            if (existing.contains(t.name())) {
                present.put(new ConfigResource(ConfigResource.Type.TOPIC, t.name()), t);
            } else {
                missing.add(new NewTopic(t.name(), t.partitions(), (short) 1).configs(t.configs()));
            }
        }
        if (!missing.isEmpty()) {
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            awaitKnown(admin, missing.stream().map(NewTopic::name).toList());
        }
        List<String> altered = new ArrayList<>();
        if (present.isEmpty()) {
            return altered;
        }
        Map<ConfigResource, Config> now =
                admin.describeConfigs(present.keySet()).all().get(10, TimeUnit.SECONDS);
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        present.forEach(
                (resource, topic) -> {
                    List<AlterConfigOp> ops = new ArrayList<>();
                    topic.configs()
                            .forEach(
                                    (name, value) -> {
                                        ConfigEntry entry = now.get(resource).get(name);
                                        if (entry == null || !value.equals(entry.value())) {
                                            ops.add(
                                                    new AlterConfigOp(
                                                            new ConfigEntry(name, value),
                                                            AlterConfigOp.OpType.SET));
                                        }
                                    });
                    if (!ops.isEmpty()) {
                        changes.put(resource, ops);
                        altered.add(topic.name());
                    }
                });
        if (!changes.isEmpty()) {
            admin.incrementalAlterConfigs(changes).all().get(30, TimeUnit.SECONDS);
        }
        return altered;
    }

    /**
     * Waits until the broker describes the named topics. {@code createTopics} completes once the
     * controller has them; the broker's metadata may lag a moment behind, and until then it answers
     * for the topics with {@link UnknownTopicOrPartitionException} (seen in CI right after a
     * create), so a caller of {@link #ensure} could not yet use what it created.
     */
    public static void awaitKnown(Admin admin, Collection<String> names)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<ConfigResource> resources =
                names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
