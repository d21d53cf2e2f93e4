package io.kbstream.benchmark.load;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s: a few queries are asked often,
 * most rarely, as in real search logs (s around 1).
 */
public final class ZipfSampler {

    private final double[] cumulative;

    public ZipfSampler(int n, double s) {
        if (n < 1 || s < 0) {
            throw new IllegalArgumentException("need n >= 1 and s >= 0, got n=" + n + " s=" + s);
        }
        cumulative = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            cumulative[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
    }

    public int next(RandomGenerator random) {
        int i = Arrays.binarySearch(cumulative, random.nextDouble());
        int rank = i >= 0 ? i : -i - 1;
        return Math.min(rank, cumulative.length - 1);
    }

    public int size() {
        return cumulative.length;
    }
}
