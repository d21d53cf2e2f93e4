package io.kbstream.core.store;

/**
 * One search hit on one shard: a chunk of a document, with the document's title.
 *
 * @param text the whole chunk text (callers cut their own snippet)
 * @param score higher is better: {@code 1 - cosine distance} for vector search, {@code ts_rank_cd}
 *     for keyword search (the two scales are not comparable; fuse by rank)
 */
public record ChunkHit(
        String docId,
        int chunkNo,
        String title,
        String text,
        int startChar,
        int endChar,
        double score) {}
