package io.kbstream.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * One simulated user of the soak: 60 % searches, 30 % uploads (half new documents, half new
 * revisions of its own), 10 % deletes of its own documents, 100 ms apart. It owns its ids, so each
 * document's operations are sequential and its last acknowledged one is its end state. Uploads and
 * deletes are retried a second apart until acknowledged; a 404 on delete means there is nothing to
 * delete yet (not acknowledged, nothing promised).
 */
final class SoakWorker implements Runnable {

    /** Latencies of answered requests, in microseconds, of the phase running now. */
    record Latencies(ConcurrentHistogram search, ConcurrentHistogram upload) {
        static Latencies create() {
            return new Latencies(new ConcurrentHistogram(3), new ConcurrentHistogram(3));
        }
    }

    private final LedgerClient client;
    private final Corpus corpus;
    private final String prefix;
    private final Random random;
    private final Supplier<Latencies> phase;
    private final AtomicBoolean stopped;
    private final Queue<SoakWindows.Sample> searches;
    private final Map<Integer, Integer> revisions = new HashMap<>();
    private final List<Integer> live = new ArrayList<>();
    private int next;

    SoakWorker(
            LedgerClient client,
            Corpus corpus,
            String prefix,
            long seed,
            Supplier<Latencies> phase,
            AtomicBoolean stopped,
            Queue<SoakWindows.Sample> searches) {
        this.client = client;
        this.corpus = corpus;
        this.prefix = prefix;
        this.random = new Random(seed);
        this.phase = phase;
        this.stopped = stopped;
        this.searches = searches;
    }

    @Override
    public void run() {
        try {
            while (!stopped.get()) {
                int dice = random.nextInt(10);
                if (dice < 6) {
                    search();
                } else if (dice < 9 || live.isEmpty()) {
                    upload();
                } else {
                    delete();
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void search() {
        long start = System.nanoTime();
        LedgerClient.Search s = client.search(Corpus.query(random));
        if (s.status() == 200) {
            phase.get().search().recordValue(s.nanos() / 1000);
            searches.add(new SoakWindows.Sample(start, s.nanos()));
        }
    }

    private void upload() throws InterruptedException {
        boolean fresh = live.isEmpty() || random.nextBoolean();
        int n = fresh ? next++ : live.get(random.nextInt(live.size()));
        int rev = fresh ? 0 : revisions.getOrDefault(n, 0) + 1;
        Corpus.Doc doc = corpus.revision(prefix, n, rev);
        Ledger.Attempt attempt;
        while (!(attempt = client.put(doc)).acknowledged()) {
            if (stopped.get()) {
                return;
            }
            Thread.sleep(1000);
        }
        phase.get().upload().recordValue((attempt.endNanos() - attempt.startNanos()) / 1000);
        revisions.put(n, rev);
        if (fresh) {
            live.add(n);
        }
    }

    private void delete() throws InterruptedException {
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
