package io.kbstream.core.config;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The Postgres shards and the store over them: connections, pools, bucket routing, timeouts and the
 * vector index's search breadth.
 */
public final class PostgresOptions {

    private PostgresOptions() {}

    public static final ConfigOption<String> DATABASE =
            ConfigOption.key("kb.postgres.database")
                    .stringType()
                    .defaultValue("kb")
                    .withDescription("Database name on each shard.");

    public static final ConfigOption<List<String>> SHARDS =
            ConfigOption.key("kb.postgres.shards")
                    .listType()
                    .defaultFrom(PostgresOptions::localShards)
                    .withDescription(
                            "JDBC URLs of the shards, comma-separated; the order is the shard number.");

    public static final ConfigOption<List<String>> REPLICAS =
            ConfigOption.key("kb.postgres.replicas")
                    .listType()
                    .defaultFrom(PostgresOptions::localReplicas)
                    .withDescription(
                            "JDBC URLs of read-only streaming replicas, comma-separated: the i-th"
                                    + " serves shard i mod the shard count (all shards' first"
                                    + " replicas, then their second ...). Default: the local stack's replicas when"
                                    + " kb.postgres.shards is the local stack's, else none.");

    private static List<String> localShards(KbConfig c) {
        return IntStream.range(0, c.get(StackOptions.SHARD_COUNT))
                .mapToObj(i -> localUrl(c, c.get(StackOptions.PORT_BASE) + i))
                .toList();
    }

    private static String localUrl(KbConfig c, int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + c.get(DATABASE);
    }

    /**
     * The local stack's replicas, replica-major (see {@link StackOptions#replicaPort}), when the
     * shards are the local stack's; else none (other shards' replicas cannot be guessed).
     */
    private static List<String> localReplicas(KbConfig c) {
        if (!c.get(SHARDS).equals(localShards(c))) {
            return List.of();
        }
        List<String> urls = new java.util.ArrayList<>();
        for (int r = 0; r < c.get(StackOptions.REPLICAS_PER_SHARD); r++) {
            for (int s = 0; s < c.get(StackOptions.SHARD_COUNT); s++) {
                urls.add(localUrl(c, StackOptions.replicaPort(c, s, r)));
            }
        }
        return urls;
    }

    /** Where searches read: the one place the API's read/write split is chosen. */
    public enum ReadFrom {
        /** A healthy replica of each shard within the lag bound; the primary when none is. */
        REPLICAS_FIRST,
        /** The primary only, as writes (replicas unused). */
        PRIMARY_ONLY
    }

    public static final ConfigOption<ReadFrom> READ_FROM =
            ConfigOption.key("kb.store.read-from")
                    .enumType(ReadFrom.class)
                    .defaultValue(ReadFrom.REPLICAS_FIRST)
                    .withDescription(
                            "Where searches read: replicas-first (a healthy replica of each shard"
                                    + " lagging at most kb.store.max-replica-lag, else the primary)"
                                    + " or primary-only. Writes and reads that must see the latest"
                                    + " write (a document's status, counts) always use the primary.");

    public static final ConfigOption<java.time.Duration> MAX_REPLICA_LAG =
            ConfigOption.key("kb.store.max-replica-lag")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(5))
                    .withDescription(
                            "A replica whose replay lags its primary by more than this is skipped"
                                    + " by searches (the bound on how stale a search answered by a"
                                    + " replica can be, plus kb.store.replica-check-interval).");

    public static final ConfigOption<java.time.Duration> REPLICA_CHECK_INTERVAL =
            ConfigOption.key("kb.store.replica-check-interval")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(1))
                    .withDescription("How often the API measures each replica's replay lag.");

    public static final ConfigOption<String> USER =
            ConfigOption.key("kb.postgres.user")
                    .stringType()
                    .defaultValue("kb")
                    .withDescription("Database user on every shard.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOption.key("kb.postgres.password")
                    .stringType()
                    .secret()
                    .withDescription(
                            "Database password; the local stack generates one into .kb/secrets.properties.");

    public static final ConfigOption<Integer> POOL_SIZE =
            ConfigOption.key("kb.postgres.pool-size")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Connections per shard per process.");

    public static final ConfigOption<Integer> BUCKETS =
            ConfigOption.key("kb.store.buckets")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "Logical buckets (fixed for the life of the data): bucket = hash(tenant, id)"
                                    + " mod buckets; buckets map to shards.");

    public static final ConfigOption<java.time.Duration> SEARCH_TIMEOUT =
            ConfigOption.key("kb.store.search-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(2))
                    .withDescription(
                            "statement_timeout of one search query on one shard, so a slow shard"
                                    + " cannot hang a search.");

    public static final ConfigOption<java.time.Duration> WRITE_TIMEOUT =
            ConfigOption.key("kb.store.write-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(60))
                    .withDescription(
                            "statement_timeout of every other statement (upserts, deletes, migrations).");

    public static final ConfigOption<java.time.Duration> CONNECT_TIMEOUT =
            ConfigOption.key("kb.store.connect-timeout")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(3))
                    .withDescription(
                            "How long to wait for a pooled connection to a shard before giving up.");

    public static final ConfigOption<java.time.Duration> STARTUP_WAIT =
            ConfigOption.key("kb.store.startup-wait")
                    .durationType()
                    .defaultValue(java.time.Duration.ofSeconds(60))
                    .withDescription(
                            "How long opening the store keeps retrying a shard that accepts no"
                                    + " connection yet (still starting, or a busy machine) before"
                                    + " it fails. Searches never wait this long: they use"
                                    + " kb.store.connect-timeout.");

    public static final ConfigOption<Boolean> MIGRATE_ON_OPEN =
            ConfigOption.key("kb.store.migrate-on-open")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Apply the packaged shard migrations to every shard when the store opens.");

    public static final ConfigOption<Integer> EF_SEARCH =
            ConfigOption.key("kb.search.ef-search")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "HNSW ef_search per shard query: candidates examined (higher: better recall,"
                                    + " slower); a search asking for more chunks per shard uses"
                                    + " that many. On SciFact at k = 10 (30 chunks a shard),"
                                    + " nDCG@10 0.7549 at 64 against 0.7561 at 100 and 0.7573"
                                    + " exact (benchmark/results/ef-search-scifact-k10.json).");

    public static final ConfigOption<Integer> EXACT_BELOW_CHUNKS =
            ConfigOption.key("kb.search.exact-below-chunks")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription(
                            "A tenant with fewer chunks than this on a shard is searched there by"
                                    + " exact vector search (its rows by the tenant index) instead"
                                    + " of HNSW, whose graph holds every tenant's vectors; 0: never.");

    public static final ConfigOption<Double> EXACT_MAX_SHARE =
            ConfigOption.key("kb.search.exact-max-share")
                    .doubleType()
                    .defaultValue(0.5)
                    .withDescription(
                            "A tenant below kb.search.exact-below-chunks (and above 2,000 chunks)"
                                    + " is still searched by HNSW when it holds at least this share"
                                    + " of the model's vectors on"
                                    + " the shard: the graph is then mostly its own, few vectors"
                                    + " are walked past, and the walk reads far fewer rows than a"
                                    + " scan of all of the tenant's (on the SciFact tenant, ~6,200"
                                    + " chunks on a shard: 1 ms against 3.5 ms); above 1: never.");

    public static final ConfigOption<Double> BM25_K1 =
            ConfigOption.key("kb.search.bm25.k1")
                    .doubleType()
                    .defaultValue(1.2)
                    .withDescription(
                            "BM25 k1 (term-frequency saturation) of keyword search, as Lucene's"
                                    + " BM25Similarity.");

    public static final ConfigOption<Double> BM25_B =
            ConfigOption.key("kb.search.bm25.b")
                    .doubleType()
                    .defaultValue(0.75)
                    .withDescription(
                            "BM25 b (length normalization, 0..1) of keyword search. The postings are"
                                    + " ordered for b > 0: at b = 0 fewer answers are proven exact"
                                    + " early.");

    public static final ConfigOption<Integer> BM25_POSTINGS_PER_TERM =
            ConfigOption.key("kb.search.bm25.postings-per-term")
                    .intType()
                    .defaultValue(2048)
                    .withDescription(
                            "Postings per query term a shard reads in a keyword search's first"
                                    + " round, highest impact first: terms × this in all, shared"
                                    + " in proportion to the terms' IDF weights; four times more"
                                    + " per round until the top-k is proven exact.");

    public static final ConfigOption<Integer> BM25_MAX_POSTINGS_PER_TERM =
            ConfigOption.key("kb.search.bm25.max-postings-per-term")
                    .intType()
                    .defaultValue(2048)
                    .withDescription(
                            "The most postings per query term (shared as above) a keyword search"
                                    + " reads on a shard, which with kb.search.bm25.max-candidates"
                                    + " bounds its cost whatever the corpus size; an answer not"
                                    + " proven exact by then is the best of what was read; 0: no"
                                    + " limit.");

    public static final ConfigOption<Integer> BM25_MAX_CANDIDATES =
            ConfigOption.key("kb.search.bm25.max-candidates")
                    .intType()
                    .defaultValue(512)
                    .withDescription(
                            "The most candidate chunks a keyword search round scores exactly on a"
                                    + " shard (their other query terms looked up by key), best"
                                    + " known first, and at least 4 per chunk asked; with the"
                                    + " depth this bounds a query's cost; an answer that needed"
                                    + " more says so; 0: no limit.");
}
