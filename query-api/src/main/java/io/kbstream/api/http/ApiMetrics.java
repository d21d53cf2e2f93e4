package io.kbstream.api.http;

import io.javalin.http.Context;
import io.kbstream.core.store.PoolUsage;
import io.kbstream.core.store.ShardedStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * The API's Prometheus registry: the process's JVM, GC, CPU and file-descriptor meters, every
 * feature's own meters, each HTTP request timed by endpoint, method and status; {@code GET
 * /metrics} serves the lot. Closing it stops the GC listener.
 */
public final class ApiMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public ApiMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Gauges of every shard's connection pool, named as Micrometer's own Hikari binder names them
     * ({@code hikaricp_connections_active{pool="kb-shard-0",shard="0"}}) so stock dashboards read
     * them.
     */
    public void monitorPools(ShardedStore store) {
        for (int s = 0; s < store.shardCount(); s++) {
            int shard = s;
            poolGauge(store, shard, "active", PoolUsage::active);
            poolGauge(store, shard, "idle", PoolUsage::idle);
            poolGauge(store, shard, "pending", PoolUsage::pending);
            poolGauge(store, shard, "max", PoolUsage::max);
        }
    }

    private void poolGauge(
            ShardedStore store, int shard, String state, ToIntFunction<PoolUsage> value) {
        Gauge.builder(
                        "hikaricp.connections." + state,
                        store,
                        st -> value.applyAsInt(st.poolUsage(shard)))
                .description("Connections of the shard's pool: " + state)
                .tag("pool", "kb-shard-" + shard)
                .tag("shard", Integer.toString(shard))
                .register(registry);
    }

    /** {@code GET /metrics}: the Prometheus text format. */
    public void scrape(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
    }

    /** The request logger: times one answered request. */
    public void record(Context ctx, Float millis) {
        String endpoint;
        try {
            endpoint = ctx.endpointHandlerPath();
        } catch (RuntimeException e) {
            endpoint = "unmatched";
        }
        Timer.builder("kb.api.requests")
                .description("HTTP requests by endpoint, method and status")
                .tag("method", ctx.method().name())
                .tag("endpoint", endpoint)
                .tag("status", Integer.toString(ctx.statusCode()))
                .publishPercentileHistogram()
                .register(registry)
                .record((long) (millis * 1_000_000L), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
