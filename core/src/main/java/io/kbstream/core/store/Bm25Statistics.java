package io.kbstream.core.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What BM25 needs to know about a query and a tenant, from one shard or summed over all: the
 * query's distinct lexemes (Postgres' english analysis, the same as the chunks'), how often the
 * query holds each and in how many of the tenant's chunks each occurs, and the tenant's chunk count
 * and total length (in lexemes). Terms are kept in lexeme order. Summed over every shard these give
 * IDF and avgdl that do not depend on which shard holds a chunk.
 */
public record Bm25Statistics(List<Term> terms, long chunkCount, long totalLength) {

    /** A distinct lexeme of the query. */
    public record Term(String lexeme, int queryFrequency, long documentFrequency) {}

    public Bm25Statistics {
        // lexeme order: a shard returns its terms in any order, and equal statistics must be equal
        // records (and add up their scores in one order)
        terms = terms.stream().sorted(Comparator.comparing(Term::lexeme)).toList();
        if (chunkCount < 0 || totalLength < 0) {
            throw new IllegalArgumentException(
                    "negative statistics: " + chunkCount + " chunks, length " + totalLength);
        }
    }

    public static final Bm25Statistics EMPTY = new Bm25Statistics(List.of(), 0, 0);

    /**
     * The statistics of all shards together: counts and document frequencies add up. Every shard
     * analyses the same query text the same way, so the lexemes are the same; a lexeme's query
     * frequency is taken once.
     */
    public static Bm25Statistics sum(Collection<Bm25Statistics> shards) {
        Map<String, Term> terms = new LinkedHashMap<>();
        long chunks = 0;
        long length = 0;
        for (Bm25Statistics s : shards) {
            chunks += s.chunkCount();
            length += s.totalLength();
            for (Term t : s.terms()) {
                terms.merge(
                        t.lexeme(),
                        t,
                        (a, b) ->
                                new Term(
                                        a.lexeme(),
                                        Math.max(a.queryFrequency(), b.queryFrequency()),
                                        a.documentFrequency() + b.documentFrequency()));
            }
        }
        return new Bm25Statistics(new ArrayList<>(terms.values()), chunks, length);
    }
}
