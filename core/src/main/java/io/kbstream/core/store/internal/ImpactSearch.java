package io.kbstream.core.store.internal;

import io.kbstream.core.store.Bm25Query;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The top-k chunks of one shard by BM25, reading only the first postings of each query term in
 * impact order (Fagin's threshold algorithm, with MaxScore-style pruning of the candidates).
 *
 * <p>One round reads {@code terms × depth} postings in all, the first of each term in impact order,
 * shared among the terms in proportion to their weights. Every chunk seen is a candidate; its parts
 * for the terms it was not seen under are fetched by key, unless even their upper bounds cannot
 * lift it into the top k. A chunk seen under no term scores at most {@code τ = Σ weight ×
 * bound(impact of the term's last posting read)} (0 for a term read to its end). If the k-th best
 * exact score is above τ, no unseen chunk can enter the top k: the answer equals the exhaustive
 * BM25 top-k (ties broken by chunk id in both). Otherwise the depth grows fourfold and the round
 * repeats, up to the query's maximum; an answer at the maximum that is not proven exact says so
 * ({@link Ranked#exact()} false) and is the best of the candidates read.
 *
 * <p>A round scores at most {@code max(maxCandidates, 4k)} candidates exactly; if the budget runs
 * out before the others are ruled out, they are dropped and the answer is not proven exact.
 *
 * <p>Cost: at most {@code terms × maxPostingsPerTerm × 4/3} postings read, plus per round at most
 * {@code maxCandidates × (terms - 1)} key lookups, whatever the number of chunks holding the terms.
 */
final class ImpactSearch {

    /** Where postings come from: the shard's indexes (SQL) or, in tests, memory. */
    interface Postings {
        /**
         * The first {@code depth} postings of each term by impact, highest first ({@code depth}
         * {@link Integer#MAX_VALUE}: all of them). {@link Posting#term()} is the term's index.
         */
        List<Posting> first(int[] depths) throws SQLException;

        /**
         * The postings these chunks have for any of these term indexes; a (chunk, term) pair
         * without a posting means the chunk does not hold the term. One index descent per chunk: a
         * chunk's postings lie together in the (chunk, term) key order.
         */
        List<Posting> lookup(long[] chunkIds, int[] terms) throws SQLException;

        /** Those of these chunks that pass the search's metadata filter. */
        Set<Long> passing(Collection<Long> chunkIds) throws SQLException;
    }

    record Posting(int term, long chunkId, int tf, int length, float impact) {}

    record Scored(long chunkId, double score) {}

    /**
     * @param top best first, at most k
     * @param exact proven equal to the exhaustive top-k
     * @param postingsRead postings read in all rounds, key lookups included
     */
    record Ranked(List<Scored> top, boolean exact, long postingsRead, int rounds) {}

    /**
     * A budget of candidates is at least this many per chunk asked: a search for many results (kb
     * eval's 100 ask each shard for 300 chunks) must score well beyond them to rank them right (on
     * SciFact at k = 300, a budget of 512 proved 63 % of the answers exact, 1,200 all but a few).
     */
    static final int CANDIDATES_PER_RESULT = 4;

    static final Comparator<Scored> ORDER =
            Comparator.comparingDouble(Scored::score).reversed().thenComparingLong(Scored::chunkId);

    private final Bm25Query query;
    private final Bm25Scorer scorer;
    private final double[] weights;

    ImpactSearch(Bm25Query query) {
        this.query = query;
        this.scorer = new Bm25Scorer(query.settings().k1(), query.settings().b(), query.avgdl());
        this.weights = query.terms().stream().mapToDouble(Bm25Query.WeightedTerm::weight).toArray();
    }

    Ranked run(Postings postings, int k, boolean filtered) throws SQLException {
        int max =
                query.settings().maxPostingsPerTerm() == 0
                        ? Integer.MAX_VALUE
                        : query.settings().maxPostingsPerTerm();
        int depth = Math.min(query.settings().postingsPerTerm(), max);
        long read = 0;
        for (int round = 1; ; round++) {
            Round r = round(postings, depth, k, filtered);
            read += r.read;
            if (r.exact || depth >= max) {
                return new Ranked(r.top, r.exact, read, round);
            }
            depth = (int) Math.min(max, depth * 4L);
        }
    }

    private record Round(List<Scored> top, boolean exact, long read) {}

    /** Highest known sum first, then highest upper bound. */
    private static final Comparator<Candidate> BEST_KNOWN_FIRST =
            (a, b) -> {
                int byKnown = Double.compare(b.known, a.known);
                return byKnown != 0 ? byKnown : Double.compare(b.upper, a.upper);
            };

    /**
     * One candidate chunk: its part per term, NaN where not known yet; the weighted sum of its
     * known parts and its upper bound, kept current so sorting and pruning do not re-add the parts.
     */
    private static final class Candidate {
        final long chunkId;
        final double[] parts;
        double known;
        double upper;

        Candidate(long chunkId, int terms) {
            this.chunkId = chunkId;
            this.parts = new double[terms];
            Arrays.fill(parts, Double.NaN);
        }
    }

    private Round round(Postings postings, int depth, int k, boolean filtered) throws SQLException {
        int terms = weights.length;
        int[] depths = depths(depth);
        List<Posting> first = postings.first(depths);
        int[] seen = new int[terms];
        float[] lastImpact = new float[terms];
        Arrays.fill(lastImpact, Float.MAX_VALUE);
        Map<Long, Candidate> candidates = new HashMap<>(first.size() * 2);
        for (Posting p : first) {
            seen[p.term()]++;
            lastImpact[p.term()] = Math.min(lastImpact[p.term()], p.impact());
            candidates.computeIfAbsent(p.chunkId(), id -> new Candidate(id, terms))
                            .parts[p.term()] =
                    scorer.part(p.tf(), p.length());
        }
        // a term with fewer postings than the depth was read to its end: chunks not seen under it
        // do not hold it. Otherwise an unseen posting's part is at most the bound of the last one.
        double[] unseenBound = new double[terms];
        double tau = 0;
        for (int t = 0; t < terms; t++) {
            boolean complete = seen[t] < depths[t];
            unseenBound[t] = complete ? 0 : weights[t] * scorer.bound(lastImpact[t]);
            tau += unseenBound[t];
        }
        if (filtered && !candidates.isEmpty()) {
            candidates.keySet().retainAll(postings.passing(new ArrayList<>(candidates.keySet())));
        }
        // Parts not read yet are fetched by key, but only for candidates that could still reach
        // the k-th best score, and first for those with the highest known parts: their exact
        // scores raise the k-th best soonest, pruning most of the rest, and when the budget of
        // candidates runs out, the ones scored are the best of what was read (on the scale probe's
        // million chunks this finds a quarter more of the exhaustive top-k than scoring the
        // highest upper bounds first, which favours chunks seen under few terms).
        // At most maxCandidates are scored; those left over when the budget runs out are dropped,
        // and their upper bounds, like tau, decide whether the answer is still proven exact.
        List<Candidate> all = new ArrayList<>(candidates.values());
        for (Candidate c : all) {
            c.known = score(c, null);
            c.upper = score(c, unseenBound);
        }
        // A chunk whose upper bound is below the k-th best known sum cannot enter the top k: drop
        // it before ordering (the loop below would drop it first thing). When every list was read
        // to its end, bounds equal known sums and only about k chunks are left.
        double floor = kthLargest(all, List.of(), k);
        // best known first, as a heap: a round takes at most the budget's candidates from the
        // head of thousands (sorting them all was a seventh of a million-chunk query's CPU)
        PriorityQueue<Candidate> open =
                new PriorityQueue<>(Math.max(1, all.size()), BEST_KNOWN_FIRST);
        for (Candidate c : all) {
            if (c.upper >= floor) {
                open.add(c);
            }
        }
        long read = first.size();
        List<Candidate> alive = new ArrayList<>();
        int budget =
                query.settings().maxCandidates() == 0
                        ? Integer.MAX_VALUE
                        : Math.max(query.settings().maxCandidates(), CANDIDATES_PER_RESULT * k);
        double dropped = Double.NEGATIVE_INFINITY; // the highest upper bound left unscored
        int batch = Math.max(2 * k, 64);
        while (!open.isEmpty()) {
            double kth = kthLargest(open, alive, k);
            int room = Math.min(batch, budget - alive.size());
            if (room == 0) {
                for (Candidate c : open) {
                    if (c.upper >= kth) {
                        dropped = Math.max(dropped, c.upper);
                    }
                }
                break;
            }
            List<Candidate> next = new ArrayList<>();
            while (next.size() < room && !open.isEmpty()) {
                Candidate c = open.poll();
                // one below the k-th even with every unknown part at its bound is dropped
                if (c.upper >= kth) {
                    next.add(c);
                }
            }
            read += complete(postings, next, unseenBound);
            alive.addAll(next);
            batch = (int) Math.min(Integer.MAX_VALUE, batch * 4L);
        }
        List<Scored> scored = new ArrayList<>(alive.size());
        for (Candidate c : alive) {
            scored.add(new Scored(c.chunkId, c.known));
        }
        scored.sort(ORDER);
        List<Scored> top = List.copyOf(scored.subList(0, Math.min(k, scored.size())));
        // exact when no chunk left out can beat the k-th: neither one never read (none left
        // unread, tau = 0, or the k-th above tau) nor a candidate dropped unscored
        double kth = top.size() == k ? top.get(k - 1).score() : Double.NEGATIVE_INFINITY;
        boolean exact =
                (tau == 0 || kth > tau) && (dropped == Double.NEGATIVE_INFINITY || dropped < kth);
        return new Round(top, exact, read);
    }

    /**
     * How deep a round reads each term: {@code terms × depth} postings in all, shared in proportion
     * to the terms' weights. A rare term (high IDF) is read deeper than a common one: the top
     * chunks owe most of their scores to their rarer terms, and so are found in those lists (on the
     * scale probe's million chunks, more of the exhaustive top-k for fewer postings read than an
     * equal depth for every term).
     */
    private int[] depths(int depth) {
        int[] out = new int[weights.length];
        Arrays.fill(out, depth);
        if (depth == Integer.MAX_VALUE) {
            return out;
        }
        double sum = Arrays.stream(weights).sum();
        for (int t = 0; t < weights.length; t++) {
            double share = sum > 0 ? weights[t] / sum : 1.0 / weights.length;
            out[t] =
                    (int)
                            Math.min(
                                    Integer.MAX_VALUE - 1,
                                    Math.max(1, Math.ceil(depth * weights.length * share)));
        }
        return out;
    }

    /**
     * The candidate's score in term order (so equal inputs give equal sums): known parts, plus
     * {@code bounds[t]} for unknown ones (or 0 with {@code bounds} null).
     */
    private double score(Candidate c, double[] bounds) {
        double sum = 0;
        for (int t = 0; t < weights.length; t++) {
            double part = c.parts[t];
            if (Double.isNaN(part)) {
                sum += bounds == null ? 0 : bounds[t];
            } else {
                sum += weights[t] * part;
            }
        }
        return sum;
    }

    /**
     * Fetches the unknown parts of these candidates (0 for terms read to their end), asking for the
     * batch's chunks and the terms any of them misses at once.
     *
     * @return (chunk, term) parts that were unknown and looked up
     */
    private int complete(Postings postings, List<Candidate> batch, double[] unseenBound)
            throws SQLException {
        long[] chunks = new long[batch.size()];
        int asked = 0;
        boolean[] termAsked = new boolean[weights.length];
        Map<Long, Candidate> byId = new HashMap<>(batch.size() * 2);
        int lookups = 0;
        for (Candidate c : batch) {
            boolean missing = false;
            for (int t = 0; t < weights.length; t++) {
                if (Double.isNaN(c.parts[t])) {
                    if (unseenBound[t] == 0) {
                        c.parts[t] = 0;
                    } else {
                        missing = true;
                        termAsked[t] = true;
                        lookups++;
                    }
                }
            }
            if (missing) {
                chunks[asked++] = c.chunkId;
                byId.put(c.chunkId, c);
            }
        }
        if (asked > 0) {
            int[] terms = new int[weights.length];
            int n = 0;
            for (int t = 0; t < weights.length; t++) {
                if (termAsked[t]) {
                    terms[n++] = t;
                }
            }
            for (Posting p :
                    postings.lookup(Arrays.copyOf(chunks, asked), Arrays.copyOf(terms, n))) {
                Candidate c = byId.get(p.chunkId());
                if (c != null && Double.isNaN(c.parts[p.term()])) {
                    c.parts[p.term()] = scorer.part(p.tf(), p.length());
                }
            }
        }
        for (Candidate c : batch) {
            for (int t = 0; t < weights.length; t++) {
                if (Double.isNaN(c.parts[t])) {
                    c.parts[t] = 0; // looked up and not found: the chunk lacks the term
                }
            }
            c.known = score(c, null);
            c.upper = c.known;
        }
        return lookups;
    }

    /**
     * A lower bound of the k-th best score: the k-th largest of the exact scores of the completed
     * candidates and the known parts of the open ones; -infinity when there are fewer than k.
     */
    private double kthLargest(Collection<Candidate> open, List<Candidate> completed, int k) {
        if (open.size() + completed.size() < k) {
            return Double.NEGATIVE_INFINITY;
        }
        // the k largest in a min-heap: O(n log k) where sorting all of them (thousands of
        // candidates, several times a round) took 7 % of a million-chunk query's CPU
        double[] heap = new double[k];
        int size = 0;
        for (Collection<Candidate> list : List.of(open, completed)) {
            for (Candidate c : list) {
                if (size < k) {
                    heap[size] = c.known;
                    siftUp(heap, size++);
                } else if (c.known > heap[0]) {
                    heap[0] = c.known;
                    siftDown(heap, k);
                }
            }
        }
        return heap[0];
    }

    private static void siftUp(double[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent] <= heap[i]) {
                return;
            }
            double swap = heap[parent];
            heap[parent] = heap[i];
            heap[i] = swap;
            i = parent;
        }
    }

    private static void siftDown(double[] heap, int size) {
        int i = 0;
        while (true) {
            int smallest = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < size && heap[left] < heap[smallest]) {
                smallest = left;
            }
            if (right < size && heap[right] < heap[smallest]) {
                smallest = right;
            }
            if (smallest == i) {
                return;
            }
            double swap = heap[smallest];
            heap[smallest] = heap[i];
            heap[i] = swap;
            i = smallest;
        }
    }
}
