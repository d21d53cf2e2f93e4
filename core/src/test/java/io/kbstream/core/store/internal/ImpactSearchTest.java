package io.kbstream.core.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbstream.core.store.Bm25Query;
import io.kbstream.core.store.Bm25Settings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.util.SmallFloat;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link ImpactSearch} over postings held in memory: whatever it reads, an answer it
 * calls exact is the exhaustive top-k, and it reads no more than the depth allows.
 */
class ImpactSearchTest {

    private static final int VOCABULARY = 400;

    /** A corpus of chunks as (term → tf) maps, Zipf-distributed terms, lengths 5..300. */
    private static List<Map<Integer, Integer>> corpus(Random random, int chunks) {
        List<Map<Integer, Integer>> corpus = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            Map<Integer, Integer> tf = new HashMap<>();
            int length = 5 + random.nextInt(296);
            for (int i = 0; i < length; i++) {
                int term = (int) Math.floor(Math.pow(VOCABULARY, random.nextDouble())) - 1;
                tf.merge(term, 1, Integer::sum);
            }
            corpus.add(tf);
        }
        return corpus;
    }

    /** Postings of the query's terms, sorted as the shard's impact index sorts them. */
    private static final class MemoryPostings implements ImpactSearch.Postings {
        final List<List<ImpactSearch.Posting>> byTerm = new ArrayList<>();
        final Map<Long, Map<Integer, ImpactSearch.Posting>> byChunk = new HashMap<>();
        final Set<Long> passing;

        MemoryPostings(List<Map<Integer, Integer>> corpus, int[] terms, Set<Long> passing) {
            this.passing = passing;
            for (int t = 0; t < terms.length; t++) {
                List<ImpactSearch.Posting> list = new ArrayList<>();
                for (int c = 0; c < corpus.size(); c++) {
                    Integer tf = corpus.get(c).get(terms[t]);
                    if (tf != null) {
                        int length = corpus.get(c).values().stream().mapToInt(i -> i).sum();
                        var p = new ImpactSearch.Posting(t, c, tf, length, impact(tf, length));
                        list.add(p);
                        byChunk.computeIfAbsent((long) c, x -> new HashMap<>()).put(t, p);
                    }
                }
                list.sort(Comparator.comparingDouble(p -> -p.impact()));
                byTerm.add(list);
            }
        }

        /** As kb_bm25_impact computes it, rounded to a float as the column stores it. */
        static float impact(int tf, int length) {
            return (float)
                    (tf / (tf + Bm25Scorer.IMPACT_C + Bm25Scorer.IMPACT_D * (double) length));
        }

        @Override
        public List<ImpactSearch.Posting> first(int[] depths) {
            List<ImpactSearch.Posting> out = new ArrayList<>();
            for (int t = 0; t < byTerm.size(); t++) {
                List<ImpactSearch.Posting> list = byTerm.get(t);
                out.addAll(list.subList(0, Math.min(depths[t], list.size())));
            }
            return out;
        }

        @Override
        public List<ImpactSearch.Posting> lookup(long[] chunkIds, int[] terms) {
            List<ImpactSearch.Posting> out = new ArrayList<>();
            for (long chunk : chunkIds) {
                for (int term : terms) {
                    var p = byChunk.getOrDefault(chunk, Map.of()).get(term);
                    if (p != null) {
                        out.add(p);
                    }
                }
            }
            return out;
        }

        @Override
        public Set<Long> passing(Collection<Long> chunkIds) {
            Set<Long> out = new HashSet<>(chunkIds);
            out.retainAll(passing);
            return out;
        }
    }

    /** The terms weighted by their IDF in the corpus, as the API weighs them. */
    private static Bm25Query query(
            List<Map<Integer, Integer>> corpus, int[] terms, Bm25Settings settings) {
        List<Bm25Query.WeightedTerm> weighted = new ArrayList<>();
        long total = 0;
        for (Map<Integer, Integer> chunk : corpus) {
            total += chunk.values().stream().mapToInt(i -> i).sum();
        }
        for (int t : terms) {
            long df = corpus.stream().filter(c -> c.containsKey(t)).count();
            weighted.add(
                    new Bm25Query.WeightedTerm(
                            "t" + t, Bm25Query.idf(Math.max(1, df), corpus.size())));
        }
        return new Bm25Query(weighted, total / (double) corpus.size(), settings);
    }

    @Test
    void an_answer_called_exact_is_the_exhaustive_top_k_and_reads_are_bounded_by_the_depth()
            throws Exception {
        Random random = new Random(42);
        List<Map<Integer, Integer>> corpus = corpus(random, 3000);
        int exactAnswers = 0;
        for (int q = 0; q < 100; q++) {
            int[] terms = random.ints(1 + random.nextInt(8), 0, VOCABULARY).distinct().toArray();
            int k = 1 + random.nextInt(30);
            double k1 = q % 3 == 0 ? 0.9 : 1.2;
            double b = q % 3 == 0 ? 0.4 : 0.75;
            Bm25Settings bounded = new Bm25Settings(k1, b, 16, 1024);
            Bm25Query weighted = query(corpus, terms, bounded);
            MemoryPostings postings = new MemoryPostings(corpus, terms, Set.of());

            var reference =
                    new ImpactSearch(weighted.with(bounded.exhaustive())).run(postings, k, false);
            var ranked = new ImpactSearch(weighted).run(postings, k, false);

            assertThat(reference.exact()).isTrue();
            if (ranked.exact()) {
                exactAnswers++;
                assertThat(ranked.top()).as("query %d", q).isEqualTo(reference.top());
            } else {
                // cut at the maximum depth: still k answers when there are k matches
                assertThat(ranked.top()).hasSameSizeAs(reference.top());
            }
            // each round reads at most depth postings per term and looks up at most one posting
            // per candidate and other term: depths 16, 64, 256, 1024
            long perTerm = 16 + 64 + 256 + 1024;
            long bound = terms.length * perTerm * terms.length;
            assertThat(ranked.postingsRead()).isLessThanOrEqualTo(bound);
        }
        // the threshold proves most answers exact even at these depths
        assertThat(exactAnswers).isGreaterThan(80);
    }

    @Test
    void a_candidate_budget_bounds_the_lookups_and_an_answer_called_exact_stays_exact()
            throws Exception {
        Random random = new Random(11);
        List<Map<Integer, Integer>> corpus = corpus(random, 3000);
        int budget = 32;
        int exactAnswers = 0;
        int overBudgetWithout = 0;
        for (int q = 0; q < 100; q++) {
            int[] terms = random.ints(2 + random.nextInt(7), 0, VOCABULARY).distinct().toArray();
            int k = 1 + random.nextInt(20);
            Bm25Settings unlimited = new Bm25Settings(1.2, 0.75, 16, 1024);
            Bm25Settings budgeted = new Bm25Settings(1.2, 0.75, 16, 1024, budget);
            Bm25Query weighted = query(corpus, terms, budgeted);
            MemoryPostings postings = new MemoryPostings(corpus, terms, Set.of());

            var reference =
                    new ImpactSearch(weighted.with(budgeted.exhaustive())).run(postings, k, false);
            var ranked = new ImpactSearch(weighted).run(postings, k, false);
            var free = new ImpactSearch(weighted.with(unlimited)).run(postings, k, false);

            if (ranked.exact()) {
                exactAnswers++;
                assertThat(ranked.top()).as("query %d", q).isEqualTo(reference.top());
            }
            assertThat(ranked.top()).hasSizeLessThanOrEqualTo(k);
            // per round: depth postings per term, and lookups for at most the budget's candidates
            // (at least 4 per chunk asked)
            // in each of the other terms; depths 16, 64, 256, 1024
            // (each term's share of a round's terms × depth is rounded up: + terms per round)
            long firstReads = terms.length * (16L + 64 + 256 + 1024 + 4);
            int effective = Math.max(budget, ImpactSearch.CANDIDATES_PER_RESULT * k);
            long lookups = (long) ranked.rounds() * effective * (terms.length - 1);
            assertThat(ranked.postingsRead()).isLessThanOrEqualTo(firstReads + lookups);
            long freeFirstReads = 0;
            for (int r = 0, depth = 16; r < free.rounds(); r++, depth *= 4) {
                freeFirstReads += (long) terms.length * (depth + 1);
            }
            if (free.postingsRead() - freeFirstReads
                    > (long) free.rounds() * effective * terms.length) {
                overBudgetWithout++;
            }
        }
        // the budget binds (without it some queries look up more), and proves answers all the same
        assertThat(overBudgetWithout).isGreaterThan(0);
        assertThat(exactAnswers).isGreaterThan(50);
    }

    @Test
    void a_query_read_to_the_end_of_every_term_is_exact() throws Exception {
        Random random = new Random(7);
        List<Map<Integer, Integer>> corpus = corpus(random, 500);
        int[] terms = {150, 220, 390}; // rare terms: few postings each
        Bm25Query weighted = query(corpus, terms, new Bm25Settings(1.2, 0.75, 1000, 1000));
        MemoryPostings postings = new MemoryPostings(corpus, terms, Set.of());

        var ranked = new ImpactSearch(weighted).run(postings, 10, false);

        assertThat(ranked.exact()).isTrue();
        assertThat(ranked.rounds()).isEqualTo(1);
        assertThat(ranked.top())
                .isEqualTo(
                        new ImpactSearch(weighted.with(weighted.settings().exhaustive()))
                                .run(postings, 10, false)
                                .top());
    }

    @Test
    void a_filtered_answer_holds_only_passing_chunks_and_is_exact_when_proven() throws Exception {
        Random random = new Random(3);
        List<Map<Integer, Integer>> corpus = corpus(random, 2000);
        Set<Long> passing = new HashSet<>();
        for (long c = 0; c < corpus.size(); c += 3) {
            passing.add(c);
        }
        for (int q = 0; q < 50; q++) {
            int[] terms = random.ints(1 + random.nextInt(5), 0, 60).distinct().toArray();
            Bm25Query weighted = query(corpus, terms, new Bm25Settings(1.2, 0.75, 16, 256));
            MemoryPostings postings = new MemoryPostings(corpus, terms, passing);

            var ranked = new ImpactSearch(weighted).run(postings, 10, true);
            var reference =
                    new ImpactSearch(weighted.with(weighted.settings().exhaustive()))
                            .run(postings, 10, true);

            assertThat(ranked.top()).allSatisfy(s -> assertThat(passing).contains(s.chunkId()));
            if (ranked.exact()) {
                assertThat(ranked.top()).isEqualTo(reference.top());
            }
        }
    }

    @Test
    void the_bound_of_an_impact_covers_every_posting_with_that_impact_or_less() {
        Random random = new Random(11);
        for (int i = 0; i < 2000; i++) {
            double k1 = random.nextDouble() * 3;
            double b = random.nextDouble();
            double avgdl = 5 + random.nextDouble() * 400;
            Bm25Scorer scorer = new Bm25Scorer(k1, b, avgdl);
            int tf = 1 + random.nextInt(20);
            int length = tf + random.nextInt(2000);
            float impact = MemoryPostings.impact(tf, length);
            assertThat(scorer.bound(impact))
                    .as("k1 %s b %s avgdl %s tf %d length %d", k1, b, avgdl, tf, length)
                    .isGreaterThanOrEqualTo(scorer.part(tf, length));
        }
    }

    @Test
    void lengths_are_rounded_as_lucenes_one_byte_norm() {
        // SmallFloat.byte4ToInt(SmallFloat.intToByte4(n)): exact below 32, then 4 significant
        // bits of n - 24
        assertThat(Bm25Scorer.luceneLength(0)).isZero();
        assertThat(Bm25Scorer.luceneLength(23)).isEqualTo(23);
        assertThat(Bm25Scorer.luceneLength(31)).isEqualTo(31);
        assertThat(Bm25Scorer.luceneLength(100)).isEqualTo(96);
        assertThat(Bm25Scorer.luceneLength(40)).isEqualTo(40);
        assertThat(Bm25Scorer.luceneLength(41)).isEqualTo(40);
        assertThat(Bm25Scorer.luceneLength(42)).isEqualTo(42);
        assertThat(Bm25Scorer.luceneLength(57)).isEqualTo(56);
        assertThat(Bm25Scorer.luceneLength(1000)).isEqualTo(984);
        for (int n = 0; n < 200_000; n++) {
            assertThat(Bm25Scorer.luceneLength(n))
                    .as("length %d", n)
                    .isEqualTo(SmallFloat.byte4ToInt(SmallFloat.intToByte4(n)));
        }
    }
}
