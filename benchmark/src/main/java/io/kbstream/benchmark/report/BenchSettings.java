package io.kbstream.benchmark.report;

import java.time.Duration;
import java.util.List;

/**
 * How much load one report run puts on each design. {@link #full()} fits in well under 30 minutes
 * on 2 cores (the sync design stops early); {@link #smoke()} takes seconds.
 */
public record BenchSettings(
        int bulkDocs,
        int bulkInFlight,
        Duration bulkLimit,
        Duration indexWaitLimit,
        int coldQueries,
        List<Integer> throughputConcurrency,
        Duration throughputStep,
        List<Integer> userSteps,
        Duration userRamp,
        Duration userMeasure,
        int maxInFlight,
        int maxUploadsPerStep,
        double p95TargetMs,
        double errorRateTarget,
        double zipfExponent) {

    public static BenchSettings full() {
        return new BenchSettings(
                600,
                8,
                Duration.ofSeconds(150),
                Duration.ofSeconds(300),
                100,
                List.of(4, 16, 64),
                Duration.ofSeconds(10),
                List.of(10, 100, 1000, 5000, 10000),
                Duration.ofSeconds(8),
                Duration.ofSeconds(20),
                1024,
                200,
                200,
                0.001,
                1.0);
    }

    public static BenchSettings smoke() {
        return new BenchSettings(
                8,
                4,
                Duration.ofSeconds(60),
                Duration.ofSeconds(60),
                5,
                List.of(2),
                Duration.ofSeconds(2),
                List.of(2, 4),
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                64,
                2,
                200,
                0.001,
                1.0);
    }
}
