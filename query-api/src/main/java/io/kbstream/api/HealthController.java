package io.kbstream.api;

import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** {@code /health/live}, {@code /health/ready} and {@code /metrics}. */
public final class HealthController {

    /** One dependency check: returns normally when the dependency answers. */
    public record Check(String name, Runnable probe) {}

    private final List<Check> checks;
    private final ExecutorService executor;
    private final Duration timeout;
    private final long retryAfterSeconds;
    private final PrometheusMeterRegistry registry;

    public HealthController(
            List<Check> checks,
            ExecutorService executor,
            Duration timeout,
            Duration retryAfter,
            PrometheusMeterRegistry registry) {
        this.checks = List.copyOf(checks);
        this.executor = executor;
        this.timeout = timeout;
        this.retryAfterSeconds = Math.max(1, retryAfter.toSeconds());
        this.registry = registry;
    }

    public void live(Context ctx) {
        ctx.json(Map.of("status", "UP"));
    }

    /** 200 when Kafka, every shard and Redis answer within the timeout; 503 naming what did not. */
    public void ready(Context ctx) {
        Map<String, String> results = probeAll();
        boolean up = results.values().stream().allMatch("UP"::equals);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", results);
        if (!up) {
            ctx.header("Retry-After", Long.toString(retryAfterSeconds));
        }
        ctx.status(up ? 200 : 503).json(body);
    }

    public void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
    }

    Map<String, String> probeAll() {
        Map<String, CompletableFuture<String>> running = new LinkedHashMap<>();
        for (Check check : checks) {
            Supplier<String> probe =
                    () -> {
                        check.probe().run();
                        return "UP";
                    };
            CompletableFuture<String> future;
            try {
                future = CompletableFuture.supplyAsync(probe, executor);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                future = CompletableFuture.completedFuture("DOWN"); // probes are piling up
            }
            running.put(check.name(), future);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> results = new LinkedHashMap<>();
        running.forEach(
                (name, future) -> {
                    try {
                        results.put(
                                name,
                                future.get(
                                        Math.max(0, deadline - System.nanoTime()),
                                        TimeUnit.NANOSECONDS));
                    } catch (Exception e) {
                        results.put(name, "DOWN");
                    }
                });
        return results;
    }
}
