package io.kbstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.config.ClusterOptions;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PipelineOptions;
import io.kbstream.deploy.FlinkRestClient;
import io.kbstream.jobs.IndexingJob;
import io.kbstream.stack.FlinkCluster;
import io.kbstream.stack.JobSubmission;
import io.kbstream.stack.LocalAutoscaler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The indexing job on a real local Flink cluster (2 TaskManagers of one slot, adaptive scheduler)
 * of a private stack (port base + 500, {@code .kb/autoscale}), fed through the real API:
 *
 * <ol>
 *   <li>the operator's autoscaler ({@link LocalAutoscaler}, the dev overlay's settings with its
 *       time windows shortened) scales the embedding vertex up while a bulk ingest's backlog lasts
 *       and down once it drained;
 *   <li>the job is stopped with a savepoint and resumed from it at another parallelism.
 * </ol>
 *
 * Each ends with the fault suite's audit: every acknowledged document indexed exactly once. The
 * full run ({@code -Dkb.reliability=full}) ingests more and writes the timeline to {@code
 * benchmark/results/autoscale.{json,png}} (the short one under {@code reliability/target}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoscaleITCase {

    static final int PORT_OFFSET = 500;

    private static final FaultSettings SETTINGS = FaultSettings.fromSystemProperty();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String TENANT = "autoscale-" + RUN;

    /**
     * The dev overlay's job.autoscaler.* settings with its minutes made seconds, so a test sees a
     * decision: the algorithm and every other setting (utilization target, scale factors, bounds)
     * are the manifests'.
     */
    private static final Map<String, String> SHORTER_WINDOWS =
            Map.of(
                    "job.autoscaler.metrics.window", "25s",
                    "job.autoscaler.stabilization.interval", "10s",
                    "job.autoscaler.restart.time", "15s",
                    "job.autoscaler.restart.time-tracking.enabled", "false",
                    // a backlog must be cleared within this: the ingest's is far behind
                    "job.autoscaler.catch-up.duration", "20s",
                    "job.autoscaler.scale-down.interval", "0s");

    /**
     * Documents kept acknowledged and not yet indexed while scaling up: seconds of embedding work
     * on any machine, so the vertex never idles, and a drain of the same seconds afterwards.
     */
    private static final int BACKLOG = SETTINGS.isFull() ? 1000 : 400;

    /** An upper bound on the feed; it stops as soon as the autoscaler scaled up. */
    private static final int MAX_FEED = 50_000;

    private static final Duration FEED_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SCALE_TIMEOUT =
            SETTINGS.isFull() ? Duration.ofMinutes(15) : Duration.ofMinutes(6);

    private static FaultStack stack;
    private static FlinkCluster cluster;
    private static Ledger ledger;
    private static LedgerClient client;
    private static ShardAudit audit;
    private static String jobId;

    /** Taken before the private stack starts: a recorded run needs a quiet machine. */
    private static String loadAverageBefore;

    @BeforeAll
    static void startStackClusterAndJob() throws Exception {
        loadAverageBefore = SoakRun.loadAverage();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ClusterOptions.TASK_MANAGERS.key(), "2");
        settings.put(ClusterOptions.SLOTS.key(), "1");
        settings.put(PipelineOptions.PARALLELISM.key(), "1");
        settings.put(PipelineOptions.CHECKPOINT_INTERVAL.key(), "PT3S");
        stack =
                FaultStack.startWithoutPipeline(
                        "autoscale", PORT_OFFSET, List.of(TENANT), settings, System.out::println);
        cluster = stack.cluster();
        cluster.up(line -> System.out.println("cluster " + line.strip()));
        ledger = new Ledger();
        client = stack.client(TENANT, ledger);
        audit = new ShardAudit(stack.config());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.deleteTenants();
            stack.close();
        }
    }

    @Test
    @Order(1)
    void autoscaler_scales_embedding_up_under_a_backlog_and_down_after_it_drains_losing_nothing()
            throws Exception {
        AutoscaleTimeline timeline = new AutoscaleTimeline();
        Path events = cluster.autoscalerEvents();
        FlinkRestClient rest = cluster.rest();
        AtomicInteger indexed = new AtomicInteger();
        int docs;
        // The backlog is made, not hoped for: the feed keeps BACKLOG documents acknowledged and
        // not yet indexed (a head start before the job runs, then topped up as it indexes) until
        // the autoscaler has scaled up. The embedding vertex is so saturated for whole metrics
        // windows however fast this machine indexes, and the drain afterwards stays short.
        try (Uploads feed =
                        new Uploads(
                                        client,
                                        new Corpus(SETTINGS.seed()),
                                        "bulk",
                                        MAX_FEED,
                                        Duration.ZERO)
                                .gatedBy(acknowledged -> acknowledged - indexed.get() < BACKLOG)
                                .start(4);
                LocalAutoscaler autoscaler =
                        new LocalAutoscaler(
                                cluster,
                                LocalAutoscaler.settings("dev", SHORTER_WINDOWS),
                                events,
                                line -> System.out.println("autoscaler " + line))) {
            assertThat(FaultStack.waitUntil(() -> feed.acknowledged() >= BACKLOG, FEED_TIMEOUT))
                    .as("head start acknowledged")
                    .isTrue();
            jobId = JobSubmission.submit(stack.config(), cluster.restUri(), null, null);
            Thread loop =
                    new Thread(
                            () -> {
                                try {
                                    autoscaler.run(Duration.ofSeconds(5));
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "autoscaler");
            loop.setDaemon(true);
            loop.start();
            try {
                boolean scaledUp =
                        FaultStack.waitUntil(
                                () -> {
                                    sample(timeline, rest, feed.acknowledged(), indexed);
                                    List<Integer> steps = timeline.parallelismSteps();
                                    return steps.size() >= 2 && steps.get(1) > steps.get(0);
                                },
                                SCALE_TIMEOUT);
                feed.close();
                assertThat(scaledUp)
                        .as("embedding parallelism over time: " + timeline.parallelismSteps())
                        .isTrue();
                // down: once the backlog drained and a metrics window of low load passed
                boolean scaledDown =
                        FaultStack.waitUntil(
                                () -> {
                                    sample(timeline, rest, feed.acknowledged(), indexed);
                                    List<Integer> steps = timeline.parallelismSteps();
                                    return steps.get(steps.size() - 1) < steps.get(1);
                                },
                                SCALE_TIMEOUT);
                assertThat(scaledDown)
                        .as("embedding parallelism over time: " + timeline.parallelismSteps())
                        .isTrue();
            } finally {
                feed.close();
                loop.interrupt();
                Map<String, Object> header = new LinkedHashMap<>();
                header.put("mode", SETTINGS.mode());
                header.put("backlogKept", BACKLOG);
                header.put("documents", feed.acknowledged());
                header.put("taskManagers", 2);
                header.put("slotsPerTaskManager", 1);
                header.put("autoscalerOverrides", new java.util.TreeMap<>(SHORTER_WINDOWS));
                header.put("command", "./kb test --reliability (AutoscaleITCase)");
                header.put("loadAverageBefore", loadAverageBefore);
                // the run's own work (stack, cluster, embedding) loads the machine by then
                header.put("loadAverageAfter", SoakRun.loadAverage());
                header.put("cores", Runtime.getRuntime().availableProcessors());
                header.put("measuredAt", java.time.Instant.now().toString());
                timeline.write(
                        SETTINGS.isFull()
                                ? KbConfig.home().resolve("benchmark/results")
                                : KbConfig.home().resolve("reliability/target"),
                        "autoscale",
                        header);
            }
            docs = feed.acknowledged();
        }
        ShardAudit.Audit result =
                audit.awaitSettled(TENANT, ledger.expected(), SETTINGS.settleTimeout());
        assertThat(result.problems()).isEmpty();
        assertThat(result.lost()).isZero();
        assertThat(result.duplicated()).isZero();
        assertThat(result.indexed()).isEqualTo(docs);
    }

    @Test
    @Order(2)
    void job_stopped_with_a_savepoint_resumes_from_it_at_another_parallelism_losing_nothing()
            throws Exception {
        FlinkRestClient rest = cluster.rest();
        Corpus corpus = new Corpus(SETTINGS.seed() + 1);
        int before = SETTINGS.docs();
        try (Uploads first = new Uploads(client, corpus, "before", before, Duration.ZERO)) {
            first.start(2);
            assertThat(first.await(Duration.ofMinutes(2))).isTrue();
        }
        String savepoint =
                rest.stopWithSavepoint(
                        jobId,
                        cluster.stateDir().resolve("savepoints").toUri().toString(),
                        Duration.ofMinutes(2));
        int parallelismBefore = rest.vertexParallelism(jobId).get(IndexingJob.EMBED_NAME);

        // acknowledged while no job runs: the resumed job reads them from the savepoint's offsets
        try (Uploads during = new Uploads(client, corpus, "during", before, Duration.ZERO)) {
            during.start(2);
            assertThat(during.await(Duration.ofMinutes(2))).isTrue();
        }
        int other = parallelismBefore == 1 ? 2 : 1;
        Map<String, String> rescaled = new LinkedHashMap<>(stack.config().explicitValues());
        rescaled.put(PipelineOptions.PARALLELISM.key(), Integer.toString(other));
        jobId = JobSubmission.submit(KbConfig.load(rescaled), cluster.restUri(), null, savepoint);

        assertThat(rest.vertexParallelism(jobId).get(IndexingJob.EMBED_NAME)).isEqualTo(other);
        ShardAudit.Audit result =
                audit.awaitSettled(TENANT, ledger.expected(), SETTINGS.settleTimeout());
        assertThat(result.problems()).isEmpty();
        assertThat(result.lost()).isZero();
        assertThat(result.duplicated()).isZero();
        assertThat(result.acknowledged()).isEqualTo(ledger.expected().size());
    }

    private static void sample(
            AutoscaleTimeline timeline,
            FlinkRestClient rest,
            int acknowledged,
            AtomicInteger indexed) {
        try {
            Integer p = rest.vertexParallelism(jobId).get(IndexingJob.EMBED_NAME);
            indexed.set(audit.indexedCount(TENANT));
            var s = timeline.record(p == null ? 0 : p, acknowledged, indexed.get());
            System.out.printf(
                    "timeline %5.0fs parallelism %d backlog %d indexed/s %.1f%n",
                    s.seconds(), s.parallelism(), s.backlog(), s.indexedPerSecond());
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.out.println("timeline sample failed: " + e.getMessage());
        }
    }
}
