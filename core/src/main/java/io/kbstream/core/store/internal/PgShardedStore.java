package io.kbstream.core.store.internal;

import com.pgvector.PGvector;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.kbstream.core.config.KbConfig;
import io.kbstream.core.config.PostgresOptions;
import io.kbstream.core.store.Bm25Query;
import io.kbstream.core.store.Bm25Statistics;
import io.kbstream.core.store.ChunkHit;
import io.kbstream.core.store.ChunkRow;
import io.kbstream.core.store.IndexedDocument;
import io.kbstream.core.store.KeywordResult;
import io.kbstream.core.store.PoolUsage;
import io.kbstream.core.store.ShardMigrations;
import io.kbstream.core.store.ShardNode;
import io.kbstream.core.store.ShardRouter;
import io.kbstream.core.store.ShardedStore;
import io.kbstream.core.store.StoreException;
import io.kbstream.core.store.StoredDocument;
import io.kbstream.core.store.TenantModels;
import io.kbstream.schemas.EventKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ShardedStore} over one HikariCP pool per Postgres shard primary, and one per replica
 * opened on its first search (a writer, such as the indexing job, never opens one).
 */
public final class PgShardedStore implements ShardedStore {

    private static final Logger LOG = LoggerFactory.getLogger(PgShardedStore.class);

    /** SQLSTATE of a statement cancelled by statement_timeout (query_canceled). */
    private static final String QUERY_CANCELED = "57014";

    /** HikariCP's shortest connection timeout. */
    private static final Duration REPLICA_CONNECT_TIMEOUT = Duration.ofMillis(250);

    /**
     * Below this many chunks a tenant is searched exactly whatever its share: scanning its rows
     * costs about what an HNSW walk does (on this machine ~0.6 µs a row, a walk ~1 ms).
     */
    private static final int EXACT_ALWAYS_BELOW_CHUNKS = 2_000;

    /** How long a tenant's vector share is trusted, and how many are kept (see vectorShares). */
    private static final long VECTOR_SHARE_TTL_NANOS = Duration.ofSeconds(1).toNanos();

    private static final int VECTOR_SHARES_KEPT = 10_000;

    private final List<String> urls;
    private final List<HikariDataSource> pools;
    private final ShardRouter router;
    private final long searchTimeoutMs;
    private final double exactMaxShare;

    private final List<List<String>> replicaUrls;
    private final Map<ShardNode, HikariDataSource> replicaPools = new ConcurrentHashMap<>();

    /**
     * Each tenant's share of a vector table by shard, table and tenant, reread after {@link
     * #VECTOR_SHARE_TTL_NANOS}: the exact-or-HNSW choice of a search need not cost a round trip of
     * its own when the tenant searched a moment ago (its size moves slowly; either path answers).
     */
    private final Map<String, VectorShare> vectorShares = new ConcurrentHashMap<>();

    /** Each primary's connections for searches (see {@link #readPool}), opened on first use. */
    private final Map<Integer, HikariDataSource> searchPools = new ConcurrentHashMap<>();

    /** The read connections' session ef_search: a search asking for another sets its own. */
    private final int sessionEfSearch;

    private final KbConfig config;

    /** Each model's vector table by shard and model: fixed once created (kb_model_vectors). */
    private final Map<String, String> vectorTables = new ConcurrentHashMap<>();

    /** Tenants whose model this process has recorded (see recordTenants). */
    private final java.util.Set<String> recordedTenants = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    private PgShardedStore(
            List<String> urls,
            List<List<String>> replicaUrls,
            List<HikariDataSource> pools,
            ShardRouter router,
            KbConfig config) {
        this.urls = List.copyOf(urls);
        this.pools = List.copyOf(pools);
        this.router = router;
        this.config = config;
        this.searchTimeoutMs = Math.max(1, config.get(PostgresOptions.SEARCH_TIMEOUT).toMillis());
        this.exactMaxShare = config.get(PostgresOptions.EXACT_MAX_SHARE);
        this.sessionEfSearch = efSearch(config.get(PostgresOptions.EF_SEARCH));
        this.replicaUrls = replicaUrls;
    }

    /** The i-th replica URL serves shard i mod the shard count. */
    static List<List<String>> replicasByShard(List<String> replicas, int shards) {
        List<List<String>> byShard = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            byShard.add(new ArrayList<>());
        }
        List<String> all = replicas == null ? List.of() : replicas;
        if (all.size() % shards != 0) {
            throw new IllegalArgumentException(
                    PostgresOptions.REPLICAS.key()
                            + " names "
                            + all.size()
                            + " replicas: expected a multiple of the "
                            + shards
                            + " shards (each shard the same number)");
        }
        for (int i = 0; i < all.size(); i++) {
            byShard.get(i % shards).add(all.get(i));
        }
        return byShard.stream().map(List::copyOf).toList();
    }

    public static PgShardedStore open(KbConfig config) {
        List<String> urls = config.get(PostgresOptions.SHARDS);
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException(
                    PostgresOptions.SHARDS.key() + " names no shard (JDBC URLs, comma-separated)");
        }
        ShardRouter router = ShardRouter.fromConfig(config);
        // checked before any pool opens
        List<List<String>> replicas =
                replicasByShard(config.get(PostgresOptions.REPLICAS), urls.size());
        Duration connect = config.get(PostgresOptions.CONNECT_TIMEOUT);
        List<HikariDataSource> pools = new ArrayList<>();
        try {
            for (int i = 0; i < urls.size(); i++) {
                pools.add(pool("shard-" + i, urls.get(i), config, writeSession(config), connect));
            }
        } catch (RuntimeException e) {
            pools.forEach(HikariDataSource::close);
            throw e;
        }
        PgShardedStore store = new PgShardedStore(urls, replicas, pools, router, config);
        if (config.get(PostgresOptions.MIGRATE_ON_OPEN)) {
            try {
                store.migrate(config.get(PostgresOptions.STARTUP_WAIT));
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
        return store;
    }

    /** Session settings of the connections that write (and read outside searches). */
    private static String writeSession(KbConfig config) {
        return "-c statement_timeout=" + config.get(PostgresOptions.WRITE_TIMEOUT).toMillis();
    }

    /**
     * Session settings of the connections that only read, for searches: set once when a connection
     * opens instead of by a SET in every search (each a round trip; a search's single statements
     * then run without a transaction). The search timeout, the default ef_search, iterative HNSW
     * scans, and no JIT: HNSW cost estimates can cross jit_above_cost, and compiling costs more
     * than the millisecond query.
     */
    private String searchSession() {
        return "-c statement_timeout="
                + searchTimeoutMs
                + " -c hnsw.ef_search="
                + sessionEfSearch
                + " -c hnsw.iterative_scan=relaxed_order -c jit=off";
    }

    /** pgvector's accepted range of hnsw.ef_search. */
    private static int efSearch(int requested) {
        return Math.max(1, Math.min(1000, requested));
    }

    private static HikariDataSource pool(
            String name, String url, KbConfig config, String session, Duration connect) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("kb-" + name);
        hc.setJdbcUrl(url);
        // by class, not through DriverManager: a Flink job's classloader may not see the driver
        // there
        hc.setDriverClassName("org.postgresql.Driver");
        hc.setUsername(config.get(PostgresOptions.USER));
        hc.setPassword(config.get(PostgresOptions.PASSWORD));
        hc.setMaximumPoolSize(config.get(PostgresOptions.POOL_SIZE));
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(Math.max(250, connect.toMillis()));
        // a shard that is down at start is reported when used, naming the shard, not here
        hc.setInitializationFailTimeout(-1);
        hc.addDataSourceProperty("options", session);
        // a shard that stops answering at the TCP level cannot hang a caller forever
        long socketSeconds =
                Math.max(
                                config.get(PostgresOptions.WRITE_TIMEOUT).toSeconds(),
                                config.get(PostgresOptions.SEARCH_TIMEOUT).toSeconds())
                        + 10;
        hc.addDataSourceProperty("socketTimeout", Long.toString(socketSeconds));
        hc.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, connect.toSeconds())));
        // JDBC batches of chunk inserts become multi-row INSERTs: one round trip per batch
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        hc.addDataSourceProperty("ApplicationName", "kb-stream");
        return new HikariDataSource(hc);
    }

    /** Applies the migrations to every shard. */
    public void migrate() {
        migrate(Duration.ZERO);
    }

    /**
     * Applies the migrations, retrying a shard that cannot be reached for up to {@code wait}: a
     * process started beside its shards (or on a busy machine) must not die because one connection
     * took longer than a search may wait.
     */
    private void migrate(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        for (int i = 0; i < pools.size(); i++) {
            while (true) {
                try {
                    ShardMigrations.apply(pools.get(i));
                    break;
                } catch (StoreException e) {
                    if (!e.isUnreachable() || System.nanoTime() > deadline) {
                        throw new StoreException(
                                i, urls.get(i) + ": " + e.getMessage(), e.getCause());
                    }
                    LOG.warn("shard {} not reachable yet, retrying: {}", i, e.getMessage());
                    sleepBeforeRetry();
                }
            }
        }
    }

    private static void sleepBeforeRetry() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(-1, "interrupted while waiting for a shard", e);
        }
    }

    @Override
    public PoolUsage poolUsage(int shard) {
        HikariDataSource pool = pools.get(checkShard(shard));
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        if (bean == null) { // not started yet, or closed
            return new PoolUsage(0, 0, 0, pool.getMaximumPoolSize());
        }
        return new PoolUsage(
                bean.getActiveConnections(),
                bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(),
                pool.getMaximumPoolSize());
    }

    @Override
    public DataSource dataSource(int shard) {
        return pools.get(checkShard(shard));
    }

    @Override
    public int shardCount() {
        return pools.size();
    }

    @Override
    public int shardOf(String tenant, String id) {
        return router.shardOf(tenant, id);
    }

    @Override
    public ShardRouter router() {
        return router;
    }

    @Override
    public void ensureModel(String model, int dimension) {
        for (int i = 0; i < pools.size(); i++) {
            try {
                vectorTables.put(
                        tableKey(i, model),
                        ShardMigrations.ensureModel(pools.get(i), model, dimension));
            } catch (StoreException e) {
                throw new StoreException(i, urls.get(i) + ": " + e.getMessage(), e.getCause());
            }
        }
    }

    private static String tableKey(int shard, String model) {
        return shard + "\u0000" + model;
    }

    /** {@code model}'s vector table on {@code shard}, created on first use by a writer. */
    private String vectorTable(int shard, String model, int dimension) {
        String table = vectorTables.get(tableKey(shard, model));
        if (table == null) {
            try {
                table = ShardMigrations.ensureModel(pools.get(shard), model, dimension);
            } catch (StoreException e) {
                throw new StoreException(shard, urls.get(shard) + ": " + e.getMessage(), e);
            }
            vectorTables.put(tableKey(shard, model), table);
        }
        return table;
    }

    /** {@code model}'s vector table as {@code c}'s shard knows it; null if it has none. */
    private String knownVectorTable(Connection c, int shard, String model) throws SQLException {
        String table = vectorTables.get(tableKey(shard, model));
        if (table != null) {
            return table;
        }
        try (PreparedStatement st = c.prepareStatement(SearchSql.FIND_MODEL_VECTORS)) {
            st.setString(1, model);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                table = rs.getString(1);
            }
        }
        vectorTables.put(tableKey(shard, model), table);
        return table;
    }

    /** The tenant's active model on this shard: its record, else the shard's first model. */
    private static String activeModel(Connection c, String tenant) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(SearchSql.FIND_TENANT_MODELS)) {
            st.setString(1, tenant);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
        }
        try (PreparedStatement st =
                c.prepareStatement("SELECT value FROM shard_info WHERE key = ?")) {
            st.setString(1, ShardMigrations.MODEL_KEY);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
        }
        throw new SQLException("the shard records no embedding model yet");
    }

    @Override
    public TenantModels tenantModels(ShardNode node, String tenant, String defaultModel) {
        Objects.requireNonNull(tenant, "tenant");
        try (Connection c = pool(node).getConnection();
                PreparedStatement st = c.prepareStatement(SearchSql.FIND_TENANT_MODELS)) {
            st.setString(1, tenant);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next()
                        ? new TenantModels(
                                tenant, rs.getString(1), rs.getString(2), rs.getString(3))
                        : TenantModels.only(tenant, defaultModel);
            }
        } catch (SQLException e) {
            throw failure(
                    node.shard(), node + ": reading the models of tenant " + tenant + " failed", e);
        }
    }

    @Override
    public void setTenantModels(TenantModels models) {
        // the first shard last: it is the one searches read, so it switches once all others have
        for (int shard = pools.size() - 1; shard >= 0; shard--) {
            try (Connection c = pools.get(shard).getConnection();
                    PreparedStatement st = c.prepareStatement(SearchSql.SET_TENANT_MODELS)) {
                st.setString(1, models.tenant());
                st.setString(2, models.active());
                st.setString(3, models.target());
                st.setString(4, models.previous());
                st.executeUpdate();
            } catch (SQLException e) {
                throw failure(shard, "recording the models of " + models.tenant() + " failed", e);
            }
        }
    }

    @Override
    public List<ChunkText> chunksWithoutVector(
            int shard, String tenant, String model, long afterId, int limit) {
        checkShard(shard);
        try (Connection c = pools.get(shard).getConnection()) {
            String table = knownVectorTable(c, shard, model);
            if (table == null) {
                throw new StoreException(
                        shard, "shard " + shard + " has no table for model " + model, null);
            }
            try (PreparedStatement st = c.prepareStatement(SearchSql.chunksWithoutVector(table))) {
                st.setString(1, tenant);
                st.setLong(2, afterId);
                st.setInt(3, limit);
                List<ChunkText> chunks = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        chunks.add(new ChunkText(rs.getLong(1), rs.getString(2)));
                    }
                }
                return chunks;
            }
        } catch (SQLException e) {
            throw failure(shard, "reading chunks without " + model + " vectors failed", e);
        }
    }

    @Override
    public void upsertVectors(
            int shard, String tenant, String model, long[] chunkIds, float[][] vectors) {
        checkShard(shard);
        if (chunkIds.length != vectors.length) {
            throw new IllegalArgumentException(
                    chunkIds.length + " chunk ids but " + vectors.length + " vectors");
        }
        if (chunkIds.length == 0) {
            return;
        }
        String table = vectorTable(shard, model, vectors[0].length);
        try (Connection c = pools.get(shard).getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement(SearchSql.upsertVector(table))) {
                for (int i = 0; i < chunkIds.length; i++) {
                    st.setObject(1, new PGvector(vectors[i]));
                    st.setString(2, tenant);
                    st.setLong(3, chunkIds[i]);
                    st.addBatch();
                }
                st.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure(shard, "writing " + model + " vectors failed", e);
        }
    }

    @Override
    public long countVectors(int shard, String tenant, String model) {
        checkShard(shard);
        try (Connection c = pools.get(shard).getConnection()) {
            String table = knownVectorTable(c, shard, model);
            if (table == null) {
                return 0;
            }
            try (PreparedStatement st = c.prepareStatement(SearchSql.countVectors(table))) {
                st.setString(1, tenant);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw failure(shard, "counting " + model + " vectors failed", e);
        }
    }

    @Override
    public void dropVectors(String tenant, String model) {
        for (int shard = 0; shard < pools.size(); shard++) {
            try (Connection c = pools.get(shard).getConnection()) {
                String table = knownVectorTable(c, shard, model);
                if (table == null) {
                    continue;
                }
                try (PreparedStatement st = c.prepareStatement(SearchSql.deleteVectors(table))) {
                    st.setString(1, tenant);
                    st.executeUpdate();
                }
            } catch (SQLException e) {
                throw failure(shard, "dropping " + model + " vectors failed", e);
            }
        }
    }

    // ---- writes -------------------------------------------------------------------------------

    @Override
    public int upsert(List<IndexedDocument> docs) {
        // per shard, the highest version of each document (a later duplicate wins a tie), sorted
        // by key so concurrent writers lock rows in the same order
        Map<Integer, Map<String, IndexedDocument>> byShard = new TreeMap<>();
        for (IndexedDocument doc : docs) {
            Map<String, IndexedDocument> group =
                    byShard.computeIfAbsent(shardOf(doc.tenant(), doc.id()), s -> new TreeMap<>());
            group.merge(
                    doc.tenant() + '\u0000' + doc.id(),
                    doc,
                    (old, neu) -> neu.version() >= old.version() ? neu : old);
        }
        recordTenants(docs);
        int applied = 0;
        for (Map.Entry<Integer, Map<String, IndexedDocument>> e : byShard.entrySet()) {
            List<IndexedDocument> group = new ArrayList<>(e.getValue().values());
            // before the write transaction: creating a model's table locks chunks (its foreign
            // key), which a writer holding chunk rows would wait on forever
            for (IndexedDocument d : group) {
                for (ChunkRow chunk : d.chunks()) {
                    vectorTable(e.getKey(), d.model(), chunk.embedding().length);
                    chunk.otherEmbeddings().forEach((m, v) -> vectorTable(e.getKey(), m, v.length));
                }
            }
            applied += upsertShard(e.getKey(), group);
        }
        return applied;
    }

    private int upsertShard(int shard, List<IndexedDocument> docs) {
        try (Connection c = pools.get(shard).getConnection()) {
            c.setAutoCommit(false);
            try {
                List<IndexedDocument> applied = new ArrayList<>();
                try (PreparedStatement up = c.prepareStatement(SearchSql.UPSERT_DOCUMENT)) {
                    for (IndexedDocument d : docs) {
                        up.setString(1, d.tenant());
                        up.setString(2, d.id());
                        up.setLong(3, d.version());
                        up.setString(4, d.contentHash());
                        up.setString(5, SearchSql.clean(d.title()));
                        up.setString(6, SearchSql.clean(SearchSql.json(d.metadata())));
                        up.setInt(7, d.chunks().size());
                        up.setString(8, d.model());
                        if (up.executeUpdate() > 0) {
                            applied.add(d);
                        } else {
                            LOG.debug("skipped stale {}/{} v{}", d.tenant(), d.id(), d.version());
                        }
                    }
                }
                if (!applied.isEmpty()) {
                    deleteChunksOf(c, applied);
                    try (PreparedStatement ins = c.prepareStatement(SearchSql.INSERT_CHUNK)) {
                        int pending = 0;
                        for (IndexedDocument d : applied) {
                            for (ChunkRow chunk : d.chunks()) {
                                ins.setString(1, d.tenant());
                                ins.setString(2, d.id());
                                ins.setInt(3, chunk.chunkNo());
                                ins.setLong(4, d.version());
                                ins.setString(5, SearchSql.clean(d.title()));
                                ins.setString(6, SearchSql.clean(chunk.text()));
                                ins.setInt(7, chunk.startChar());
                                ins.setInt(8, chunk.endChar());
                                ins.addBatch();
                                if (++pending == 256) {
                                    ins.executeBatch();
                                    pending = 0;
                                }
                            }
                        }
                        if (pending > 0) {
                            ins.executeBatch();
                        }
                    }
                    insertVectors(c, shard, applied);
                }
                c.commit();
                return applied.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure(shard, "upsert of " + docs.size() + " documents failed", e);
        }
    }

    /** Every model's vectors of the chunks just inserted, one batch per model. */
    private void insertVectors(Connection c, int shard, List<IndexedDocument> docs)
            throws SQLException {
        Map<String, PreparedStatement> byModel = new HashMap<>();
        try {
            for (IndexedDocument d : docs) {
                for (ChunkRow chunk : d.chunks()) {
                    addVector(c, shard, byModel, d, chunk.chunkNo(), d.model(), chunk.embedding());
                    for (Map.Entry<String, float[]> other : chunk.otherEmbeddings().entrySet()) {
                        addVector(
                                c,
                                shard,
                                byModel,
                                d,
                                chunk.chunkNo(),
                                other.getKey(),
                                other.getValue());
                    }
                }
            }
            for (PreparedStatement st : byModel.values()) {
                st.executeBatch();
            }
        } finally {
            for (PreparedStatement st : byModel.values()) {
                st.close();
            }
        }
    }

    private void addVector(
            Connection c,
            int shard,
            Map<String, PreparedStatement> byModel,
            IndexedDocument d,
            int chunkNo,
            String model,
            float[] vector)
            throws SQLException {
        PreparedStatement st = byModel.get(model);
        if (st == null) {
            st =
                    c.prepareStatement(
                            SearchSql.insertVector(vectorTable(shard, model, vector.length)));
            byModel.put(model, st);
        }
        st.setObject(1, new PGvector(vector));
        st.setString(2, d.tenant());
        st.setString(3, d.id());
        st.setInt(4, chunkNo);
        st.addBatch();
    }

    /**
     * A tenant's first write records the model it is written with, on every shard (searches read
     * the first shard's record, wherever the tenant's documents are); once per tenant and process.
     */
    private void recordTenants(List<IndexedDocument> docs) {
        Map<String, String> fresh = new TreeMap<>();
        for (IndexedDocument d : docs) {
            if (!recordedTenants.contains(d.tenant()) && !d.chunks().isEmpty()) {
                fresh.putIfAbsent(d.tenant(), d.model());
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        for (int shard = pools.size() - 1; shard >= 0; shard--) {
            try (Connection c = pools.get(shard).getConnection();
                    PreparedStatement st = c.prepareStatement(SearchSql.RECORD_TENANT_MODEL)) {
                for (Map.Entry<String, String> e : fresh.entrySet()) {
                    vectorTable(shard, e.getValue(), dimensionOf(docs, e.getKey()));
                    st.setString(1, e.getKey());
                    st.setString(2, e.getValue());
                    st.addBatch();
                }
                st.executeBatch();
            } catch (SQLException e) {
                throw failure(shard, "recording the models of new tenants failed", e);
            }
        }
        if (recordedTenants.size() > 100_000) {
            recordedTenants.clear(); // bounded; forgetting costs one idempotent insert
        }
        recordedTenants.addAll(fresh.keySet());
    }

    private static int dimensionOf(List<IndexedDocument> docs, String tenant) {
        for (IndexedDocument d : docs) {
            if (d.tenant().equals(tenant) && !d.chunks().isEmpty()) {
                return d.chunks().get(0).embedding().length;
            }
        }
        throw new IllegalStateException("no chunk of " + tenant);
    }

    /** The current chunks of these documents, one statement per tenant (docs sorted by key). */
    private static void deleteChunksOf(Connection c, List<IndexedDocument> docs)
            throws SQLException {
        try (PreparedStatement del = c.prepareStatement(SearchSql.DELETE_CHUNKS_OF_DOCUMENTS)) {
            int from = 0;
            while (from < docs.size()) {
                String tenant = docs.get(from).tenant();
                int to = from;
                while (to < docs.size() && docs.get(to).tenant().equals(tenant)) {
                    to++;
                }
                del.setString(1, tenant);
                del.setArray(
                        2,
                        c.createArrayOf(
                                "text",
                                docs.subList(from, to).stream()
                                        .map(IndexedDocument::id)
                                        .toArray()));
                del.executeUpdate();
                from = to;
            }
        }
    }

    @Override
    public boolean delete(String tenant, String id, long version) {
        int shard = shardOf(tenant, id);
        try (Connection c = pools.get(shard).getConnection();
                PreparedStatement st = c.prepareStatement(SearchSql.DELETE_DOCUMENT)) {
            st.setString(1, tenant);
            st.setString(2, id);
            st.setLong(3, version);
            return st.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failure(shard, "delete of " + EventKeys.documentKey(tenant, id) + " failed", e);
        }
    }

    @Override
    public long deleteTenant(String tenant) {
        Objects.requireNonNull(tenant, "tenant");
        recordedTenants.remove(tenant);
        long deleted = 0;
        for (int shard = 0; shard < pools.size(); shard++) {
            try (Connection c = pools.get(shard).getConnection()) {
                c.setAutoCommit(false);
                try {
                    for (int i = 0; i < SearchSql.DELETE_TENANT.size(); i++) {
                        try (PreparedStatement st =
                                c.prepareStatement(SearchSql.DELETE_TENANT.get(i))) {
                            st.setString(1, tenant);
                            int rows = st.executeUpdate();
                            if (i == 1) {
                                deleted += rows; // the documents
                            }
                        }
                    }
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                throw failure(shard, "delete of tenant " + tenant + " failed", e);
            }
        }
        return deleted;
    }

    // ---- reads --------------------------------------------------------------------------------

    @Override
    public Optional<StoredDocument> find(String tenant, String id) {
        int shard = shardOf(tenant, id);
        try (Connection c = pools.get(shard).getConnection();
                PreparedStatement st = c.prepareStatement(SearchSql.FIND_DOCUMENT)) {
            st.setString(1, tenant);
            st.setString(2, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next()
                        ? Optional.of(storedDocument(tenant, id, rs, 1))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure(shard, "find of " + EventKeys.documentKey(tenant, id) + " failed", e);
        }
    }

    @Override
    public List<StoredDocument> listDocuments(
            ShardNode node, String tenant, String afterId, int limit) {
        int shard = checkShard(node.shard());
        Objects.requireNonNull(tenant, "tenant");
        try (Connection c = readPool(node).getConnection()) {
            c.setAutoCommit(false);
            try {
                List<StoredDocument> page = new ArrayList<>();
                try (PreparedStatement st = c.prepareStatement(SearchSql.LIST_DOCUMENTS)) {
                    st.setString(1, tenant);
                    st.setString(2, afterId == null ? "" : afterId);
                    st.setInt(3, limit);
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            page.add(storedDocument(tenant, rs.getString(1), rs, 2));
                        }
                    }
                }
                c.commit();
                return page;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure(shard, node + ": document listing failed", e);
        }
    }

    /** A row of {@link SearchSql#FIND_DOCUMENT}'s columns, starting at column {@code from}. */
    private static StoredDocument storedDocument(String tenant, String id, ResultSet rs, int from)
            throws SQLException {
        return new StoredDocument(
                tenant,
                id,
                rs.getLong(from),
                rs.getString(from + 1),
                rs.getString(from + 2),
                SearchSql.parseJson(rs.getString(from + 3)),
                rs.getString(from + 4),
                rs.getString(from + 5),
                rs.getInt(from + 6),
                rs.getString(from + 7),
                instant(rs.getTimestamp(from + 8)),
                instant(rs.getTimestamp(from + 9)));
    }

    @Override
    public List<ChunkHit> vectorSearch(
            ShardNode node,
            String tenant,
            String model,
            float[] query,
            int k,
            Map<String, String> metadataFilter,
            int efSearch,
            int exactBelowChunks) {
        int shard = checkShard(node.shard());
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(query, "query");
        checkK(k);
        boolean filtered = metadataFilter != null && !metadataFilter.isEmpty();
        int ef = efSearch(efSearch);
        // the session's ef_search serves most searches; another needs its own transaction
        boolean ownEf = ef != sessionEfSearch;
        try (Connection c = readPool(node).getConnection()) {
            c.setAutoCommit(!ownEf);
            try {
                if (ownEf) {
                    try (PreparedStatement set = c.prepareStatement(SearchSql.EF_SEARCH_SETTING)) {
                        set.setString(1, Integer.toString(ef));
                        set.execute();
                    }
                }
                String table =
                        knownVectorTable(c, shard, model != null ? model : activeModel(c, tenant));
                if (table == null) {
                    // no vector of this model was ever written here
                    endRead(c);
                    return List.of();
                }
                boolean small = searchedExactly(c, shard, tenant, table, exactBelowChunks);
                List<ChunkHit> hits =
                        vectorQuery(c, table, filtered, small, tenant, query, k, metadataFilter);
                if (hits.size() < k && !small) {
                    // Fewer than k: either the tenant has fewer matching chunks, or the HNSW
                    // graph could not reach them (near-duplicate vectors and not yet vacuumed
                    // deletes leave parts of the graph unreachable even to an iterative scan).
                    // Re-ask exactly, without the vector index; cheap, as the tenant's or the
                    // filter's rows are few in both cases.
                    hits = vectorQuery(c, table, filtered, true, tenant, query, k, metadataFilter);
                }
                endRead(c);
                return hits;
            } catch (SQLException | RuntimeException e) {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
                throw e;
            }
        } catch (SQLException e) {
            throw failure(shard, node + ": vector search failed", e);
        }
    }

    /** Ends a read's transaction, if it opened one. */
    private static void endRead(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            c.commit();
        }
    }

    private static List<ChunkHit> vectorQuery(
            Connection c,
            String table,
            boolean filtered,
            boolean exact,
            String tenant,
            float[] query,
            int k,
            Map<String, String> metadataFilter)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement(SearchSql.vector(table, filtered, exact))) {
            int p = 1;
            st.setObject(p++, new PGvector(query));
            st.setString(p++, tenant);
            if (filtered) {
                st.setString(p++, SearchSql.json(metadataFilter));
            }
            st.setInt(p++, k);
            st.setString(p, tenant);
            return hits(st);
        }
    }

    /**
     * Whether the tenant is searched exactly here: a small tenant is, as reading its few rows costs
     * less than walking a graph that holds every other tenant's vectors too; unless it holds most
     * of the graph itself ({@code kb.search.exact-max-share}), when the walk passes few other
     * vectors and reads far fewer rows than the scan. The table's size is the planner's estimate.
     */
    private boolean searchedExactly(
            Connection c, int shard, String tenant, String table, int exactBelowChunks)
            throws SQLException {
        if (exactBelowChunks <= 0) {
            return false; // no lookup needed
        }
        String key = shard + "\u0000" + tenant + "\u0000" + table;
        long now = System.nanoTime();
        VectorShare share = vectorShares.get(key);
        if (share == null || now - share.readAt() > VECTOR_SHARE_TTL_NANOS) {
            try (PreparedStatement st = c.prepareStatement(SearchSql.TENANT_VECTOR_SHARE)) {
                st.setString(1, tenant);
                st.setString(2, table);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next(); // one row, always
                    share = new VectorShare(rs.getLong(1), rs.getDouble(2), now);
                }
            }
            if (vectorShares.size() >= VECTOR_SHARES_KEPT) {
                vectorShares.clear(); // bounded: the busy tenants come back at their next search
            }
            vectorShares.put(key, share);
        }
        return searchedExactly(share.chunks(), share.vectors(), exactBelowChunks, exactMaxShare);
    }

    /** A tenant's chunks on a shard and the rows of a vector table there, as read at a time. */
    private record VectorShare(long chunks, double vectors, long readAt) {}

    /**
     * The rule of {@link #searchedExactly(Connection, int, String, String, int)}.
     *
     * @param vectors rows of the model's vector table on the shard; not positive when unknown
     */
    static boolean searchedExactly(
            long chunks, double vectors, int exactBelowChunks, double exactMaxShare) {
        if (exactBelowChunks <= 0 || chunks >= exactBelowChunks) {
            return false;
        }
        return chunks < EXACT_ALWAYS_BELOW_CHUNKS
                || vectors <= 0
                || chunks < exactMaxShare * vectors;
    }

    @Override
    public Bm25Statistics keywordStatistics(ShardNode node, String tenant, String query) {
        int shard = checkShard(node.shard());
        Objects.requireNonNull(tenant, "tenant");
        if (query == null || query.isBlank()) {
            return Bm25Statistics.EMPTY;
        }
        // one statement, so no transaction
        try (Connection c = readPool(node).getConnection();
                PreparedStatement st = c.prepareStatement(SearchSql.BM25_STATISTICS)) {
            st.setString(1, SearchSql.clean(query));
            st.setString(2, tenant);
            st.setString(3, tenant);
            List<Bm25Statistics.Term> terms = new ArrayList<>();
            long chunks = 0;
            long length = 0;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    terms.add(
                            new Bm25Statistics.Term(rs.getString(1), rs.getInt(2), rs.getLong(3)));
                    chunks = rs.getLong(4);
                    length = rs.getLong(5);
                }
            }
            return new Bm25Statistics(terms, chunks, length);
        } catch (SQLException e) {
            throw failure(shard, node + ": keyword statistics failed", e);
        }
    }

    @Override
    public KeywordResult keywordSearch(
            ShardNode node,
            String tenant,
            Bm25Query query,
            int k,
            Map<String, String> metadataFilter) {
        int shard = checkShard(node.shard());
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(query, "query");
        checkK(k);
        if (query.isEmpty()) {
            return KeywordResult.NONE;
        }
        boolean filtered = metadataFilter != null && !metadataFilter.isEmpty();
        // no transaction: under read committed it would not give the rounds one snapshot anyway,
        // and its COMMIT would cost a round trip
        try (Connection c = readPool(node).getConnection()) {
            ImpactSearch.Ranked ranked =
                    new ImpactSearch(query)
                            .run(new PgPostings(c, tenant, query, metadataFilter), k, filtered);
            List<ChunkHit> hits = chunksById(c, tenant, ranked.top());
            return new KeywordResult(hits, ranked.exact(), ranked.postingsRead());
        } catch (SQLException e) {
            throw failure(shard, node + ": keyword search failed", e);
        }
    }

    /** The ranked chunks as hits, in the given order. */
    private static List<ChunkHit> chunksById(
            Connection c, String tenant, List<ImpactSearch.Scored> ranked) throws SQLException {
        if (ranked.isEmpty()) {
            return List.of();
        }
        Map<Long, ChunkHit> byId = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(SearchSql.CHUNKS_BY_ID)) {
            st.setString(1, tenant);
            st.setArray(
                    2,
                    c.createArrayOf(
                            "bigint", ranked.stream().map(ImpactSearch.Scored::chunkId).toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    byId.put(
                            rs.getLong(1),
                            new ChunkHit(
                                    rs.getString(2),
                                    rs.getInt(3),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getInt(6),
                                    rs.getInt(7),
                                    0));
                }
            }
        }
        List<ChunkHit> hits = new ArrayList<>(ranked.size());
        for (ImpactSearch.Scored s : ranked) {
            ChunkHit h = byId.get(s.chunkId());
            if (h != null) {
                hits.add(
                        new ChunkHit(
                                h.docId(),
                                h.chunkNo(),
                                h.title(),
                                h.text(),
                                h.startChar(),
                                h.endChar(),
                                s.score()));
            }
        }
        return hits;
    }

    @Override
    public long countChunks(int shard, String tenant) {
        return count(shard, SearchSql.COUNT_CHUNKS, tenant);
    }

    @Override
    public long countDocuments(int shard, String tenant) {
        return count(shard, SearchSql.COUNT_DOCUMENTS, tenant);
    }

    /**
     * Every tenant with documents on a shard: the one operator statement across tenants (a rebuild
     * of all of them), so it is kept out of {@link SearchSql}, whose statements are all audited to
     * filter on one tenant.
     */
    private static final String ALL_TENANTS =
            "SELECT DISTINCT tenant FROM documents ORDER BY tenant";

    @Override
    public List<String> tenants(int shard) {
        checkShard(shard);
        try (Connection c = pools.get(shard).getConnection();
                PreparedStatement st = c.prepareStatement(ALL_TENANTS);
                ResultSet rs = st.executeQuery()) {
            List<String> tenants = new ArrayList<>();
            while (rs.next()) {
                tenants.add(rs.getString(1));
            }
            return tenants;
        } catch (SQLException e) {
            throw failure(shard, "listing tenants failed", e);
        }
    }

    @Override
    public void ping(int shard) {
        checkShard(shard);
        try (Connection c = pools.get(shard).getConnection()) {
            if (!c.isValid((int) Math.max(1, (searchTimeoutMs + 999) / 1000))) {
                throw new StoreException(shard, urls.get(shard) + " does not answer", null);
            }
        } catch (SQLException e) {
            throw failure(shard, "ping failed", e);
        }
    }

    @Override
    public int replicaCount(int shard) {
        return replicaUrls.get(checkShard(shard)).size();
    }

    @Override
    public Duration replicaLag(ShardNode replica) {
        if (replica.isPrimary()) {
            return Duration.ZERO;
        }
        try (Connection c = pool(replica).getConnection();
                PreparedStatement st = c.prepareStatement(SearchSql.REPLAY_LAG_SECONDS)) {
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return Duration.ofNanos(Math.round(rs.getDouble(1) * 1e9));
            }
        } catch (SQLException e) {
            throw failure(replica.shard(), replica + ": replay lag failed", e);
        }
    }

    /**
     * The primary's pool, or the replica's, opened on first use. A replica only ever reads, so its
     * connections carry the search session ({@link #searchSession()}).
     */
    private DataSource pool(ShardNode node) {
        int shard = checkShard(node.shard());
        return node.isPrimary() ? pools.get(shard) : replicaPool(node);
    }

    /**
     * Connections for a search on {@code node}: a replica's, or the primary's search pool, opened
     * on first use beside its writers' (which keep the write timeout and no search settings).
     */
    private DataSource readPool(ShardNode node) {
        int shard = checkShard(node.shard());
        if (!node.isPrimary()) {
            return replicaPool(node);
        }
        return ifOpen(
                searchPools.computeIfAbsent(
                        shard,
                        s ->
                                pool(
                                        "shard-" + s + "-search",
                                        urls.get(s),
                                        config,
                                        searchSession(),
                                        config.get(PostgresOptions.CONNECT_TIMEOUT))));
    }

    private HikariDataSource replicaPool(ShardNode node) {
        int shard = node.shard();
        List<String> replicas = replicaUrls.get(shard);
        if (node.replica() >= replicas.size()) {
            throw new IllegalArgumentException(
                    "shard " + shard + " has " + replicas.size() + " replicas: " + node);
        }
        return ifOpen(
                replicaPools.computeIfAbsent(
                        node,
                        n ->
                                pool(
                                        "shard-" + shard + "-replica-" + n.replica(),
                                        replicas.get(n.replica()),
                                        config,
                                        searchSession(),
                                        // a replica is only ever one choice: one that gives no
                                        // connection at once (killed: the pool retries until
                                        // this timeout) is passed over for the primary while
                                        // the search's deadline still allows it
                                        REPLICA_CONNECT_TIMEOUT)));
    }

    /** A pool opened on first use by a call racing close() is closed again, not left open. */
    private HikariDataSource ifOpen(HikariDataSource pool) {
        if (closed) {
            pool.close();
        }
        return pool;
    }

    @Override
    public void close() {
        closed = true;
        for (HikariDataSource pool : pools) {
            pool.close();
        }
        replicaPools.values().forEach(HikariDataSource::close);
        searchPools.values().forEach(HikariDataSource::close);
    }

    @Override
    public String toString() {
        return "PgShardedStore" + urls;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private long count(int shard, String sql, String tenant) {
        checkShard(shard);
        try (Connection c = pools.get(shard).getConnection();
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, tenant);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw failure(shard, "count failed", e);
        }
    }

    private static List<ChunkHit> hits(PreparedStatement st) throws SQLException {
        List<ChunkHit> hits = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                hits.add(
                        new ChunkHit(
                                rs.getString(1),
                                rs.getInt(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getInt(5),
                                rs.getInt(6),
                                rs.getDouble(7)));
            }
        }
        return hits;
    }

    private StoreException failure(int shard, String what, SQLException e) {
        boolean timeout =
                QUERY_CANCELED.equals(e.getSQLState())
                        || e instanceof SQLTransientConnectionException;
        return new StoreException(
                shard, what + (timeout ? " (timed out)" : "") + ": " + e.getMessage(), e);
    }

    private int checkShard(int shard) {
        if (shard < 0 || shard >= pools.size()) {
            throw new IllegalArgumentException(
                    "shard " + shard + " not in [0, " + pools.size() + ")");
        }
        return shard;
    }

    private static void checkK(int k) {
        if (k < 1 || k > 10_000) {
            throw new IllegalArgumentException("k must be in [1, 10000]: " + k);
        }
    }

    private static java.time.Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
