package io.kbstream.core.embed.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class InferenceSlotsTest {

    @Test
    void every_run_runs_once_and_concurrency_never_exceeds_the_workers_across_callers()
            throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        AtomicIntegerArray[] counts = new AtomicIntegerArray[4];
        ExecutorService callers = Executors.newFixedThreadPool(counts.length);
        try (InferenceSlots slots = new InferenceSlots(2, "test")) {
            Future<?>[] calls = new Future<?>[counts.length];
            for (int c = 0; c < counts.length; c++) {
                AtomicIntegerArray count = counts[c] = new AtomicIntegerArray(50);
                calls[c] =
                        callers.submit(
                                () ->
                                        slots.runAll(
                                                count.length(),
                                                i -> {
                                                    int now = running.incrementAndGet();
                                                    mostAtOnce.accumulateAndGet(now, Math::max);
                                                    threads.add(Thread.currentThread());
                                                    spin();
                                                    count.incrementAndGet(i);
                                                    running.decrementAndGet();
                                                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            callers.shutdownNow();
        }
        for (AtomicIntegerArray count : counts) {
            for (int i = 0; i < count.length(); i++) {
                assertThat(count.get(i)).as("run %d", i).isEqualTo(1);
            }
        }
        assertThat(mostAtOnce.get()).isEqualTo(2);
        // callers and helper threads share the work
        assertThat(threads.size()).isGreaterThan(counts.length);
    }

    @Test
    void a_failing_run_fails_the_call_and_the_slots_stay_usable() {
        try (InferenceSlots slots = new InferenceSlots(2, "test")) {
            assertThatThrownBy(
                            () ->
                                    slots.runAll(
                                            10,
                                            i -> {
                                                if (i == 3) {
                                                    throw new IllegalStateException("run 3 broke");
                                                }
                                            }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("run 3 broke");

            AtomicInteger ran = new AtomicInteger();
            slots.runAll(10, i -> ran.incrementAndGet());
            assertThat(ran.get()).isEqualTo(10);
        }
    }

    private static void spin() {
        long until = System.nanoTime() + 2_000_000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }
}
