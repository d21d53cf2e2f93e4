package io.kbstream.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Client threads uploading documents {@code prefix-00000 ..} as a well-behaved client does: each
 * document is sent until it is acknowledged (202), a second apart.
 */
final class Uploads implements AutoCloseable {

    /** The API says Retry-After: 5; a second keeps scenarios short while still backing off. */
    private static final long RETRY_MILLIS = 1000;

    private final LedgerClient client;
    private final Corpus corpus;
    private final String prefix;
    private final int count;
    private final Duration pace;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private volatile IntPredicate gate = acknowledged -> true;

    Uploads(LedgerClient client, Corpus corpus, String prefix, int count, Duration pace) {
        this.client = client;
        this.corpus = corpus;
        this.prefix = prefix;
        this.count = count;
        this.pace = pace;
    }

    /**
     * Sends the next document only while {@code open} holds for the count acknowledged so far
     * (polled every 100 ms otherwise): a feed that keeps a backlog rather than racing ahead.
     */
    Uploads gatedBy(IntPredicate open) {
        this.gate = open;
        return this;
    }

    /** Starts {@code clients} threads sharing the documents. */
    Uploads start(int clients) {
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(this::run, "upload-" + prefix + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** Documents acknowledged so far. */
    int acknowledged() {
        return done.get();
    }

    /** Waits until every document is acknowledged; false on timeout. */
    boolean await(Duration timeout) throws InterruptedException {
        return FaultStack.waitUntil(() -> done.get() >= count, timeout);
    }

    private void run() {
        try {
            for (int n = next.getAndIncrement();
                    n < count && !stopped.get();
                    n = next.getAndIncrement()) {
                while (!stopped.get() && !gate.test(done.get())) {
                    Thread.sleep(100);
                }
                if (sendUntilAcknowledged(corpus.doc(prefix, n))) {
                    done.incrementAndGet();
                }
                Thread.sleep(pace.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** False when stopped before the API acknowledged it (then it was never promised). */
    private boolean sendUntilAcknowledged(Corpus.Doc doc) throws InterruptedException {
        while (!stopped.get()) {
            if (client.put(doc).acknowledged()) {
                return true;
            }
            Thread.sleep(RETRY_MILLIS);
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        stopped.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }
}
