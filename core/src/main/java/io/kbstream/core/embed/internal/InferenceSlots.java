package io.kbstream.core.embed.internal;

import io.kbstream.core.embed.EmbeddingException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs the inference runs of one model on at most {@code workers} threads at once, JVM-wide.
 *
 * <p>Why: on CPU a padded tensor batch does not pay (one core, batch 32 ran at 0.68x the texts/s of
 * batch 1 on SciFact abstracts: the activations fall out of cache), and one ONNX session spreading
 * a single text over two cores keeps them only ~65% busy. What pays is data parallelism: one
 * single-threaded run per core. A call's runs are shared by the calling thread and helper threads
 * from a small pool; every run holds a slot, so Flink subtasks and API request threads together
 * never oversubscribe the cores. The helper queue is bounded: when it is full the caller does the
 * work itself.
 */
final class InferenceSlots implements AutoCloseable {

    private final int workers;
    private final Semaphore slots;
    private final ThreadPoolExecutor helpers;

    InferenceSlots(int workers, String name) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be positive: " + workers);
        }
        this.workers = workers;
        this.slots = new Semaphore(workers);
        AtomicInteger threadNumber = new AtomicInteger();
        this.helpers =
                new ThreadPoolExecutor(
                        workers,
                        workers,
                        30,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(64),
                        r -> {
                            Thread t =
                                    new Thread(
                                            r,
                                            "kb-embed-"
                                                    + name
                                                    + "-"
                                                    + threadNumber.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        helpers.allowCoreThreadTimeOut(true);
    }

    int workers() {
        return workers;
    }

    /**
     * Calls {@code run.accept(i)} for every {@code i} in {@code [0, runs)}, each holding a slot,
     * and returns when all are done. The first failure is rethrown; runs not yet started are then
     * skipped.
     */
    void runAll(int runs, IntConsumer run) {
        if (runs <= 0) {
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(runs);
        Runnable worker =
                () -> {
                    for (int i; (i = next.getAndIncrement()) < runs; ) {
                        try {
                            if (failure.get() == null) {
                                inSlot(run, i);
                            }
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        } finally {
                            done.countDown();
                        }
                    }
                };
        for (int h = 1; h < Math.min(workers, runs); h++) {
            try {
                helpers.execute(worker);
            } catch (RejectedExecutionException queueFull) {
                break; // the caller and the helpers already started take the rest
            }
        }
        worker.run();
        try {
            done.await();
        } catch (InterruptedException e) {
            next.set(runs); // helpers take no further runs of this call
            Thread.currentThread().interrupt();
            throw new EmbeddingException("interrupted while embedding", e);
        }
        Throwable t = failure.get();
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new EmbeddingException("interrupted while waiting for an inference slot", t);
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new EmbeddingException("embedding failed", t);
        }
    }

    private void inSlot(IntConsumer run, int i) throws InterruptedException {
        slots.acquire();
        try {
            run.accept(i);
        } finally {
            slots.release();
        }
    }

    @Override
    public void close() {
        helpers.shutdownNow();
    }
}
