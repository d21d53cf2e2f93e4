package io.kbstream.api.http;

import io.kbstream.core.tenant.TenantCatalog;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a key belongs to and what the tenant may do: the configured bootstrap keys ({@code
 * kb.api.keys}) plus an in-memory snapshot of the tenant catalog (shard 0), re-read every {@code
 * kb.api.tenants.refresh}. Polling a table of a few rows each second is cheap and has no lost
 * message to recover from, so a revoked key, an expired key or a tenant being deleted is refused by
 * every instance within one period (plus the read); the instance that made the change refreshes at
 * once. When the catalog cannot be read, the last snapshot stays in force.
 *
 * <p>A catalog key is found by its prefix (not secret: listings show it), then its SHA-256 is
 * compared in constant time; bootstrap keys are compared as {@link ApiKeys} does.
 */
public final class TenantDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TenantDirectory.class);

    /** Characters of a key shown in listings and used to find its row. */
    public static final int PREFIX_LENGTH = 8;

    /** What a tenant may use: defaults, or its overrides from the catalog. */
    public record Limits(long maxDocuments, long maxBytes, double requestsPerSecond, int burst) {}

    private record State(
            Map<String, TenantCatalog.Key> keys, Map<String, TenantCatalog.Tenant> tenants) {}

    private final ApiKeys bootstrap;
    private final TenantCatalog catalog;
    private final Limits defaults;
    private final Clock clock;
    private final ScheduledExecutorService refresher;
    private volatile State state = new State(Map.of(), Map.of());
    private volatile boolean failing;

    public TenantDirectory(
            ApiKeys bootstrap,
            TenantCatalog catalog,
            Limits defaults,
            Duration refresh,
            Clock clock) {
        this.bootstrap = bootstrap;
        this.catalog = catalog;
        this.defaults = defaults;
        this.clock = clock;
        refresh();
        this.refresher =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "kb-tenant-directory");
                            t.setDaemon(true);
                            return t;
                        });
        long millis = Math.max(50, refresh.toMillis());
        refresher.scheduleWithFixedDelay(this::refresh, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Re-reads the catalog now; keeps the last snapshot if it cannot. */
    public void refresh() {
        try {
            TenantCatalog.Snapshot snapshot = catalog.snapshot();
            Map<String, TenantCatalog.Key> keys = new HashMap<>();
            snapshot.keys().forEach(k -> keys.put(k.prefix(), k));
            Map<String, TenantCatalog.Tenant> tenants = new HashMap<>();
            snapshot.tenants().forEach(t -> tenants.put(t.id(), t));
            state = new State(Map.copyOf(keys), Map.copyOf(tenants));
            if (failing) {
                LOG.info("tenant catalog readable again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warn(
                        "cannot read the tenant catalog, keeping the last snapshot: {}",
                        e.toString());
                failing = true;
            }
        }
    }

    /** The tenant of {@code key}, if it is a live key of a tenant not being deleted. */
    public Optional<String> tenantOf(String key) {
        if (key == null || key.isEmpty() || key.length() > 512) {
            return Optional.empty();
        }
        State s = state;
        String tenant = bootstrap.tenantOf(key).orElse(null);
        if (tenant == null && key.length() > PREFIX_LENGTH) {
            TenantCatalog.Key row = s.keys().get(key.substring(0, PREFIX_LENGTH));
            if (row != null
                    && MessageDigest.isEqual(ApiKeys.digest(key), row.sha256())
                    && row.liveAt(clock.instant())) {
                tenant = row.tenant();
            }
        }
        TenantCatalog.Tenant row = tenant == null ? null : s.tenants().get(tenant);
        if (row != null && row.deleting()) {
            return Optional.empty();
        }
        return Optional.ofNullable(tenant);
    }

    /** The tenant named by an {@code Authorization: Bearer <key>} header value. */
    public Optional<String> tenantOfHeader(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return tenantOf(authorization.substring(7).trim());
    }

    /** The tenant's limits: its catalog overrides, else the defaults. */
    public Limits limits(String tenant) {
        TenantCatalog.Tenant row = state.tenants().get(tenant);
        if (row == null) {
            return defaults;
        }
        double rate =
                row.maxRequestsPerSecond() != null
                        ? row.maxRequestsPerSecond()
                        : defaults.requestsPerSecond();
        // an overridden rate keeps the default burst's proportion to the rate
        int burst =
                row.maxRequestsPerSecond() == null
                        ? defaults.burst()
                        : (int)
                                Math.max(
                                        1,
                                        Math.ceil(
                                                rate
                                                        * defaults.burst()
                                                        / defaults.requestsPerSecond()));
        return new Limits(
                row.maxDocuments() != null ? row.maxDocuments() : defaults.maxDocuments(),
                row.maxBytes() != null ? row.maxBytes() : defaults.maxBytes(),
                rate,
                burst);
    }

    /** The bootstrap tenants (configured keys), for the cache warm-up. */
    public java.util.List<String> bootstrapTenants() {
        return bootstrap.tenants();
    }

    public int bootstrapKeyCount() {
        return bootstrap.size();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
