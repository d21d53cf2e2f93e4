package io.kbstream.core.store;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;

/**
 * How keyword queries are scored and how deep they may read: Okapi BM25's {@code k1} and {@code b}
 * (as Lucene's {@code BM25Similarity}), and how many postings per query term a shard reads first
 * and at most (see {@link ShardedStore#keywordSearch}).
 *
 * @param postingsPerTerm postings of each term read in the first round
 * @param maxPostingsPerTerm the most postings of one term a query reads; 0 for no limit
 *     (exhaustive)
 * @param maxCandidates the most candidate chunks a round scores exactly (their other terms looked
 *     up by key), most promising first; 0 for no limit
 */
public record Bm25Settings(
        double k1, double b, int postingsPerTerm, int maxPostingsPerTerm, int maxCandidates) {

    /** Lucene's and BEIR's defaults: k1 = 1.2, b = 0.75. */
    public static final double DEFAULT_K1 = 1.2;

    public static final double DEFAULT_B = 0.75;

    public Bm25Settings {
        if (!(k1 >= 0 && k1 <= 10)) {
            throw new IllegalArgumentException("BM25 k1 must be in [0, 10]: " + k1);
        }
        if (!(b >= 0 && b <= 1)) {
            throw new IllegalArgumentException("BM25 b must be in [0, 1]: " + b);
        }
        if (postingsPerTerm < 1) {
            throw new IllegalArgumentException(
                    "postings read per term must be >= 1: " + postingsPerTerm);
        }
        if (maxPostingsPerTerm != 0 && maxPostingsPerTerm < postingsPerTerm) {
            throw new IllegalArgumentException(
                    "the most postings read per term ("
                            + maxPostingsPerTerm
                            + ") must be 0 (no limit) or >= those read first ("
                            + postingsPerTerm
                            + ")");
        }
        if (maxCandidates < 0) {
            throw new IllegalArgumentException(
                    "the most candidates scored must be 0 (no limit) or more: " + maxCandidates);
        }
    }

    /** No limit on the candidates scored: every answer at the depth reached is exact or says so. */
    public Bm25Settings(double k1, double b, int postingsPerTerm, int maxPostingsPerTerm) {
        this(k1, b, postingsPerTerm, maxPostingsPerTerm, 0);
    }

    /** From {@code kb.search.bm25.*}. */
    public static Bm25Settings fromConfig(KbConfig config) {
        return new Bm25Settings(
                config.get(PostgresOptions.BM25_K1),
                config.get(PostgresOptions.BM25_B),
                config.get(PostgresOptions.BM25_POSTINGS_PER_TERM),
                config.get(PostgresOptions.BM25_MAX_POSTINGS_PER_TERM),
                config.get(PostgresOptions.BM25_MAX_CANDIDATES));
    }

    /** The same scoring, reading every posting of every term: the reference top-k. */
    public Bm25Settings exhaustive() {
        return new Bm25Settings(k1, b, Integer.MAX_VALUE, 0, 0);
    }

    public boolean isExhaustive() {
        return maxPostingsPerTerm == 0
                && postingsPerTerm == Integer.MAX_VALUE
                && maxCandidates == 0;
    }
}
