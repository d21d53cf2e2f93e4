package io.kbstream.stack;

import io.kbstream.core.config.EmbeddingOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.core.embed.Embedders;
import io.kbstream.core.models.ModelMigrations;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.redis.RedisConnections;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.jobs.IndexingJob;
import io.kbstream.jobs.ReembedJob;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code kb reembed}: moves a tenant to another model on the local stack. Starts the migration
 * (writers embed new chunks with both models from then on), waits until every writer has read that
 * ({@code kb.embedding.tenant-models-refresh}), runs the {@link ReembedJob} on a local MiniCluster
 * until it ends, runs it again while chunks written meanwhile still lack the vector, then switches.
 * Progress (chunks with the new vector, of all) goes to {@code progress} every second.
 */
public final class LocalReembed implements AutoCloseable {

    /** Passes that may still find chunks without the vector before the switch gives up. */
    private static final int MAX_PASSES = 5;

    private final KbConfig config;
    private final ShardedStore store;
    private final UnifiedJedis redis;
    private final ModelMigrations migrations;

    public LocalReembed(KbConfig config) {
        this.config = config;
        this.store = ShardedStore.open(config);
        this.redis = RedisConnections.pooled(config);
        this.migrations =
                new ModelMigrations(
                        store,
                        new IndexGenerations(redis),
                        config.get(EmbeddingOptions.MODEL),
                        model -> Embedders.shared(config, model));
    }

    public ModelMigrations migrations() {
        return migrations;
    }

    /**
     * Re-embeds {@code tenant} with {@code model} to the end and, if {@code switchAfter}, switches
     * its searches to it.
     */
    public ModelMigrations.Status run(
            String tenant,
            String model,
            boolean switchAfter,
            Consumer<ModelMigrations.Status> progress)
            throws Exception {
        migrations.start(tenant, model);
        Thread.sleep(config.get(EmbeddingOptions.TENANT_MODELS_REFRESH).toMillis());
        for (int pass = 1; ; pass++) {
            runJobOnce(tenant, model, progress);
            ModelMigrations.Status status = migrations.status(tenant);
            progress.accept(status);
            if (status.missing() == 0) {
                if (switchAfter) {
                    migrations.switchToTarget(tenant);
                    return migrations.status(tenant);
                }
                return status;
            }
            if (pass == MAX_PASSES) {
                throw new IllegalStateException(
                        status.missing() + " chunks still lack a vector after " + pass + " passes");
            }
        }
    }

    /** One run of the job to its end, reporting progress meanwhile. */
    public void runJobOnce(String tenant, String model, Consumer<ModelMigrations.Status> progress)
            throws Exception {
        // checkpoints apart from the indexing pipeline's, which resumes from the newest in its own
        KbConfig own =
                config.with(
                        PipelineOptions.CHECKPOINT_DIR,
                        stripSlash(config.get(PipelineOptions.CHECKPOINT_DIR)) + "-reembed");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
        IndexingJob.configure(env, own);
        CompletableFuture<Void> job =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                ReembedJob.of(own, tenant, model).execute(env);
                            } catch (Exception e) {
                                throw new IllegalStateException(
                                        "re-embed job failed: " + e.getMessage(), e);
                            }
                        });
        while (!job.isDone()) {
            progress.accept(migrations.status(tenant));
            try {
                job.get(
                        Duration.ofSeconds(1).toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // still running: report again
            }
        }
        job.join();
    }

    private static String stripSlash(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    @Override
    public void close() {
        store.close();
        redis.close();
    }
}
