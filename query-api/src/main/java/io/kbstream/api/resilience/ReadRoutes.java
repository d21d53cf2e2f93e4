package io.kbstream.api.resilience;

import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.config.PostgresOptions.ReadFrom;
import io.kbstream.core.store.ShardNode;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoreException;
import io.kbstream.core.store.TenantModels;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which server of each shard a read (a search, a listing) uses: with {@code replicas-first}, a
 * replica whose replay lag is within {@code kb.store.max-replica-lag} and whose breaker lets calls
 * through, the fastest first (by a moving average of its recent search calls), then the primary,
 * then (only when the primary fails too) the replicas past the lag bound; with {@code
 * primary-only}, the primary. Every node has its own {@link CircuitBreaker}: a dead replica is
 * tried by at most one search per pause, and that search falls back to the next node at once.
 *
 * <p>Replay lag is measured in the background every {@code kb.store.replica-check-interval}; a
 * replica is read only after a measurement within the bound (a replica not yet measured, or not
 * answering the measurement, is skipped). A search answered by a replica may therefore miss writes
 * committed on the primary in the last max-replica-lag + check-interval.
 */
public final class ReadRoutes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReadRoutes.class);

    /** 1 while a node's breaker skips calls; the shard alert watches the primaries'. */
    private static final String BREAKER_GAUGE = "kb.api.shard.breaker.open";

    /** Weight of the newest call in a node's moving average latency. */
    private static final double LATENCY_WEIGHT = 0.2;

    /** What read routing takes from the configuration. */
    public record Settings(
            ReadFrom readFrom, Duration maxLag, Duration checkInterval, Duration failurePause) {

        public static Settings from(KbConfig config) {
            return new Settings(
                    config.get(PostgresOptions.READ_FROM),
                    config.get(PostgresOptions.MAX_REPLICA_LAG),
                    config.get(PostgresOptions.REPLICA_CHECK_INTERVAL),
                    config.get(ApiOptions.FAILURE_PAUSE));
        }
    }

    /** One server of a shard, with what searches learned of it. */
    static final class Node {
        final ShardNode id;
        final CircuitBreaker breaker;
        private volatile double latencyMillis;

        /** Replicas only: the last lag measurement was within the bound. */
        private volatile boolean fresh;

        Node(ShardNode id, Duration pause) {
            this.id = id;
            this.breaker = new CircuitBreaker(pause);
        }

        void answered(double millis) {
            latencyMillis =
                    latencyMillis == 0
                            ? millis
                            : latencyMillis + LATENCY_WEIGHT * (millis - latencyMillis);
        }
    }

    private final ShardedStore store;
    private final Settings settings;
    private final List<Node> primaries = new ArrayList<>();
    private final List<List<Node>> replicas = new ArrayList<>();
    private final ScheduledExecutorService lagChecks;

    public ReadRoutes(Settings settings, ShardedStore store, MeterRegistry metrics) {
        this.store = store;
        this.settings = settings;
        boolean useReplicas = settings.readFrom() == ReadFrom.REPLICAS_FIRST;
        for (int s = 0; s < store.shardCount(); s++) {
            Node primary = new Node(ShardNode.primary(s), settings.failurePause());
            primary.breaker.monitor(
                    metrics, BREAKER_GAUGE, "shard", Integer.toString(s), "node", "primary");
            primaries.add(primary);
            List<Node> shardReplicas = new ArrayList<>();
            for (int r = 0; useReplicas && r < store.replicaCount(s); r++) {
                Node node = new Node(ShardNode.replica(s, r), settings.failurePause());
                node.breaker.monitor(
                        metrics,
                        BREAKER_GAUGE,
                        "shard",
                        Integer.toString(s),
                        "node",
                        "replica-" + r);
                shardReplicas.add(node);
                Gauge.builder("kb.api.search.replica.usable", node, n -> n.fresh ? 1 : 0)
                        .description("1 while searches may read this replica (lag within bound)")
                        .tag("shard", Integer.toString(s))
                        .tag("replica", Integer.toString(r))
                        .register(metrics);
            }
            replicas.add(List.copyOf(shardReplicas));
        }
        if (replicas.stream().anyMatch(r -> !r.isEmpty())) {
            this.lagChecks = BoundedPools.timer("kb-replica-lag");
            long every = Math.max(1, settings.checkInterval().toMillis());
            lagChecks.scheduleWithFixedDelay(this::checkLags, 0, every, TimeUnit.MILLISECONDS);
        } else {
            this.lagChecks = null;
        }
    }

    /**
     * The tenant's models from the first shard's nodes in search order (the first that answers). A
     * replica may be a moment behind a switch; the old model's vectors are kept after a switch, so
     * a search with it is still complete.
     */
    public TenantModels tenantModels(String tenant, String defaultModel) {
        Route route = route(0);
        StoreException last = null;
        for (int i = route.next(0); i >= 0; i = route.next(i + 1)) {
            try {
                return store.tenantModels(route.node(i).id, tenant, defaultModel);
            } catch (StoreException e) {
                last = e;
            }
        }
        throw last != null ? last : new StoreException(0, "no node of shard 0 may be read", null);
    }

    /** The nodes one search tries for {@code shard}, in order. */
    public Route route(int shard) {
        List<Node> order = new ArrayList<>();
        replicas.get(shard).stream()
                .filter(n -> n.fresh)
                // closed breakers first (a probe of an open one comes after them), then fastest
                .sorted(
                        Comparator.comparing((Node n) -> !n.breaker.closed())
                                .thenComparingDouble(n -> n.latencyMillis))
                .forEach(order::add);
        order.add(primaries.get(shard));
        // last resort, with the primary failing: a replica past the lag bound still has all but
        // its last seconds, which beats an answer without the shard (partial); a dead one's
        // breaker keeps it to one probe per pause
        replicas.get(shard).stream().filter(n -> !n.fresh).forEach(order::add);
        return new Route(shard, order);
    }

    /**
     * One search's way through one shard's nodes. Each node's breaker is asked once per search (a
     * probe lets all of that search's calls through), and only when the nodes before it failed.
     */
    public static final class Route {
        private final int shard;
        private final List<Node> nodes;
        private final Boolean[] allowed;

        private Route(int shard, List<Node> nodes) {
            this.shard = shard;
            this.nodes = nodes;
            this.allowed = new Boolean[nodes.size()];
        }

        public int shard() {
            return shard;
        }

        /** The first node at or after {@code from} whose breaker lets this search in, or -1. */
        public synchronized int next(int from) {
            for (int i = from; i < nodes.size(); i++) {
                if (allowed[i] == null) {
                    allowed[i] = nodes.get(i).breaker.allow();
                }
                if (allowed[i]) {
                    return i;
                }
            }
            return -1;
        }

        Node node(int index) {
            return nodes.get(index);
        }
    }

    private void checkLags() {
        for (List<Node> shardReplicas : replicas) {
            for (Node node : shardReplicas) {
                boolean was = node.fresh;
                try {
                    Duration lag = store.replicaLag(node.id);
                    node.fresh = lag.compareTo(settings.maxLag()) <= 0;
                    node.breaker.succeeded();
                    if (!node.fresh && was) {
                        LOG.warn("{} lags {} ms: searches skip it", node.id, lag.toMillis());
                    }
                } catch (StoreException e) {
                    node.fresh = false;
                    if (e.isUnreachable()) {
                        node.breaker.failed();
                    }
                    if (was) {
                        LOG.warn("{} not answering: searches skip it: {}", node.id, e.getMessage());
                    }
                } catch (RuntimeException e) {
                    node.fresh = false;
                    LOG.warn("replay lag of {} not measured: {}", node.id, e.toString());
                }
                if (node.fresh && !was) {
                    LOG.info("{} within the lag bound: searches read it", node.id);
                }
            }
        }
    }

    @Override
    public void close() {
        if (lagChecks != null) {
            lagChecks.shutdownNow();
            try {
                // a check in flight ends before the store it reads is closed
                lagChecks.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
