package io.kbstream.api.http;

import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * The API's Prometheus registry: every feature registers its meters here, each HTTP request is
 * timed by endpoint, method and status, and {@code GET /metrics} serves the lot.
 */
public final class ApiMetrics {

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public MeterRegistry registry() {
        return registry;
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
}
