package io.kbstream.benchmark.eval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A paired bootstrap confidence interval for the mean per-query difference of two systems scored on
 * the same queries (Efron and Tibshirani; the usual significance check in IR evaluation): resample
 * the queries with replacement, take the mean of {@code a - b} over each resample, and read the
 * interval off the percentiles of those means.
 *
 * @param queries how many paired queries
 * @param meanDifference mean of {@code a - b} over the queries themselves
 * @param low the lower bound (the {@code (1 - level)/2} percentile of the resampled means)
 * @param high the upper bound
 * @param level the confidence level, e.g. 0.95
 * @param resamples how many resamples
 * @param seed the random seed, so the interval is reproducible
 */
public record PairedBootstrap(
        int queries,
        double meanDifference,
        double low,
        double high,
        double level,
        int resamples,
        long seed) {

    /**
     * The interval for {@code a - b} over the queries both map; a query only one of them scores is
     * an error, because the pairing would be a lie.
     */
    public static PairedBootstrap of(
            Map<String, Double> a, Map<String, Double> b, double level, int resamples, long seed) {
        if (!a.keySet().equals(b.keySet())) {
            throw new IllegalArgumentException(
                    "the two systems must be scored on the same queries");
        }
        if (a.isEmpty() || resamples < 1 || !(level > 0 && level < 1)) {
            throw new IllegalArgumentException(
                    "need queries, resamples >= 1 and a level in (0, 1)");
        }
        double[] diff = a.keySet().stream().mapToDouble(q -> a.get(q) - b.get(q)).toArray();
        double mean = Arrays.stream(diff).average().orElseThrow();
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double sum = 0;
            for (int i = 0; i < diff.length; i++) {
                sum += diff[random.nextInt(diff.length)];
            }
            means[r] = sum / diff.length;
        }
        Arrays.sort(means);
        double tail = (1 - level) / 2;
        return new PairedBootstrap(
                diff.length,
                mean,
                percentile(means, tail),
                percentile(means, 1 - tail),
                level,
                resamples,
                seed);
    }

    /**
     * The interval for the mean of {@code a} alone: {@code a} paired with a system that scores 0 on
     * every query, so {@link #meanDifference()} is {@code a}'s mean.
     */
    public static PairedBootstrap ofMean(
            Map<String, Double> a, double level, int resamples, long seed) {
        Map<String, Double> zero = new HashMap<>();
        a.keySet().forEach(q -> zero.put(q, 0.0));
        return of(a, zero, level, resamples, seed);
    }

    /** Whether the interval lies entirely above zero: {@code a} is better at this level. */
    public boolean excludesZeroAbove() {
        return low > 0;
    }

    /** The {@code p}-quantile of sorted values, by the nearest rank. */
    private static double percentile(double[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
