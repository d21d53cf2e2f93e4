package io.kbstream.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * One simulated user of the soak, as two loops that never wait for each other: a searcher and a
 * writer (three uploads, half new documents and half new revisions of its own, to one delete of its
 * own documents). Each loop runs on a fixed schedule and times every request from its scheduled
 * start, so an upload is timed from before its first attempt through every retry until it is
 * acknowledged, and the time a loop fell behind (retrying 503s through a Kafka outage) counts for
 * every request it delayed: an outage shows in the p95 instead of silencing the users. A search
 * that gets no 200 is counted as failed and recorded as {@link #FAILED_MICROS}. The user owns its
 * ids, so each document's operations are sequential and its last acknowledged one is its end state.
 * Uploads and deletes are retried a second apart until acknowledged; a 404 on delete means there is
 * nothing to delete yet (not acknowledged, nothing promised).
 */
final class SoakWorker {

    /**
     * What a failed search is recorded as: the client's request timeout, the longest a user would
     * have waited for an answer that never came. A fast refusal must not lower the p95.
     */
    static final long FAILED_MICROS = FaultStack.REQUEST_TIMEOUT.toNanos() / 1000;

    /** Time between two scheduled requests of each loop of one user. */
    record Pace(Duration search, Duration write) {
        /** About the mix of the first soaks: 5 searches and 2.5 uploads per second and user. */
        static Pace standard() {
            return new Pace(Duration.ofMillis(200), Duration.ofMillis(300));
        }
    }

    /** Latencies (microseconds, from the scheduled start) and failures of one phase. */
    record Latencies(ConcurrentHistogram search, ConcurrentHistogram upload, LongAdder failed) {
        static Latencies create() {
            return new Latencies(
                    new ConcurrentHistogram(3), new ConcurrentHistogram(3), new LongAdder());
        }
    }

    /**
     * Where the users' requests are recorded: the phase running when a request was scheduled, and
     * every search and acknowledged upload with its scheduled start (for the fault windows).
     */
    record Recorder(
            Supplier<Latencies> phase,
            Queue<SoakWindows.Sample> searches,
            Queue<SoakWindows.Sample> uploads) {}

    private final LedgerClient client;
    private final Corpus corpus;
    private final String prefix;
    private final long seed;
    private final Pace pace;
    private final Recorder recorder;
    private final AtomicBoolean stopped;
    // the writer's own: only its thread touches them
    private final Map<Integer, Integer> revisions = new HashMap<>();
    private final List<Integer> live = new ArrayList<>();
    private int next;

    SoakWorker(
            LedgerClient client,
            Corpus corpus,
            String prefix,
            long seed,
            Pace pace,
            Recorder recorder,
            AtomicBoolean stopped) {
        this.client = client;
        this.corpus = corpus;
        this.prefix = prefix;
        this.seed = seed;
        this.pace = pace;
        this.recorder = recorder;
        this.stopped = stopped;
    }

    /** The two loops of this user, named for their threads. */
    Map<String, Runnable> loops() {
        return Map.of(
                prefix + "-search", () -> searches(new Random(seed)),
                prefix + "-write", () -> writes(new Random(seed + 1)));
    }

    private void searches(Random random) {
        long scheduled = System.nanoTime();
        try {
            while (!stopped.get()) {
                scheduled = waitFor(scheduled + pace.search().toNanos());
                Latencies phase = recorder.phase().get();
                LedgerClient.Search s = client.search(Corpus.query(random));
                long nanos = System.nanoTime() - scheduled;
                boolean failed = s.status() != 200;
                if (failed) {
                    phase.failed().increment();
                }
                phase.search().recordValue(failed ? FAILED_MICROS : nanos / 1000);
                recorder.searches().add(new SoakWindows.Sample(scheduled, nanos, failed));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writes(Random random) {
        long scheduled = System.nanoTime();
        try {
            while (!stopped.get()) {
                scheduled = waitFor(scheduled + pace.write().toNanos());
                if (random.nextInt(4) < 3 || live.isEmpty()) {
                    upload(random, scheduled);
                } else {
                    delete(random);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sleeps until {@code scheduled} unless the loop is already late; returns it. */
    private static long waitFor(long scheduled) throws InterruptedException {
        long ahead = scheduled - System.nanoTime();
        if (ahead > 0) {
            Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
        }
        return scheduled;
    }

    private void upload(Random random, long scheduled) throws InterruptedException {
        Latencies phase = recorder.phase().get();
        boolean fresh = live.isEmpty() || random.nextBoolean();
        int n = fresh ? next++ : live.get(random.nextInt(live.size()));
        int rev = fresh ? 0 : revisions.getOrDefault(n, 0) + 1;
        Corpus.Doc doc = corpus.revision(prefix, n, rev);
        while (!client.put(doc).acknowledged()) {
            if (stopped.get()) {
                return;
            }
            Thread.sleep(1000);
        }
        long nanos = System.nanoTime() - scheduled;
        phase.upload().recordValue(nanos / 1000);
        recorder.uploads().add(new SoakWindows.Sample(scheduled, nanos, false));
        revisions.put(n, rev);
        if (fresh) {
            live.add(n);
        }
    }

    private void delete(Random random) throws InterruptedException {
        int n = live.get(random.nextInt(live.size()));
        String id = corpus.doc(prefix, n).id();
        Ledger.Attempt attempt;
        while (!(attempt = client.delete(id)).acknowledged() && attempt.status() != 404) {
            if (stopped.get()) {
                return;
            }
            Thread.sleep(1000);
        }
        if (attempt.acknowledged()) {
            live.remove(Integer.valueOf(n));
        }
    }
}
