package io.kbstream.core.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A keyword query ready for every shard: its terms weighted by their global IDF, the tenant's
 * global average chunk length, and the settings. Built once from the statistics of all shards
 * ({@link #of}), then sent unchanged to each, so a chunk scores the same on any shard.
 *
 * <p>The score of a chunk is Lucene's BM25: the sum over the query's terms of {@code weight × tf /
 * (tf + k1 × (1 - b + b × length / avgdl))}, where {@code weight = idf × (times the query holds the
 * term)} and {@code idf = ln(1 + (N - df + 0.5) / (df + 0.5))} with N the tenant's chunks with any
 * lexeme and df those holding the term.
 */
public record Bm25Query(List<WeightedTerm> terms, double avgdl, Bm25Settings settings) {

    /** A query term and its weight (IDF times its frequency in the query). */
    public record WeightedTerm(String lexeme, double weight) {}

    public Bm25Query {
        terms = List.copyOf(terms);
        if (!terms.isEmpty() && !(avgdl > 0)) {
            throw new IllegalArgumentException("avgdl must be > 0: " + avgdl);
        }
    }

    /**
     * Weighs the query's terms with the statistics summed over all shards; terms no chunk of the
     * tenant holds are left out (they can match nothing).
     */
    public static Bm25Query of(Bm25Statistics global, Bm25Settings settings) {
        long n = global.chunkCount();
        List<WeightedTerm> terms = new ArrayList<>();
        for (Bm25Statistics.Term t : global.terms()) {
            long df = t.documentFrequency();
            if (df > 0 && n > 0) {
                terms.add(new WeightedTerm(t.lexeme(), t.queryFrequency() * idf(df, n)));
            }
        }
        double avgdl = n == 0 ? 1 : global.totalLength() / (double) n;
        return new Bm25Query(terms, avgdl, settings);
    }

    /** Lucene's BM25 IDF: always positive, even for a term in every chunk. */
    public static double idf(long df, long n) {
        return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    }

    /** Nothing to rank: every term was a stop word or is held by no chunk. */
    public boolean isEmpty() {
        return terms.isEmpty();
    }

    public Bm25Query with(Bm25Settings other) {
        return new Bm25Query(terms, avgdl, other);
    }
}
