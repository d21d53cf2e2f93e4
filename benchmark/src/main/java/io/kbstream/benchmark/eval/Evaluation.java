package io.kbstream.benchmark.eval;

import io.kbstream.client.Accepted;
import io.kbstream.client.ApiClient;
import io.kbstream.client.ApiException;
import io.kbstream.client.SearchMode;
import io.kbstream.client.SearchQuery;
import io.kbstream.client.SearchResult;
import io.kbstream.client.Upload;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Runs a BEIR dataset through the real system: uploads the corpus through the public API (BEIR
 * {@code _id} as document id, a bounded number of uploads in flight), waits until the shards hold
 * every document of the tenant (with a progress bar), then sends every judged query through {@code
 * POST /v1/search} per mode and scores the answers.
 */
public final class Evaluation {

    /** Uploads in flight at once: enough to keep the API busy, few enough not to hit its limits. */
    public static final int UPLOADS_IN_FLIGHT = 12;

    private final BeirDataset data;
    private final ApiClient api;
    private final LongSupplier indexedDocuments;
    private final PrintStream out;

    /**
     * @param indexedDocuments how many documents of the tenant the shards hold (cheap: a count per
     *     shard)
     */
    public Evaluation(
            BeirDataset data, ApiClient api, LongSupplier indexedDocuments, PrintStream out) {
        this.data = data;
        this.api = api;
        this.indexedDocuments = indexedDocuments;
        this.out = out;
    }

    /** The answer of one mode: the run, its scores and the latencies seen. */
    public record ModeResult(
            String mode,
            Ranking run,
            Metrics metrics,
            Latencies latencies,
            int partial,
            int cached) {

        /** This answer as a report row; {@code model} is the one the API searched with. */
        public EvalReport.Row row(String model) {
            return new EvalReport.Row(
                    mode,
                    mode.equals("keyword") ? "-" : model,
                    "search API",
                    metrics,
                    latencies.summary(),
                    Map.of("partialResponses", partial, "cachedResponses", cached));
        }
    }

    /**
     * Uploads the corpus unless the tenant already holds all of it, then waits until it does.
     *
     * @param stall how long indexing may make no progress before this gives up
     * @return true if the corpus was uploaded, false if it was already indexed
     */
    public boolean index(Duration stall) throws Exception {
        int total = data.corpus().size();
        long already = indexedDocuments.getAsLong();
        if (already >= total) {
            out.printf(
                    "index     %s already holds %d of %d documents: upload skipped%n",
                    data.name(), already, total);
            return false;
        }
        long start = System.nanoTime();
        upload();
        out.printf(
                Locale.ROOT,
                "upload    %d documents accepted (202) in %.1f s%n",
                total,
                (System.nanoTime() - start) / 1e9);
        waitIndexed(total, already, stall);
        return true;
    }

    private void upload() throws Exception {
        Semaphore inFlight = new Semaphore(UPLOADS_IN_FLIGHT);
        AtomicReference<String> failure = new AtomicReference<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (BeirDataset.Doc doc : data.corpus().values()) {
            if (failure.get() != null) {
                break;
            }
            inFlight.acquire();
            pending.add(
                    putWithRetry(doc, 5)
                            .whenComplete(
                                    (accepted, error) -> {
                                        inFlight.release();
                                        if (error != null) {
                                            failure.compareAndSet(
                                                    null, doc.id() + ": " + apiError(error));
                                        }
                                    }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .exceptionally(e -> null)
                .join();
        if (failure.get() != null) {
            throw new IOException("upload refused: " + failure.get());
        }
    }

    /** 429 and 503 are the API asking to come back later: wait a little and try again. */
    private CompletableFuture<Accepted> putWithRetry(BeirDataset.Doc doc, int attempts) {
        return api.putAsync(
                        doc.id(),
                        new Upload(doc.title(), doc.indexedText(), "text/plain", Map.of()))
                .handle(
                        (accepted, error) -> {
                            if (error == null) {
                                return CompletableFuture.completedFuture(accepted);
                            }
                            if (apiError(error) instanceof ApiException e
                                    && (e.status() == 429 || e.status() == 503)
                                    && attempts > 1) {
                                return CompletableFuture.supplyAsync(
                                                () -> null,
                                                CompletableFuture.delayedExecutor(
                                                        1, java.util.concurrent.TimeUnit.SECONDS))
                                        .thenCompose(x -> putWithRetry(doc, attempts - 1));
                            }
                            return CompletableFuture.<Accepted>failedFuture(apiError(error));
                        })
                .thenCompose(f -> f);
    }

    private static Throwable apiError(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
    }

    private void waitIndexed(int total, long before, Duration stall) throws InterruptedException {
        long start = System.nanoTime();
        long lastProgress = start;
        long last = -1;
        boolean console = System.console() != null;
        long lastLine = 0;
        while (true) {
            long now = System.nanoTime();
            long done = indexedDocuments.getAsLong();
            if (done != last) {
                last = done;
                lastProgress = now;
            }
            double seconds = Math.max(1e-3, (now - start) / 1e9);
            // the first seconds' rate is noise (batches land at once): no ETA until 5 s have passed
            double rate = seconds < 5 ? 0 : Math.max(0, done - before) / seconds;
            String line = progress(done, total, rate);
            if (done >= total) {
                out.println(
                        (console ? "\r" : "")
                                + line
                                + String.format(Locale.ROOT, " in %.0f s", seconds));
                return;
            }
            if (console) {
                out.print("\r" + line);
                out.flush();
            } else if (now - lastLine > 10_000_000_000L) {
                out.println(line);
                lastLine = now;
            }
            if (now - lastProgress > stall.toNanos()) {
                if (console) {
                    out.println();
                }
                throw new IllegalStateException(
                        "indexing made no progress for "
                                + stall.toSeconds()
                                + " s: "
                                + done
                                + " of "
                                + total
                                + " documents indexed (is the pipeline running? see its log)");
            }
            Thread.sleep(1000);
        }
    }

    static String progress(long done, long total, double rate) {
        int width = 30;
        int filled = (int) Math.min(width, total == 0 ? width : done * width / total);
        String eta =
                rate <= 0
                        ? "--:--"
                        : String.format(
                                Locale.ROOT,
                                "%d:%02d",
                                (long) ((total - done) / rate) / 60,
                                (long) ((total - done) / rate) % 60);
        return String.format(
                Locale.ROOT,
                "indexed   [%s%s] %d/%d  %.1f docs/s  ETA %s",
                "#".repeat(filled),
                ".".repeat(width - filled),
                done,
                total,
                rate,
                eta);
    }

    /** Sends every judged query of the split through the search API in {@code mode}. */
    public ModeResult search(String mode, int k) throws Exception {
        Ranking run = new Ranking();
        Latencies latencies = new Latencies();
        int partial = 0;
        int cached = 0;
        for (Map.Entry<String, String> q : data.queries().entrySet()) {
            SearchQuery query = SearchQuery.of(q.getValue()).mode(SearchMode.parse(mode)).k(k);
            SearchResult answer = null;
            for (int attempt = 0; answer == null; attempt++) {
                long t0 = System.nanoTime();
                try {
                    answer = api.search(query);
                    latencies.record(System.nanoTime() - t0);
                } catch (ApiException e) {
                    if (attempt == 4 || (e.status() != 429 && e.status() != 503)) {
                        throw new IOException(
                                "search of query " + q.getKey() + " failed: " + e.getMessage(), e);
                    }
                    Thread.sleep(500);
                }
            }
            partial += answer.partial() ? 1 : 0;
            cached += answer.cached() ? 1 : 0;
            List<Ranking.Hit> hits = new ArrayList<>();
            for (SearchResult.Hit hit : answer.results()) {
                hits.add(new Ranking.Hit(hit.id(), hit.score()));
            }
            run.put(q.getKey(), hits);
        }
        return new ModeResult(
                mode, run, Scorer.score(data.qrels(), run), latencies, partial, cached);
    }
}
