package io.kbstream.benchmark.report;

import java.util.function.IntPredicate;

/**
 * The largest load that holds a target, to within a ratio: the target first; when it fails, a
 * floor; then geometric bisection between the largest count that held and the smallest that failed
 * until they are within {@code precision} (1.10: within 10 %). Each probe is a real measurement, so
 * the number of probes matters: from 1,000–10,000 to 10 % takes five.
 */
record Bisection(int held, Integer lowestFailing, int probes) {

    static Bisection largestHolding(int target, int floor, double precision, IntPredicate holds) {
        int probes = 1;
        if (holds.test(target)) {
            return new Bisection(target, null, probes);
        }
        int failed = target;
        probes++;
        if (!holds.test(floor)) {
            return new Bisection(0, floor, probes);
        }
        int held = floor;
        while (failed / (double) held > precision) {
            int mid = (int) Math.round(Math.sqrt(held * (double) failed));
            if (mid <= held || mid >= failed) {
                break;
            }
            probes++;
            if (holds.test(mid)) {
                held = mid;
            } else {
                failed = mid;
            }
        }
        return new Bisection(held, failed, probes);
    }
}
