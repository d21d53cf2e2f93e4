package io.kbstream.core.store;

import java.util.List;

/**
 * One shard's keyword answer.
 *
 * @param hits best first
 * @param exact proven equal to the exhaustive BM25 top-k of the shard; false only when the query
 *     reached {@link Bm25Settings#maxPostingsPerTerm()} first
 * @param postingsRead index entries the shard read for it (postings and key lookups)
 */
public record KeywordResult(List<ChunkHit> hits, boolean exact, long postingsRead) {

    public static final KeywordResult NONE = new KeywordResult(List.of(), true, 0);

    public KeywordResult {
        hits = List.copyOf(hits);
    }
}
