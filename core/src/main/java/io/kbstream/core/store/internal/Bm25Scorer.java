package io.kbstream.core.store.internal;

/**
 * BM25's term-frequency part for one query (k1, b, avgdl), exactly as Lucene's {@code
 * BM25Similarity} computes it, and the upper bound of that part for postings not yet read.
 *
 * <p>Lucene keeps a chunk's length in one byte ({@code SmallFloat.intToByte4}: exact below 24, then
 * 4 significant bits), so lengths are rounded down the same way here: scores then match Lucene's
 * and Anserini's published BM25 to float precision.
 */
final class Bm25Scorer {

    /**
     * The parameters of the stored impact, {@code kb_bm25_impact(tf, length) = tf / (tf + IMPACT_C
     * + IMPACT_D × length)}: k1 = 1.2, b = 0.75, avgdl = 100, i.e. c = k1 (1 - b), d = k1 b /
     * avgdl. They must equal the SQL function's in schemas/sql/009_bm25_statistics.sql.
     */
    static final double IMPACT_C = 0.3;

    static final double IMPACT_D = 0.009;

    /** A length rounded down by Lucene's one-byte norm loses less than 1/9 of it. */
    private static final double ROUNDING = 8.0 / 9.0;

    /** Slack for the impact being stored as a float. */
    private static final double FLOAT_SLACK = 1 + 1e-6;

    private final double k1;
    private final double c;
    private final double d;
    private final double lambda;

    Bm25Scorer(double k1, double b, double avgdl) {
        this.k1 = k1;
        this.c = k1 * (1 - b);
        this.d = k1 * b / avgdl;
        // part = tf / (tf + c + d L), impact = tf / (tf + C0 + D0 l) with L >= (8/9) l and l >= 1.
        // c + d L >= lambda (C0 + D0 l) for every l >= 1 with lambda the smaller ratio at the two
        // ends, l = 1 and l -> infinity (a ratio of linear functions is monotone in l).
        this.lambda = Math.min((c + ROUNDING * d) / (IMPACT_C + IMPACT_D), ROUNDING * d / IMPACT_D);
    }

    /** {@code tf / (tf + k1 (1 - b + b L / avgdl))} with L the length as Lucene stores it. */
    double part(int tf, int length) {
        if (tf <= 0) {
            return 0;
        }
        return tf / (tf + c + d * luceneLength(length));
    }

    /**
     * An upper bound of {@link #part} for any posting whose stored impact is at most {@code
     * impact}: with K0 = tf (1 - i) / i from the impact and K >= lambda K0, part <= i / (i + lambda
     * (1 - i)). For k1 = 0 every part is 1 (or 0).
     */
    double bound(float impact) {
        if (impact <= 0) {
            return 0;
        }
        double i = Math.min(1.0, impact * FLOAT_SLACK);
        if (k1 == 0) {
            return 1;
        }
        return i / (i + lambda * (1 - i));
    }

    /** Lucene's {@code SmallFloat.byte4ToInt(SmallFloat.intToByte4(length))}. */
    static int luceneLength(int length) {
        if (length < 24) {
            return Math.max(0, length);
        }
        long v = length - 24L;
        int bits = 64 - Long.numberOfLeadingZeros(v);
        if (bits < 4) {
            return length;
        }
        int shift = bits - 4;
        return (int) Math.min(Integer.MAX_VALUE, 24 + ((v >>> shift) << shift));
    }
}
