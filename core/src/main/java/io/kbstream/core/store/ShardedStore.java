package io.kbstream.core.store;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.store.internal.PgShardedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The documents and chunks of all tenants, spread over Postgres/pgvector shards by {@link
 * ShardRouter}. Writes route themselves; searches are per shard, scattered by the caller (which
 * owns parallelism and per-shard deadlines, and can answer with the shards that responded).
 *
 * <p>Searches may name a {@link ShardNode}: a shard's primary or one of its read-only replicas
 * ({@code kb.postgres.replicas}). Writes, finds and counts always go to the primary: they must see
 * the latest write.
 *
 * <p>Every statement is scoped by tenant and fully parameterised. Failures are {@link
 * StoreException}s naming the shard. Thread-safe: one store per process, shared.
 */
public interface ShardedStore extends AutoCloseable {

    /**
     * Opens one connection pool per shard of {@code config} ({@code kb.postgres.*}) and, unless
     * {@code kb.store.migrate-on-open=false}, applies the packaged migrations to every shard.
     */
    static ShardedStore open(KbConfig config) {
        return PgShardedStore.open(config);
    }

    int shardCount();

    /** The shard number of a document (see {@link ShardRouter}). */
    int shardOf(String tenant, String id);

    ShardRouter router();

    /**
     * Writes document versions, one transaction per shard. Per document: its row is inserted or
     * replaced only if the incoming version is ≥ the stored one (a stale version is skipped), and
     * then its chunks are replaced as a whole. Replaying the same batch leaves exactly one copy.
     * Within one call, only the highest version of a document is written.
     *
     * <p>Shards commit independently: if one fails (exception), others may have committed; the
     * caller retries the whole batch, which is safe because the write is idempotent.
     *
     * @return how many documents were applied (not stale)
     */
    int upsert(List<IndexedDocument> docs);

    /**
     * Deletes a document and its chunks if the stored version is ≤ {@code version}.
     *
     * @return true if a row was deleted
     */
    boolean delete(String tenant, String id, long version);

    Optional<StoredDocument> find(String tenant, String id);

    /**
     * The {@code k} chunks of {@code tenant} on {@code shard} nearest to {@code query} by cosine
     * distance, best first; score is {@code 1 - distance}. A tenant with fewer chunks on the shard
     * than {@code exactBelowChunks} is searched exactly (its rows by the tenant index, sorted by
     * distance: cheap for a small tenant, and it does not walk a graph full of other tenants'
     * vectors); a larger one by HNSW with iterative scan, so the tenant and metadata filters do not
     * starve the result.
     *
     * @param metadataFilter document metadata that must match exactly (all entries); empty for none
     * @param efSearch HNSW candidate list size ({@code hnsw.ef_search}), at least {@code k} is wise
     * @param exactBelowChunks tenants with fewer chunks on the shard are searched exactly; 0 never
     */
    default List<ChunkHit> vectorSearch(
            int shard,
            String tenant,
            float[] query,
            int k,
            Map<String, String> metadataFilter,
            int efSearch,
            int exactBelowChunks) {
        return vectorSearch(
                ShardNode.primary(shard),
                tenant,
                query,
                k,
                metadataFilter,
                efSearch,
                exactBelowChunks);
    }

    /**
     * {@link #vectorSearch(int, String, float[], int, Map, int, int)} on one node of a shard, over
     * the vectors of the tenant's active model there.
     */
    default List<ChunkHit> vectorSearch(
            ShardNode node,
            String tenant,
            float[] query,
            int k,
            Map<String, String> metadataFilter,
            int efSearch,
            int exactBelowChunks) {
        return vectorSearch(
                node, tenant, null, query, k, metadataFilter, efSearch, exactBelowChunks);
    }

    /**
     * The same over the vectors of {@code model} ({@code query} must be that model's embedding);
     * null for the tenant's active model as this shard records it (or the model of a tenant not
     * recorded, {@link #ensureModel}'s first). The API names the model it embedded the query with,
     * so every shard of one search reads the same model's vectors even while the tenant switches.
     */
    List<ChunkHit> vectorSearch(
            ShardNode node,
            String tenant,
            String model,
            float[] query,
            int k,
            Map<String, String> metadataFilter,
            int efSearch,
            int exactBelowChunks);

    /**
     * This shard's share of the BM25 statistics of {@code query} for {@code tenant}: the query's
     * lexemes (Postgres' english configuration: parser, stop words, Snowball stemmer; any input is
     * safe, it is never parsed as tsquery syntax) with their document frequencies here, and the
     * tenant's chunk count and total length here. {@link Bm25Statistics#sum} of every shard's
     * share, then {@link Bm25Query#of}, gives the query each shard ranks by.
     */
    default Bm25Statistics keywordStatistics(int shard, String tenant, String query) {
        return keywordStatistics(ShardNode.primary(shard), tenant, query);
    }

    /** {@link #keywordStatistics(int, String, String)} on one node of a shard. */
    Bm25Statistics keywordStatistics(ShardNode node, String tenant, String query);

    /**
     * The {@code k} chunks of {@code tenant} on {@code shard} with the highest BM25 score for
     * {@code query} (weighted with global statistics, so scores do not depend on the shard), best
     * first, ties by chunk. Reads at most {@link Bm25Settings#maxPostingsPerTerm()} postings per
     * query term, first those with the highest impact, and stops as soon as no unread chunk can
     * enter the top k; see {@link KeywordResult#exact()}.
     *
     * @param metadataFilter document metadata that must match exactly (all entries); empty for none
     */
    default KeywordResult keywordSearch(
            int shard, String tenant, Bm25Query query, int k, Map<String, String> metadataFilter) {
        return keywordSearch(ShardNode.primary(shard), tenant, query, k, metadataFilter);
    }

    /** {@link #keywordSearch(int, String, Bm25Query, int, Map)} on one node of a shard. */
    KeywordResult keywordSearch(
            ShardNode node,
            String tenant,
            Bm25Query query,
            int k,
            Map<String, String> metadataFilter);

    /** How many read-only replicas {@code shard} has (0: searches read its primary). */
    int replicaCount(int shard);

    /**
     * How far a replica's replay trails its primary: 0 when it has replayed all it received (or was
     * promoted), else the age of the last transaction it replayed. Throws a {@link StoreException}
     * when the replica does not answer.
     */
    Duration replicaLag(ShardNode replica);

    /**
     * Keyword search over every shard in turn: statistics from all, then each shard's top {@code
     * k}, merged; best first (ties by document and chunk). For tools and tests; the API scatters in
     * parallel itself.
     */
    default List<ChunkHit> keywordSearch(
            String tenant,
            String query,
            int k,
            Map<String, String> metadataFilter,
            Bm25Settings settings) {
        List<Bm25Statistics> statistics = new ArrayList<>();
        for (int s = 0; s < shardCount(); s++) {
            statistics.add(keywordStatistics(s, tenant, query));
        }
        Bm25Query weighted = Bm25Query.of(Bm25Statistics.sum(statistics), settings);
        List<ChunkHit> hits = new ArrayList<>();
        for (int s = 0; s < shardCount(); s++) {
            hits.addAll(keywordSearch(s, tenant, weighted, k, metadataFilter).hits());
        }
        hits.sort(
                Comparator.comparingDouble(ChunkHit::score)
                        .reversed()
                        .thenComparing(ChunkHit::docId)
                        .thenComparingInt(ChunkHit::chunkNo));
        return List.copyOf(hits.subList(0, Math.min(k, hits.size())));
    }

    /**
     * The tenant's documents on one node of a shard whose id comes after {@code afterId} (null:
     * from the first), at most {@code limit}, in byte order of their ids (the order of Redis'
     * lexicographic ranges, whatever the database's collation): a keyset page for listings.
     */
    List<StoredDocument> listDocuments(ShardNode node, String tenant, String afterId, int limit);

    long countChunks(int shard, String tenant);

    long countDocuments(int shard, String tenant);

    /** The tenants with at least one document on {@code shard}, in order (a rebuild's check). */
    List<String> tenants(int shard);

    /**
     * Makes room for {@code model}'s vectors on every shard (its vector table and HNSW index, once)
     * and, on a fresh shard, records it as the shard's first model. A model already known with
     * another dimension is refused.
     */
    void ensureModel(String model, int dimension);

    /**
     * The tenant's models as the first shard records them (the single place a search reads, so the
     * switch is atomic); {@code defaultModel} alone for a tenant without a record.
     */
    default TenantModels tenantModels(String tenant, String defaultModel) {
        return tenantModels(ShardNode.primary(0), tenant, defaultModel);
    }

    /** The same read from one node of the first shard (a replica may be a moment behind). */
    TenantModels tenantModels(ShardNode node, String tenant, String defaultModel);

    /**
     * Records the tenant's models on every shard, the first shard last: a reader sees the change
     * only once every shard has it. Every model named must have been {@link #ensureModel}ed.
     */
    void setTenantModels(TenantModels models);

    /** A tenant's chunk without a vector of some model: its id and text. */
    record ChunkText(long id, String text) {}

    /**
     * Up to {@code limit} chunks of {@code tenant} on {@code shard} that have no vector of {@code
     * model}, in chunk id order after {@code afterId} (a re-embed job's resumable position).
     */
    List<ChunkText> chunksWithoutVector(
            int shard, String tenant, String model, long afterId, int limit);

    /**
     * Writes {@code model}'s vectors of these chunks, replacing any (idempotent: a replay writes
     * the same); chunks deleted meanwhile are skipped. One transaction.
     */
    void upsertVectors(int shard, String tenant, String model, long[] chunkIds, float[][] vectors);

    /** How many vectors of {@code model} {@code tenant} has on {@code shard} (0 if none). */
    long countVectors(int shard, String tenant, String model);

    /** Deletes every vector of {@code model} of {@code tenant}, on every shard. */
    void dropVectors(String tenant, String model);

    /** Throws a {@link StoreException} unless {@code shard} answers within the search timeout. */
    void ping(int shard);

    /** The connection pool of {@code shard}'s primary (the tenant catalog on shard 0). */
    javax.sql.DataSource dataSource(int shard);

    /** The connection pool of {@code shard} now (metrics). */
    PoolUsage poolUsage(int shard);

    /** Deletes every document of {@code tenant} on every shard; returns documents deleted. */
    long deleteTenant(String tenant);

    @Override
    void close();
}
