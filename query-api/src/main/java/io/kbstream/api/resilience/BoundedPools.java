package io.kbstream.api.resilience;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API's thread pools: fixed size, bounded queue, daemon threads named by their job. A full pool
 * rejects work ({@link java.util.concurrent.RejectedExecutionException}) instead of queueing
 * without end, so an overloaded dependency costs answers, not the process's memory.
 */
public final class BoundedPools {

    /** Queued tasks allowed per thread before the pool rejects. */
    static final int QUEUE_PER_THREAD = 64;

    private BoundedPools() {}

    /** {@code threads} threads named {@code name-N}; idle threads time out after a minute. */
    public static ExecutorService fixed(String name, int threads) {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        60,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(threads * QUEUE_PER_THREAD),
                        daemon(name),
                        new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** One daemon thread for timers. */
    public static ScheduledExecutorService timer(String name) {
        return new ScheduledThreadPoolExecutor(1, daemon(name));
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
