package io.kbstream.reliability;

import io.kbstream.core.config.RedisOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import redis.clients.jedis.Jedis;

/**
 * The fault scenarios, each on its own tenant of the {@link FaultStack}: load is applied, one part
 * is SIGKILLed and restarted, and the run ends with every acknowledged document checked against the
 * shards ({@link ShardAudit}). Each returns a row of the fault table whose {@code observed} map
 * carries the scenario's own checks.
 */
public final class FaultScenarios {

    /** Scenario names in the order they run; also each tenant's suffix. */
    public static final List<String> NAMES =
            List.of("kafka", "shard", "primary", "replica", "redis", "pipeline", "api");

    private final FaultStack stack;
    private final FaultSettings settings;
    private final String runId;
    private final Corpus corpus;
    private final ShardAudit audit;
    private final Consumer<String> log;

    public FaultScenarios(
            FaultStack stack, FaultSettings settings, String runId, Consumer<String> log) {
        this.stack = stack;
        this.settings = settings;
        this.runId = runId;
        this.corpus = new Corpus(settings.seed());
        this.audit = new ShardAudit(stack.config());
        this.log = log;
    }

    /** The tenant of a scenario in this run. */
    public static String tenant(String runId, String scenario) {
        return "faults-" + runId + "-" + scenario;
    }

    /**
     * The broker is SIGKILLed while clients upload: during the outage every upload must get 503
     * with Retry-After (never 202), and after the restart the API must accept again by itself.
     */
    public ScenarioResult kafkaBrokerKilled() throws Exception {
        Ledger ledger = new Ledger();
        LedgerClient client = stack.client(tenant(runId, "kafka"), ledger);
        UploadFault fault =
                killDuringUploads(client, "kafka", 2, Duration.ofMillis(100), settings.outage());
        Map<String, Object> observed = answersDuring(ledger, fault.outage());
        return settle(
                "kafka",
                "SIGKILL the broker during uploads",
                ledger,
                fault.outage(),
                fault.back(),
                observed);
    }

    /**
     * A whole shard (its primary and its replica) is SIGKILLed while the pipeline indexes: searches
     * meanwhile answer {@code partial: true}; the job retries (restarts from its checkpoint) until
     * the shard is back.
     */
    public ScenarioResult shardKilled() throws Exception {
        List<String> shard = List.of(stack.shard(1), stack.replica(1));
        return killedWhileIndexing("shard", "SIGKILL shard 1 (primary and replica)", shard);
    }

    /**
     * Shard 1's primary is SIGKILLed while the pipeline indexes: its replica answers every search
     * in full meanwhile, uploads are still acknowledged, and indexing resumes once the primary is
     * back.
     */
    public ScenarioResult primaryKilled() throws Exception {
        return killedWhileIndexing(
                "primary", "SIGKILL shard 1's primary while indexing", List.of(stack.shard(1)));
    }

    /** Shard 1's replica is SIGKILLed under load: searches go on from the primary. */
    public ScenarioResult replicaKilled() throws Exception {
        return killedWhileIndexing(
                "replica", "SIGKILL shard 1's replica while indexing", List.of(stack.replica(1)));
    }

    /**
     * Kills {@code services} once a quarter of the scenario's documents is indexed, uploads more
     * and searches for the outage, then restarts them in order.
     */
    private ScenarioResult killedWhileIndexing(String scenario, String fault, List<String> services)
            throws Exception {
        Ledger ledger = new Ledger();
        String tenant = tenant(runId, scenario);
        LedgerClient client = stack.client(tenant, ledger);
        uploadAll(client, scenario, settings.docs());
        awaitIndexedAtLeast(tenant, ledger, settings.docs() / 4);
        Outage outage = Outage.begin(() -> services.forEach(stack::kill));
        Map<String, Object> observed = new LinkedHashMap<>();
        // more work for the dead shard's documents while it is down
        try (Uploads late =
                new Uploads(client, corpus, scenario + "-late", settings.docs() / 2, Duration.ZERO)
                        .start(2)) {
            observed.putAll(searchesFor(client, settings.outage()));
            late.await(settings.settleTimeout());
        }
        observed.put(
                "uploadsDuringOutageNotAcknowledged",
                ledger.attempts().stream()
                        .filter(a -> outage.during(a) && !a.acknowledged())
                        .count());
        outage.restart(() -> services.forEach(stack::restart));
        double back = probeSearches(client, outage, s -> s.status() == 200 && !s.partial());
        return settle(scenario, fault, ledger, outage, back, observed);
    }

    /**
     * Redis is SIGKILLed: searches still answer (uncached), uploads still succeed, statuses come
     * from the shard; after the restart searches are cached in Redis again.
     */
    public ScenarioResult redisKilled() throws Exception {
        Ledger ledger = new Ledger();
        String tenant = tenant(runId, "redis");
        LedgerClient client = stack.client(tenant, ledger);
        uploadAll(client, "redis", settings.docs() / 2);
        audit.awaitSettled(tenant, ledger.expected(), settings.settleTimeout());
        Map<String, Object> observed = new LinkedHashMap<>();
        String warm = "protein cell membrane";
        client.search(warm);
        observed.put("repeatedSearchCachedBefore", client.search(warm).cached());
        observed.put("redisSearchKeysBefore", searchKeys(tenant));
        Outage outage = Outage.begin(() -> stack.kill("redis"));
        long started = System.nanoTime();
        try (Uploads late =
                new Uploads(client, corpus, "redis-late", settings.docs() / 2, Duration.ZERO)
                        .start(2)) {
            // the evidence of the outage: the query cached before is answered uncached now
            client.search(warm);
            observed.put("repeatedSearchCachedDuring", client.search(warm).cached());
            observed.putAll(searchesFor(client, settings.outage().dividedBy(2)));
            observed.put("statusOfIndexedDocument", client.status(corpus.doc("redis", 0).id()));
            late.await(settings.settleTimeout());
        }
        observed.put(
                "uploadsDuringOutageNotAcknowledged",
                ledger.attempts().stream()
                        .filter(a -> outage.during(a) && !a.acknowledged())
                        .count());
        Thread.sleep(
                Math.max(
                        0,
                        settings.outage().toMillis() - (System.nanoTime() - started) / 1_000_000));
        outage.restart(() -> stack.restart("redis"));
        double back =
                probeSearches(client, outage, s -> s.status() == 200 && searchKeys(tenant) > 0);
        observed.put("redisSearchKeysAfter", searchKeys(tenant));
        return settle("redis", "SIGKILL Redis", ledger, outage, back, observed);
    }

    /**
     * The pipeline process is SIGKILLed mid-ingest and restarted: it resumes from its newest
     * retained checkpoint, and counts come out exact.
     */
    public ScenarioResult pipelineKilled() throws Exception {
        Ledger ledger = new Ledger();
        String tenant = tenant(runId, "pipeline");
        LedgerClient client = stack.client(tenant, ledger);
        // three times the documents and the kill at the first indexed one: an idle machine
        // indexes a few dozen documents in about a second, faster than the kill goes through
        int docs = 3 * settings.docs();
        uploadAll(client, "pipeline", docs);
        awaitIndexedAtLeast(tenant, ledger, 1);
        long resumesBefore = resumes();
        Outage outage = Outage.begin(() -> stack.kill("pipeline"));
        // counted once the process is gone: nothing more is indexed until the restart
        int before = awaitIndexedAtLeast(tenant, ledger, 0);
        Thread.sleep(2000);
        int beforeRestart = awaitIndexedAtLeast(tenant, ledger, 0);
        outage.restart(() -> stack.restart("pipeline"));
        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("indexedAtKill", before);
        observed.put("indexedWhileDown", beforeRestart - before);
        observed.put("resumedFromCheckpoint", resumes() > resumesBefore);
        // back in service: the first document indexed after the restart
        int after = before < docs ? awaitIndexedAtLeast(tenant, ledger, before + 1) : before;
        double back = after > before ? outage.sinceRestart() : -1;
        observed.put("jobsAfterRestart", stack.flinkJobs());
        return settle(
                "pipeline",
                "SIGKILL the Flink pipeline mid-ingest",
                ledger,
                outage,
                back,
                observed);
    }

    /** The API is SIGKILLed under upload load and restarted: no acknowledged upload is lost. */
    public ScenarioResult apiKilled() throws Exception {
        Ledger ledger = new Ledger();
        LedgerClient client = stack.client(tenant(runId, "api"), ledger);
        UploadFault fault =
                killDuringUploads(client, "api", 4, Duration.ofMillis(50), Duration.ZERO);
        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("uploadsWithoutAnswer", ledger.count(0));
        return settle(
                "api",
                "SIGKILL the API under upload load",
                ledger,
                fault.outage(),
                fault.back(),
                observed);
    }

    /** The timeline of a fault under upload load and when uploads were accepted again. */
    private record UploadFault(Outage outage, double back) {}

    /**
     * Uploads {@code docs} documents named after {@code service}; once a quarter is acknowledged,
     * kills {@code service}, keeps it down for {@code down}, restarts it, and probes until an
     * upload is acknowledged again; returns when every document is acknowledged.
     */
    private UploadFault killDuringUploads(
            LedgerClient client, String service, int clients, Duration pace, Duration down)
            throws Exception {
        // slow enough that most documents are still to come when the kill has gone through
        Duration paced = max(pace, down.multipliedBy(2L * clients).dividedBy(settings.docs()));
        try (Uploads uploads =
                new Uploads(client, corpus, service, settings.docs(), paced).start(clients)) {
            awaitAcknowledged(uploads, settings.docs() / 4);
            Outage outage = Outage.begin(() -> stack.kill(service));
            Thread.sleep(down.toMillis());
            outage.restart(() -> stack.restart(service));
            double back = probeUploads(client, service + "-probe", outage);
            uploads.await(settings.settleTimeout());
            return new UploadFault(outage, back);
        }
    }

    private ScenarioResult settle(
            String scenario,
            String fault,
            Ledger ledger,
            Outage outage,
            double back,
            Map<String, Object> observed)
            throws InterruptedException {
        ShardAudit.Audit result =
                audit.awaitSettled(
                        tenant(runId, scenario), ledger.expected(), settings.settleTimeout());
        double allIndexed = outage.sinceRestart();
        ScenarioResult row =
                ScenarioResult.of(
                        scenario, fault, result, outage.seconds(), back, allIndexed, observed);
        log.accept("result " + row);
        return row;
    }

    private void uploadAll(LedgerClient client, String prefix, int count) throws Exception {
        try (Uploads uploads = new Uploads(client, corpus, prefix, count, Duration.ZERO).start(4)) {
            if (!uploads.await(settings.settleTimeout())) {
                throw new IllegalStateException("uploads of " + prefix + " were not acknowledged");
            }
        }
    }

    private void awaitAcknowledged(Uploads uploads, int count) throws InterruptedException {
        if (!FaultStack.waitUntil(
                () -> uploads.acknowledged() >= count, settings.settleTimeout())) {
            throw new IllegalStateException("fewer than " + count + " uploads acknowledged");
        }
    }

    /** Waits until at least {@code count} acknowledged documents are indexed; returns how many. */
    private int awaitIndexedAtLeast(String tenant, Ledger ledger, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + settings.settleTimeout().toNanos();
        int indexed = 0;
        while (System.nanoTime() < deadline) {
            try {
                indexed = audit.audit(tenant, ledger.expected()).indexed();
                if (indexed >= count) {
                    return indexed;
                }
            } catch (SQLException shardDown) {
                // not yet
            }
            Thread.sleep(200);
        }
        return indexed;
    }

    /** Uploads probe documents every 250 ms until one is acknowledged; seconds since restart. */
    private double probeUploads(LedgerClient client, String prefix, Outage outage)
            throws InterruptedException {
        for (int n = 0; outage.sinceRestart() < settings.settleTimeout().toSeconds(); n++) {
            if (client.put(corpus.doc(prefix, n)).acknowledged()) {
                return outage.sinceRestart();
            }
            Thread.sleep(250);
        }
        return -1;
    }

    /** Searches every 250 ms until {@code normal} holds; seconds since restart. */
    private double probeSearches(
            LedgerClient client,
            Outage outage,
            java.util.function.Predicate<LedgerClient.Search> normal)
            throws InterruptedException {
        Random random = new Random(settings.seed());
        while (outage.sinceRestart() < settings.settleTimeout().toSeconds()) {
            if (normal.test(client.search(Corpus.query(random)))) {
                return outage.sinceRestart();
            }
            Thread.sleep(250);
        }
        return -1;
    }

    /** Searches for {@code duration}; counts answers by status and partial/cached flags. */
    private Map<String, Object> searchesFor(LedgerClient client, Duration duration)
            throws InterruptedException {
        Random random = new Random(settings.seed() + 1);
        Map<String, Object> counts = new TreeMap<>();
        List<Long> nanos = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            LedgerClient.Search s = client.search(Corpus.query(random));
            nanos.add(s.nanos());
            counts.merge("searchStatus" + s.status(), 1, (a, b) -> (int) a + (int) b);
            if (s.partial()) {
                counts.merge("searchPartial", 1, (a, b) -> (int) a + (int) b);
            }
            if (s.cached()) {
                counts.merge("searchCached", 1, (a, b) -> (int) a + (int) b);
            }
            Thread.sleep(200);
        }
        Collections.sort(nanos);
        counts.put("searchMedianMs", Math.round(nanos.get(nanos.size() / 2) / 100_000.0) / 10.0);
        return counts;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * Upload answers of attempts begun while the broker was down, by status; and how many of the
     * attempts that also ended before the restart were acknowledged (must be none).
     */
    private static Map<String, Object> answersDuring(Ledger ledger, Outage outage) {
        Map<String, Object> out = new TreeMap<>();
        out.put("acknowledgedWhileDown", 0);
        for (Ledger.Attempt a : ledger.attempts()) {
            if (outage.startedDuring(a)) {
                out.merge("outageStatus" + a.status(), 1, (x, y) -> (int) x + (int) y);
                if (a.status() == 503 && a.retryAfter()) {
                    out.merge("outage503WithRetryAfter", 1, (x, y) -> (int) x + (int) y);
                }
            }
            if (outage.during(a) && a.acknowledged()) {
                out.merge("acknowledgedWhileDown", 1, (x, y) -> (int) x + (int) y);
            }
        }
        return out;
    }

    /** Search responses of {@code tenant} cached in Redis (0 while Redis is down). */
    private long searchKeys(String tenant) {
        try (Jedis jedis =
                new Jedis(
                        stack.config().get(RedisOptions.HOST),
                        stack.config().get(RedisOptions.PORT),
                        2000)) {
            jedis.auth(stack.config().get(RedisOptions.PASSWORD));
            // every generation's entries: kb:search:{tenant}:{generation}:{sha} (RedisKeys.search)
            return jedis.keys("kb:search:" + tenant + ":*").size();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** How often the pipeline's log says it resumed from a retained checkpoint. */
    private long resumes() {
        try {
            return Files.readAllLines(stack.pipeline().logFile(), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("resuming from retained checkpoint"))
                    .count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
