package io.kbstream.core.testing;

import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.RedisOptions;
import io.kbstream.core.config.StackOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.UUID;

/**
 * The config of the local stack for integration tests ({@code ./kb test} starts the stack first).
 * Fails loudly, never skips, when a service is not reachable.
 */
public final class LocalStackConfig {

    private LocalStackConfig() {}

    /** Loads the project's config and checks Redis, Kafka and every shard answer on their ports. */
    public static KbConfig load() {
        KbConfig config = KbConfig.load();
        requireOpen("redis", config.get(RedisOptions.HOST), config.get(RedisOptions.PORT));
        String[] kafka = config.get(KafkaOptions.BOOTSTRAP).split(",")[0].split(":");
        requireOpen("kafka", kafka[0], Integer.parseInt(kafka[1]));
        int base = config.get(StackOptions.PORT_BASE);
        for (int i = 0; i < config.get(PostgresOptions.SHARDS).size(); i++) {
            requireOpen("postgres shard " + i, "127.0.0.1", base + i);
        }
        return config;
    }

    /** Creates a topic on the local broker unless it exists (the broker never auto-creates). */
    public static void ensureTopic(KbConfig config, String topic, int partitions) {
        java.util.Properties props = new java.util.Properties();
        props.put(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.get(KafkaOptions.BOOTSTRAP));
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(props)) {
            if (!admin.listTopics()
                    .names()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS)
                    .contains(topic)) {
                admin.createTopics(
                                java.util.List.of(
                                        new org.apache.kafka.clients.admin.NewTopic(
                                                topic, partitions, (short) 1)))
                        .all()
                        .get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic, e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic, e);
        }
    }

    /** A tenant id no other test run uses, so tests never see each other's data. */
    public static String uniqueTenant(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void requireOpen(String what, String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
        } catch (IOException e) {
            throw new IllegalStateException(
                    what
                            + " is not reachable at "
                            + host
                            + ":"
                            + port
                            + " — integration tests need the local stack: ./kb stack up",
                    e);
        }
    }
}
