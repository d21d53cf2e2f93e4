package io.kbstream.benchmark.report;

import java.time.Duration;
import java.util.List;

/**
 * How much load one report run puts on each design. {@link #full()} fits a quiet window of about 20
 * minutes on 2 cores; {@link #smoke()} takes about two minutes, for {@code ./kb test}.
 *
 * @param bulkDocs SciFact abstracts indexed per design and model (documents per hour)
 * @param importDocs abstracts of the bulk import the pipeline indexes while the API is measured
 * @param capacityRates open-loop rates of the generator's own ceiling ({@code /health/live})
 * @param rolesUploadRate uploads/s while comparing the pipeline at normal and lowered priority
 * @param rolesSearchRate uncached searches/s in the same comparison
 * @param uploadRate the upload target's open-loop rate (issue 16: at least 1,000/s)
 * @param searchRates open-loop rates of cached searches on the Zipf mix
 * @param targetUsers simulated users of the users target; bisection runs below it when it fails
 * @param floorUsers the lowest user count the bisection tries
 * @param claims SciFact claims of the Zipf search mix (all 1,109 in the full run; the cache warm-up
 *     asks each once, uncached)
 */
public record BenchSettings(
        int bulkDocs,
        int bulkInFlight,
        int importDocs,
        Duration indexWaitLimit,
        int coldQueries,
        List<Integer> capacityRates,
        Duration capacityStep,
        double rolesUploadRate,
        double rolesSearchRate,
        Duration rolesLength,
        double uploadRate,
        Duration uploadLength,
        List<Integer> searchRates,
        Duration searchStep,
        int targetUsers,
        int floorUsers,
        int syncTargetUsers,
        Duration userRamp,
        Duration userMeasure,
        Duration grace,
        int maxInFlight,
        double zipfExponent,
        int claims) {

    /** The seed's targets (issue 16). */
    public static final double UPLOAD_P95_TARGET_MS = 25;

    public static final double SEARCH_RATE_TARGET = 5000;
    public static final double SEARCH_P95_TARGET_MS = 10;
    public static final int USERS_TARGET = 10_000;
    public static final double USERS_P95_TARGET_MS = 200;
    public static final double ERROR_RATE_TARGET = 0.001;
    public static final double DOCS_PER_HOUR_TARGET = 100_000;

    public static BenchSettings full() {
        return new BenchSettings(
                800,
                8,
                4000,
                Duration.ofSeconds(300),
                100,
                List.of(2000, 5000, 10000, 15000, 20000),
                Duration.ofSeconds(5),
                200,
                4,
                Duration.ofSeconds(20),
                1000,
                Duration.ofSeconds(10),
                List.of(2500, 5000, 7500, 10000),
                Duration.ofSeconds(8),
                USERS_TARGET,
                1000,
                1000,
                Duration.ofSeconds(10),
                Duration.ofSeconds(15),
                Duration.ofSeconds(5),
                4096,
                1.0,
                Integer.MAX_VALUE);
    }

    public static BenchSettings smoke() {
        return new BenchSettings(
                8,
                4,
                16,
                Duration.ofSeconds(90),
                5,
                List.of(100, 500),
                Duration.ofSeconds(1),
                20,
                2,
                Duration.ofSeconds(2),
                100,
                Duration.ofSeconds(2),
                List.of(200),
                Duration.ofSeconds(2),
                40,
                20,
                20,
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                Duration.ofSeconds(3),
                256,
                1.0,
                40);
    }
}
