package io.kbstream.core.models;

import io.kbstream.core.embed.Embedder;
import io.kbstream.core.redis.IndexGenerations;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.TenantModels;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Moving a tenant to another embedding model without a gap (issue 20), the steps every caller (CLI,
 * API, re-embed job, tests) takes the same way:
 *
 * <ol>
 *   <li>{@link #start}: the target model gets its vector tables, and the tenant's record names it;
 *       from then on every writer embeds new chunks with both models. Searches keep the old one.
 *   <li>the re-embed job fills the target's vectors of the chunks written before.
 *   <li>{@link #switchToTarget}: only when every chunk on every shard has a target vector; the
 *       active model changes (first shard last, the one searches read) and the tenant's index
 *       generation is bumped, so no cached answer of the old model is served again.
 *   <li>{@link #switchBack}: one step while the previous model's vectors are kept (they are still
 *       written); {@link #dropPrevious} deletes them, and with them the way back.
 * </ol>
 */
public final class ModelMigrations {

    private final ShardedStore store;
    private final IndexGenerations generations;
    private final String defaultModel;
    private final Function<String, Embedder> embedders;

    /**
     * @param defaultModel the model of tenants without a record ({@code kb.embedding.model})
     * @param embedders the shared embedder of a model (its dimension sizes the vector table)
     */
    public ModelMigrations(
            ShardedStore store,
            IndexGenerations generations,
            String defaultModel,
            Function<String, Embedder> embedders) {
        this.store = store;
        this.generations = generations;
        this.defaultModel = defaultModel;
        this.embedders = embedders;
    }

    /** A tenant's models and how far the migration to its target (if any) has come. */
    public record Status(TenantModels models, long chunks, Map<String, Long> vectors) {

        /** Chunks still without a vector of the target (0 when no migration runs). */
        public long missing() {
            return models.target() == null
                    ? 0
                    : Math.max(0, chunks - vectors.getOrDefault(models.target(), 0L));
        }

        public boolean migrating() {
            return models.target() != null;
        }
    }

    public TenantModels models(String tenant) {
        return store.tenantModels(tenant, defaultModel);
    }

    /** Counts on the primaries: chunks, and vectors of each of the tenant's models. */
    public Status status(String tenant) {
        TenantModels models = models(tenant);
        long chunks = 0;
        Map<String, Long> vectors = new LinkedHashMap<>();
        for (int s = 0; s < store.shardCount(); s++) {
            chunks += store.countChunks(s, tenant);
            for (String model : models.writeModels()) {
                vectors.merge(model, store.countVectors(s, tenant, model), Long::sum);
            }
        }
        return new Status(models, chunks, vectors);
    }

    /**
     * Whether the shards know {@code tenant} at all: it holds chunks, or has a model record of its
     * own. A misspelt tenant name is neither, and a command on it should say so rather than report
     * an empty tenant on the default model.
     */
    public boolean known(String tenant) {
        if (!models(tenant).equals(TenantModels.only(tenant, defaultModel))) {
            return true;
        }
        for (int s = 0; s < store.shardCount(); s++) {
            if (store.countChunks(s, tenant) > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Gives a tenant that holds no chunks yet its first model (instead of {@code
     * kb.embedding.model}); a tenant with chunks moves by {@link #start} and the re-embed job.
     */
    public TenantModels assign(String tenant, String model) {
        Status status = status(tenant);
        TenantModels next = TenantModels.only(tenant, model);
        if (status.chunks() > 0) {
            if (status.models().equals(next)) {
                return next;
            }
            throw new IllegalStateException(
                    "tenant "
                            + tenant
                            + " holds "
                            + status.chunks()
                            + " chunks and searches with "
                            + status.models().active()
                            + "; move it with kb reembed instead");
        }
        store.ensureModel(model, embedders.apply(model).modelInfo().dimension());
        store.setTenantModels(next);
        return next;
    }

    /**
     * Starts (or resumes) moving {@code tenant} to {@code model}. A migration to another model must
     * be finished or cancelled first.
     */
    public TenantModels start(String tenant, String model) {
        TenantModels now = models(tenant);
        if (model.equals(now.active())) {
            throw new IllegalArgumentException("tenant " + tenant + " already uses " + model);
        }
        if (now.target() != null && !now.target().equals(model)) {
            throw new IllegalStateException(
                    "tenant " + tenant + " is moving to " + now.target() + "; finish or cancel it");
        }
        store.ensureModel(now.active(), embedders.apply(now.active()).modelInfo().dimension());
        store.ensureModel(model, embedders.apply(model).modelInfo().dimension());
        TenantModels next = now.migratingTo(model);
        store.setTenantModels(next);
        return next;
    }

    /**
     * Makes the target the active model, once every chunk has its vector; refuses (and changes
     * nothing) otherwise.
     */
    public TenantModels switchToTarget(String tenant) {
        Status status = status(tenant);
        if (!status.migrating()) {
            throw new IllegalStateException("tenant " + tenant + " has no migration to switch to");
        }
        if (status.missing() > 0) {
            throw new IllegalStateException(
                    status.missing()
                            + " chunks of "
                            + tenant
                            + " have no "
                            + status.models().target()
                            + " vector yet; run the re-embed job to the end first");
        }
        return apply(status.models().switched());
    }

    /** Back to the previous model, whose vectors were kept and written all along. */
    public TenantModels switchBack(String tenant) {
        return apply(models(tenant).switchedBack());
    }

    /** Stops a migration before its switch; the target's vectors written so far are dropped. */
    public TenantModels cancel(String tenant) {
        TenantModels now = models(tenant);
        if (now.target() == null) {
            throw new IllegalStateException("tenant " + tenant + " has no migration to cancel");
        }
        TenantModels next = new TenantModels(tenant, now.active(), null, now.previous());
        store.setTenantModels(next);
        store.dropVectors(tenant, now.target());
        return next;
    }

    /** Deletes the previous model's vectors of the tenant: no way back after this. */
    public TenantModels dropPrevious(String tenant) {
        TenantModels now = models(tenant);
        if (now.previous() == null) {
            throw new IllegalStateException("tenant " + tenant + " keeps no previous model");
        }
        TenantModels next = now.withoutPrevious();
        // the record first: writers stop making the vectors before they are deleted
        store.setTenantModels(next);
        store.dropVectors(tenant, now.previous());
        return next;
    }

    private TenantModels apply(TenantModels next) {
        store.setTenantModels(next);
        generations.bump(next.tenant());
        return next;
    }
}
