package io.kbstream.core.store;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A tenant's embedding models, as recorded in the shards ({@code tenant_models}).
 *
 * @param active the model searches embed queries with and whose vectors they read
 * @param target the model a migration is filling, or null when none runs
 * @param previous the model switched away from, whose vectors are still kept and written so that
 *     switching back is one command; null once dropped
 */
public record TenantModels(String tenant, String active, String target, String previous) {

    public TenantModels {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(active, "active");
        if (active.equals(target)) {
            throw new IllegalArgumentException(
                    "tenant " + tenant + " already searches with " + active);
        }
    }

    /** A tenant that has only ever had one model. */
    public static TenantModels only(String tenant, String model) {
        return new TenantModels(tenant, model, null, null);
    }

    /** Every model a new chunk of this tenant gets a vector of: active first. */
    public List<String> writeModels() {
        Set<String> models = new LinkedHashSet<>();
        models.add(active);
        if (target != null) {
            models.add(target);
        }
        if (previous != null) {
            models.add(previous);
        }
        return List.copyOf(models);
    }

    /** Starts filling {@code model}'s vectors (a migration to it). */
    public TenantModels migratingTo(String model) {
        return new TenantModels(tenant, active, model, previous);
    }

    /** Searches switch to the target; the active model becomes the previous one. */
    public TenantModels switched() {
        if (target == null) {
            throw new IllegalStateException("tenant " + tenant + " has no migration to switch to");
        }
        return new TenantModels(tenant, target, null, active);
    }

    /** Searches switch back to the previous model, which must still have its vectors. */
    public TenantModels switchedBack() {
        if (previous == null) {
            throw new IllegalStateException(
                    "tenant " + tenant + " has no previous model (dropped, or never switched)");
        }
        return new TenantModels(tenant, previous, null, active);
    }

    /** The previous model's vectors are gone: no way back. */
    public TenantModels withoutPrevious() {
        return new TenantModels(tenant, active, target, null);
    }
}
