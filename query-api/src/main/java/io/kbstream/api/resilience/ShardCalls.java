package io.kbstream.api.resilience;

import io.kbstream.core.store.ShardNode;
import io.kbstream.core.store.StoreException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The scatter of reads over the shards: each call runs on a bounded pool, on the first node of its
 * shard's {@link ReadRoutes} route that its breaker lets in, and on the next one at once if that
 * node fails. Searches and listings share it (one pool, one set of breakers, one timer per node).
 */
public final class ShardCalls implements AutoCloseable {

    private final ReadRoutes routes;
    private final ExecutorService executor;
    private final MeterRegistry metrics;

    /** Owns {@code routes} (closed with this) and a pool of {@code threads} threads. */
    public ShardCalls(ReadRoutes routes, int threads, MeterRegistry metrics) {
        this.routes = routes;
        this.executor = BoundedPools.fixed("kb-search", threads);
        this.metrics = metrics;
    }

    /** The nodes one read tries for {@code shard}, in order (see {@link ReadRoutes}). */
    public ReadRoutes.Route route(int shard) {
        return routes.route(shard);
    }

    /** A read of {@code shard} on the nodes of a fresh route. */
    public <T> CompletableFuture<T> call(int shard, String kind, Function<ShardNode, T> call) {
        return call(routes.route(shard), kind, call);
    }

    /**
     * A shard call on the first node of its route that its breaker lets in, then on the next one if
     * that node fails; a failure at once when no node is let in.
     */
    public <T> CompletableFuture<T> call(
            ReadRoutes.Route route, String kind, Function<ShardNode, T> call) {
        return attempt(route, 0, kind, call);
    }

    private <T> CompletableFuture<T> attempt(
            ReadRoutes.Route route, int from, String kind, Function<ShardNode, T> call) {
        int index = route.next(from);
        if (index < 0) {
            return CompletableFuture.failedFuture(
                    new StoreException(route.shard(), "skipped after a failure", null));
        }
        ReadRoutes.Node node = route.node(index);
        return submit(node, kind, () -> call.apply(node.id))
                .exceptionallyCompose(
                        error ->
                                // a node's own failure (down, cancelled by replay): the next may
                                // answer; a full executor would refuse the next one as well
                                unwrap(error) instanceof StoreException
                                        ? attempt(route, index + 1, kind, call)
                                        : CompletableFuture.failedFuture(error));
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException ? error.getCause() : error;
    }

    private <T> CompletableFuture<T> submit(ReadRoutes.Node node, String kind, Supplier<T> call) {
        Timer.Sample sample = Timer.start(metrics);
        long start = System.nanoTime();
        try {
            return CompletableFuture.supplyAsync(call, executor)
                    .whenComplete(
                            (hits, error) -> {
                                report(node, error, start);
                                sample.stop(
                                        Timer.builder("kb.api.search.shard")
                                                .description(
                                                        "One read (search or listing) on one"
                                                                + " shard")
                                                .tag("shard", Integer.toString(node.id.shard()))
                                                .tag(
                                                        "node",
                                                        node.id.isPrimary()
                                                                ? "primary"
                                                                : "replica-" + node.id.replica())
                                                .tag("kind", kind)
                                                .tag("outcome", error == null ? "ok" : "error")
                                                .publishPercentileHistogram()
                                                .register(metrics));
                            });
        } catch (RejectedExecutionException e) {
            // the bounded executor is full: this shard counts as not answering
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Opens the node's breaker if the call found it unreachable; any answer closes it and counts
     * towards its latency.
     */
    private static void report(ReadRoutes.Node node, Throwable error, long start) {
        if (unwrap(error) instanceof StoreException e && e.isUnreachable()) {
            node.breaker.failed();
        } else {
            node.breaker.succeeded();
            if (error == null) {
                node.answered((System.nanoTime() - start) / 1e6);
            }
        }
    }

    @Override
    public void close() {
        routes.close();
        executor.shutdownNow();
    }
}
