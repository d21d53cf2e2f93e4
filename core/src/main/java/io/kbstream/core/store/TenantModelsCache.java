package io.kbstream.core.store;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What a process knows of its tenants' models ({@link ShardedStore#tenantModels}), read again after
 * {@code refresh} or when the caller's index generation of the tenant changed (a switch bumps it).
 * Bounded: the least recently used tenants are forgotten first. Thread-safe.
 */
public final class TenantModelsCache {

    private record Entry(TenantModels models, Long generation, long readAt) {}

    private final Function<String, TenantModels> loader;
    private final String defaultModel;
    private final long refreshNanos;
    private final Map<String, Entry> entries;

    /**
     * @param loader reads a tenant's models, e.g. {@code t -> store.tenantModels(t, defaultModel)}
     */
    public TenantModelsCache(
            Function<String, TenantModels> loader,
            String defaultModel,
            Duration refresh,
            int maxTenants) {
        this.loader = loader;
        this.defaultModel = defaultModel;
        this.refreshNanos = refresh.toNanos();
        this.entries =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                        return size() > maxTenants;
                    }
                };
    }

    /** The tenant's models, read at most {@code refresh} ago. */
    public TenantModels get(String tenant) {
        return get(tenant, null);
    }

    /**
     * The tenant's models, read at most {@code refresh} ago and at this {@code generation} (null:
     * unknown, then only the age counts).
     */
    public TenantModels get(String tenant, Long generation) {
        long now = System.nanoTime();
        synchronized (entries) {
            Entry e = entries.get(tenant);
            if (e != null
                    && now - e.readAt() < refreshNanos
                    && (generation == null || generation.equals(e.generation()))) {
                return e.models();
            }
        }
        // read outside the lock: a slow shard must not hold up other tenants
        TenantModels models;
        try {
            models = loader.apply(tenant);
        } catch (RuntimeException e) {
            // a shard that does not answer is not asked again before the next refresh: the
            // caller gets the failure once, then what was known (a search can use lastKnown)
            synchronized (entries) {
                Entry old = entries.get(tenant);
                entries.put(
                        tenant,
                        new Entry(
                                old != null
                                        ? old.models()
                                        : TenantModels.only(tenant, defaultModel),
                                generation,
                                now));
            }
            throw e;
        }
        synchronized (entries) {
            entries.put(tenant, new Entry(models, generation, now));
        }
        return models;
    }

    /** The active model last read for the tenant, else the configured one (no read). */
    public String lastKnown(String tenant) {
        synchronized (entries) {
            Entry e = entries.get(tenant);
            return e == null ? defaultModel : e.models().active();
        }
    }

    /** The model of tenants without a record (the configured one). */
    public String defaultModel() {
        return defaultModel;
    }
}
