package io.kbstream.stack;

import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KafkaOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.StackOptions;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.kafka.KafkaClients;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.TenantModels;
import io.kbstream.jobs.IndexingJob;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * {@code kb rebuild}: replays {@code kb.documents}, the event store, into an empty set of shards
 * ({@code kb.rebuild.shards}: any count, for instance new databases on the local stack's servers),
 * one tenant's documents or every tenant's, with each tenant's model or another one. The work is
 * the production {@link IndexingJob} on a local MiniCluster with fresh state, its own consumer
 * group, reading from the earliest offsets up to the end offsets of when it started; then it ends.
 * The live shards and the live job are not touched; Redis statuses and the status topic get the
 * same (idempotent) INDEXED statuses the live job wrote for the same versions.
 */
public final class LocalRebuild {

    private static final Pattern JDBC_URL =
            Pattern.compile("(jdbc:postgresql://[^/]+/)([^?/]+)(\\?.*)?");

    private final KbConfig config;

    /** How far the replay is: offsets committed by its checkpoints, of all to read. */
    public record Progress(long offsetsRead, long offsetsToRead) {}

    /**
     * What was rebuilt: the tenants and their models, the documents and chunks now in the target
     * shards, the end offsets the replay stopped at (committed to {@code consumerGroup}).
     */
    public record Summary(
            Map<String, String> models,
            List<String> shards,
            long documents,
            long chunks,
            long offsets,
            String consumerGroup,
            Duration took) {}

    /**
     * @param config the live installation's: its topic and brokers, its live shards
     */
    public LocalRebuild(KbConfig config) {
        this.config = config;
    }

    /**
     * Rebuilds {@code tenant} (null: every tenant with documents in the live shards) into the
     * shards of {@code kb.rebuild.shards}.
     *
     * @param model the model of every rebuilt tenant; null: each tenant's active model
     * @throws StackException when no target is given, a target is a live shard, or a target already
     *     holds documents of a rebuilt tenant
     */
    public Summary run(String tenant, String model, Consumer<Progress> progress) throws Exception {
        long started = System.nanoTime();
        List<String> targets = config.get(PipelineOptions.REBUILD_SHARDS);
        requireTargets(targets);
        for (String url : targets) {
            createDatabase(url);
        }
        String group = config.get(PipelineOptions.REBUILD_CONSUMER_GROUP);
        KbConfig target =
                config.with(PostgresOptions.SHARDS, String.join(",", targets))
                        // the targets have no replicas; searches of a rebuild are not served here
                        .with(PostgresOptions.REPLICAS, "")
                        .with(PipelineOptions.CONSUMER_GROUP, group)
                        // fresh state: never the live pipeline's checkpoints
                        .with(
                                PipelineOptions.CHECKPOINT_DIR,
                                Path.of(config.get(StackOptions.DATA_DIR), "flink", "rebuild")
                                        .toUri()
                                        .toString());
        Map<String, String> models = models(tenant, model);
        try (ShardedStore store = ShardedStore.open(target)) {
            requireEmpty(store, targets, tenant, models.keySet());
            // recorded before the job, which embeds each tenant with its recorded model
            for (Map.Entry<String, String> m : models.entrySet()) {
                store.ensureModel(
                        m.getValue(),
                        Embedders.shared(config, m.getValue()).modelInfo().dimension());
                store.setTenantModels(TenantModels.only(m.getKey(), m.getValue()));
            }
        }
        String topic = config.get(KafkaOptions.TOPIC_DOCUMENTS);
        Map<TopicPartition, Long> until = KafkaClients.endOffsets(config, topic);
        try (Admin admin = KafkaClients.admin(config)) {
            forget(admin, group);
            replay(target, tenant, until, admin, group, progress);
            // where the replay stopped: an indexing job over the targets continues from here
            Map<TopicPartition, OffsetAndMetadata> stopped = new HashMap<>();
            until.forEach((tp, offset) -> stopped.put(tp, new OffsetAndMetadata(offset)));
            admin.alterConsumerGroupOffsets(group, stopped).all().get(30, TimeUnit.SECONDS);
        }
        long documents = 0;
        long chunks = 0;
        try (ShardedStore store = ShardedStore.open(target)) {
            for (int s = 0; s < store.shardCount(); s++) {
                for (String t : models.keySet()) {
                    documents += store.countDocuments(s, t);
                    chunks += store.countChunks(s, t);
                }
            }
        }
        return new Summary(
                models,
                targets,
                documents,
                chunks,
                sum(until),
                group,
                Duration.ofNanos(System.nanoTime() - started));
    }

    private void requireTargets(List<String> targets) {
        if (targets.isEmpty()) {
            throw new StackException(
                    "no target shards to rebuild into",
                    "name them: kb rebuild --shards jdbc:postgresql://127.0.0.1:PORT/NEW_DB,..."
                            + " (or kb.rebuild.shards)");
        }
        List<String> live = config.get(PostgresOptions.SHARDS);
        for (String url : targets) {
            if (!JDBC_URL.matcher(url).matches()) {
                throw new StackException(
                        "target shard " + url + " is not a jdbc:postgresql://host:port/db URL",
                        "give each target as jdbc:postgresql://host:port/database");
            }
            if (live.contains(url)) {
                throw new StackException(
                        "target shard " + url + " is a live shard (kb.postgres.shards)",
                        "rebuild into other databases, e.g. "
                                + JDBC_URL.matcher(url).replaceFirst("$1$2_rebuild$3"));
            }
        }
        if (new TreeSet<>(targets).size() != targets.size()) {
            throw new StackException(
                    "a target shard is named twice", "give each target database once");
        }
    }

    private void createDatabase(String url) {
        Matcher m = JDBC_URL.matcher(url);
        m.matches();
        String server = m.group(1) + "postgres" + (m.group(3) == null ? "" : m.group(3));
        try {
            PostgresShard.ensureDatabase(
                    server,
                    config.get(PostgresOptions.USER),
                    config.get(PostgresOptions.PASSWORD),
                    m.group(2));
        } catch (SQLException e) {
            throw new StackException(
                    "cannot create the target database of " + url + ": " + e.getMessage(),
                    "check that its server runs (./kb stack status) and the kb user may create"
                            + " databases there",
                    e);
        }
    }

    /** tenant → the model it is rebuilt with. */
    private Map<String, String> models(String tenant, String model) {
        Map<String, String> models = new LinkedHashMap<>();
        try (ShardedStore live = ShardedStore.open(config)) {
            List<String> tenants = new ArrayList<>();
            if (tenant != null) {
                tenants.add(tenant);
            } else {
                TreeSet<String> all = new TreeSet<>();
                for (int s = 0; s < live.shardCount(); s++) {
                    all.addAll(live.tenants(s));
                }
                tenants.addAll(all);
            }
            for (String t : tenants) {
                models.put(
                        t,
                        model != null
                                ? model
                                : live.tenantModels(t, config.get(EmbeddingOptions.MODEL))
                                        .active());
            }
        }
        return models;
    }

    private static void requireEmpty(
            ShardedStore store, List<String> targets, String tenant, Iterable<String> tenants) {
        for (int s = 0; s < store.shardCount(); s++) {
            List<String> present = store.tenants(s);
            if (tenant == null && !present.isEmpty()) {
                throw notEmpty(targets.get(s), "documents of " + present.size() + " tenant(s)");
            }
            for (String t : tenants) {
                long n = store.countDocuments(s, t) + store.countChunks(s, t);
                if (n > 0) {
                    throw notEmpty(targets.get(s), "documents or chunks of tenant " + t);
                }
            }
        }
    }

    private static StackException notEmpty(String url, String what) {
        return new StackException(
                "target shard " + url + " is not empty: it holds " + what,
                "rebuild into empty shards (new databases), or drop what is there first");
    }

    /** A previous rebuild's offsets would make this one's progress look done. */
    private static void forget(Admin admin, String group) throws Exception {
        try {
            admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
        }
    }

    /** Runs the replay to its end on a MiniCluster, reporting progress every second. */
    private static void replay(
            KbConfig target,
            String tenant,
            Map<TopicPartition, Long> until,
            Admin admin,
            String group,
            Consumer<Progress> progress)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
        IndexingJob.configure(env, target);
        IndexingJob.replay(target, tenant, OffsetsInitializer.offsets(until)).build(env);
        CompletableFuture<Void> job =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                env.execute("kb-stream rebuild");
                            } catch (Exception e) {
                                throw new IllegalStateException(
                                        "rebuild job failed: " + e.getMessage(), e);
                            }
                        });
        long toRead = sum(until);
        while (!job.isDone()) {
            progress.accept(new Progress(committed(admin, group, until), toRead));
            try {
                job.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // still running: report again
            }
        }
        job.join();
        progress.accept(new Progress(toRead, toRead));
    }

    private static long committed(Admin admin, String group, Map<TopicPartition, Long> until) {
        try {
            long read = 0;
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(5, TimeUnit.SECONDS);
            for (Map.Entry<TopicPartition, Long> end : until.entrySet()) {
                OffsetAndMetadata at = offsets.get(end.getKey());
                read += at == null ? 0 : Math.min(at.offset(), end.getValue());
            }
            return read;
        } catch (Exception e) {
            return 0; // progress is best effort; the job's own result decides
        }
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }
}
