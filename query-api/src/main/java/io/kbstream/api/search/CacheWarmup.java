package io.kbstream.api.search;

import io.kbstream.api.resilience.BoundedPools;
import io.kbstream.api.search.SearchCounts.Ranked;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills a starting instance's in-process cache with each tenant's most frequent recent searches
 * ({@link SearchCounts}), most frequent first over all tenants, so the first minute after a restart
 * or scale-out is not served cold. Bounded in count ({@code perTenant}) and in time ({@code
 * timeout}: then it stops where it is); the instance reports ready once it is {@link #done()}. A
 * search that fails is skipped: warming is never a reason not to serve.
 */
public final class CacheWarmup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CacheWarmup.class);

    private final SearchService search;
    private final SearchCounts counts;
    private final List<String> tenants;
    private final int perTenant;
    private final Duration timeout;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicInteger warmed = new AtomicInteger();
    private final ExecutorService worker = BoundedPools.fixed("kb-cache-warmup", 1);
    private final ScheduledExecutorService timer = BoundedPools.timer("kb-cache-warmup-timer");

    public CacheWarmup(
            SearchService search,
            SearchCounts counts,
            Collection<String> tenants,
            int perTenant,
            Duration timeout) {
        this.search = search;
        this.counts = counts;
        this.tenants = List.copyOf(tenants);
        this.perTenant = perTenant;
        this.timeout = timeout;
    }

    /** Starts warming in the background; returns at once. */
    public void start() {
        if (perTenant <= 0 || tenants.isEmpty()) {
            done.countDown();
            return;
        }
        long started = System.nanoTime();
        Future<?> run = worker.submit(() -> warm(started));
        timer.schedule(
                () -> {
                    if (done.getCount() > 0) {
                        run.cancel(true);
                        LOG.info(
                                "cache warm-up stopped after {} ms with {} searches cached",
                                timeout.toMillis(),
                                warmed.get());
                        done.countDown();
                    }
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void warm(long started) {
        try {
            List<Ranked> all = new ArrayList<>();
            for (String tenant : tenants) {
                all.addAll(counts.top(tenant, perTenant));
            }
            all.sort(Comparator.comparingDouble(Ranked::count).reversed());
            for (Ranked r : all) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                try {
                    search.warm(r.tenant(), r.request());
                    warmed.incrementAndGet();
                } catch (RuntimeException e) {
                    LOG.debug("a warm-up search failed: {}", e.toString());
                }
            }
            LOG.info(
                    "cache warm-up cached {} of {} searches in {} ms",
                    warmed.get(),
                    all.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } finally {
            done.countDown();
        }
    }

    /** Whether the warm-up finished or ran out of time. */
    public boolean done() {
        return done.getCount() == 0;
    }

    /** Searches run into the cache so far. */
    public int warmed() {
        return warmed.get();
    }

    @Override
    public void close() {
        worker.shutdownNow();
        timer.shutdownNow();
        done.countDown();
    }
}
