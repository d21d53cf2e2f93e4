package io.kbstream.core.store;

import io.kbstream.core.config.KbConfig;
import io.kbstream.core.store.internal.PgShardedStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The documents and chunks of all tenants, spread over Postgres/pgvector shards by {@link
 * ShardRouter}. Writes route themselves; searches are per shard, scattered by the caller (which
 * owns parallelism and per-shard deadlines, and can answer with the shards that responded).
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
     * distance (HNSW, with iterative scan so the tenant and metadata filters do not starve the
     * result). Score is {@code 1 - distance}, best first.
     *
     * @param metadataFilter document metadata that must match exactly (all entries); empty for none
     * @param efSearch HNSW candidate list size ({@code hnsw.ef_search}), at least {@code k} is wise
     */
    List<ChunkHit> vectorSearch(
            int shard,
            String tenant,
            float[] query,
            int k,
            Map<String, String> metadataFilter,
            int efSearch);

    /**
     * Full-text search of {@code tenant}'s chunks on {@code shard}: chunks holding any of the
     * query's words (english stemming, stop words dropped; any input is safe, tsquery operators are
     * plain text), ranked by {@code ts_rank_cd}, so chunks with more of the words, closer together,
     * come first. A query without searchable words finds nothing.
     */
    List<ChunkHit> keywordSearch(
            int shard, String tenant, String query, int k, Map<String, String> metadataFilter);

    long countChunks(int shard, String tenant);

    long countDocuments(int shard, String tenant);

    /** Checks (or records, on a fresh shard) the embedding model on every shard. */
    void ensureModel(String model, int dimension);

    /** Throws a {@link StoreException} unless {@code shard} answers within the search timeout. */
    void ping(int shard);

    /** Deletes every document of {@code tenant} on every shard; returns documents deleted. */
    long deleteTenant(String tenant);

    @Override
    void close();
}
