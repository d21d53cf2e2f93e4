package io.kbstream.api.http;

import io.javalin.http.Context;
import io.kbstream.api.resilience.BoundedPools;
import io.kbstream.core.store.ShardedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code /health/live} and {@code /health/ready}. Readiness probes every dependency in parallel on
 * a small bounded pool of its own, so a hanging dependency can neither stall the probe past its
 * timeout nor take threads from searches.
 */
public final class HealthController implements AutoCloseable {

    /** How long readiness waits for all probes together. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    /** One dependency check: returns normally when the dependency answers. */
    public record Check(String name, Runnable probe) {}

    private final List<Check> checks;
    private final long retryAfterSeconds;
    private final ExecutorService executor = BoundedPools.fixed("kb-health", 4);

    public HealthController(List<Check> checks, long retryAfterSeconds) {
        this.checks = List.copyOf(checks);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The API's dependencies: Kafka (the documents topic), Redis and every shard. */
    public static List<Check> dependencies(
            Admin kafka, String documentsTopic, UnifiedJedis redis, ShardedStore store) {
        List<Check> checks = new ArrayList<>();
        checks.add(
                new Check(
                        "kafka",
                        () -> {
                            try {
                                kafka.describeTopics(List.of(documentsTopic))
                                        .allTopicNames()
                                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }));
        checks.add(new Check("redis", redis::ping));
        for (int s = 0; s < store.shardCount(); s++) {
            int shard = s;
            checks.add(new Check("shard-" + shard, () -> store.ping(shard)));
        }
        return checks;
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
            } catch (RejectedExecutionException e) {
                future = CompletableFuture.completedFuture("DOWN"); // probes are piling up
            }
            running.put(check.name(), future);
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
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

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
