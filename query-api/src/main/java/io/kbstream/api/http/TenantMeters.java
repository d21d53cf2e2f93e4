package io.kbstream.api.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per-tenant meters of {@link Auth}: rate-limit rejections ({@code
 * kb_api_rate_limited_requests_total{tenant}}) and the tenants whose key made a request in the last
 * minute ({@code kb_api_active_tenants}). Tenants only come from configured keys, and the label
 * still stops at {@link #MAX_TENANT_LABELS} distinct tenants (later ones count as {@code other}),
 * so a large key file cannot blow up the series count.
 */
public final class TenantMeters {

    static final int MAX_TENANT_LABELS = 20;
    static final String OTHER = "other";
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final MeterRegistry registry;
    private final LongSupplier nanoClock;
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    // bounded: one entry per configured tenant
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    public TenantMeters(MeterRegistry registry) {
        this(registry, System::nanoTime);
    }

    TenantMeters(MeterRegistry registry, LongSupplier nanoClock) {
        this.registry = registry;
        this.nanoClock = nanoClock;
        Gauge.builder("kb.api.active.tenants", this, TenantMeters::activeTenants)
                .description("Tenants whose API key made a request in the last minute")
                .register(registry);
    }

    /** An authenticated request of {@code tenant}. */
    public void seen(String tenant) {
        lastSeen.put(tenant, nanoClock.getAsLong());
    }

    /** A request of {@code tenant} refused by its rate limit. */
    public void rateLimited(String tenant) {
        String label =
                rejected.containsKey(tenant) || rejected.size() < MAX_TENANT_LABELS
                        ? tenant
                        : OTHER;
        rejected.computeIfAbsent(
                        label,
                        t ->
                                Counter.builder("kb.api.rate.limited.requests")
                                        .description("Requests refused by the tenant's rate limit")
                                        .tag("tenant", t)
                                        .register(registry))
                .increment();
    }

    /** Tenants seen within the last minute. */
    public int activeTenants() {
        long now = nanoClock.getAsLong();
        return (int) lastSeen.values().stream().filter(t -> now - t < MINUTE_NANOS).count();
    }
}
