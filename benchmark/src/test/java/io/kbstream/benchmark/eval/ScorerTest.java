package io.kbstream.benchmark.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link Scorer}. */
class ScorerTest {

    private static Ranking.Hit hit(String id) {
        return new Ranking.Hit(id, 1.0);
    }

    private static Ranking run(Map<String, List<String>> ids) {
        Ranking run = new Ranking();
        ids.forEach((q, docs) -> run.put(q, docs.stream().map(ScorerTest::hit).toList()));
        return run;
    }

    @Test
    void graded_gains_with_log2_discount_against_the_ideal_of_the_judged_documents() {
        // q1 judges d1=2, d2=1, d3=1; the run returns d4 d1 d5 d2.
        //   DCG@10  = 0/log2(2) + 2/log2(3) + 0/log2(4) + 1/log2(5)
        //           = 2/1.5849625 + 1/2.3219281 = 1.2618595 + 0.4306766 = 1.6925361
        //   IDCG@10 = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.6309298 + 0.5 = 3.1309298
        //   nDCG@10 = 1.6925361 / 3.1309298 = 0.5405858
        //   Recall@100 = 2 relevant found / 3 relevant = 0.6666667
        //   MRR@10 = first relevant (d1) at rank 2 → 1/2 = 0.5
        Qrels qrels = new Qrels(Map.of("q1", Map.of("d1", 2, "d2", 1, "d3", 1)));
        Metrics m = Scorer.score(qrels, run(Map.of("q1", List.of("d4", "d1", "d5", "d2"))));

        assertThat(m.queries()).isEqualTo(1);
        assertThat(m.ndcg10()).isCloseTo(0.5405858, within(1e-6));
        assertThat(m.recall100()).isCloseTo(2.0 / 3.0, within(1e-9));
        assertThat(m.mrr10()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void means_are_over_judged_queries_and_a_missing_query_scores_zero() {
        // q1 as above: nDCG 0.5405858, Recall 2/3, MRR 0.5.
        // q2 judges d7 but the run has no line for q2: 0, 0, 0.
        // q3 judges d9, found at rank 11: outside the top 10 (nDCG 0, MRR 0) but inside the top
        //    100 (Recall 1/1 = 1).
        // q4 has only a grade-0 judgement: nothing relevant, so it is not counted.
        // Means over 3 queries: nDCG (0.5405858 + 0 + 0) / 3 = 0.1801953,
        //   Recall (0.6666667 + 0 + 1) / 3 = 0.5555556, MRR (0.5 + 0 + 0) / 3 = 0.1666667.
        List<String> q3 = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            q3.add("x" + i);
        }
        q3.add("d9");
        Qrels qrels =
                new Qrels(
                        Map.of(
                                "q1", Map.of("d1", 2, "d2", 1, "d3", 1),
                                "q2", Map.of("d7", 1),
                                "q3", Map.of("d9", 1),
                                "q4", Map.of("d8", 0)));
        Metrics m =
                Scorer.score(
                        qrels,
                        run(
                                Map.of(
                                        "q1", List.of("d4", "d1", "d5", "d2"),
                                        "q3", q3,
                                        "q4", List.of("d8"))));

        assertThat(m.queries()).isEqualTo(3);
        assertThat(m.ndcg10()).isCloseTo(0.1801953, within(1e-6));
        assertThat(m.recall100()).isCloseTo(0.5555556, within(1e-6));
        assertThat(m.mrr10()).isCloseTo(0.1666667, within(1e-6));
    }

    @Test
    void the_ideal_order_scores_one_and_a_repeated_document_counts_once() {
        // q1 judges a=1, b=1. Run: b b a. Counted once, the list is b a:
        //   DCG = 1/log2(2) + 1/log2(3) = IDCG → nDCG 1; Recall 2/2 = 1; MRR 1/1 = 1.
        // Were the repeat counted, a would sit at rank 3 and nDCG would be
        //   (1 + 1/log2(4)) / (1 + 1/log2(3)) = 1.5 / 1.6309298 = 0.9197 instead.
        Qrels qrels = new Qrels(Map.of("q1", Map.of("a", 1, "b", 1)));
        Metrics m = Scorer.score(qrels, run(Map.of("q1", List.of("b", "b", "a"))));

        assertThat(m.ndcg10()).isCloseTo(1.0, within(1e-9));
        assertThat(m.recall100()).isCloseTo(1.0, within(1e-9));
        assertThat(m.mrr10()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void only_the_top_ten_count_for_ndcg_even_when_more_documents_are_relevant() {
        // 12 relevant documents of grade 1, the run returns them all in order.
        // IDCG@10 uses only the best 10 judged grades, so the run is ideal: nDCG 1.
        // Recall@100 = 12/12 = 1. A run of only the 11th and 12th documents at ranks 1 and 2:
        //   DCG = 1 + 1/log2(3) = 1.6309298; IDCG@10 = sum_{i=1..10} 1/log2(i+1) = 4.5435593;
        //   nDCG = 0.3589542; Recall = 2/12 = 0.1666667; MRR = 1.
        Map<String, Integer> judged = new java.util.LinkedHashMap<>();
        List<String> all = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            judged.put("d" + i, 1);
            all.add("d" + i);
        }
        Qrels qrels = new Qrels(Map.of("q", judged));

        Metrics ideal = Scorer.score(qrels, run(Map.of("q", all)));
        Metrics two = Scorer.score(qrels, run(Map.of("q", List.of("d11", "d12"))));

        assertThat(ideal.ndcg10()).isCloseTo(1.0, within(1e-9));
        assertThat(ideal.recall100()).isCloseTo(1.0, within(1e-9));
        assertThat(two.ndcg10()).isCloseTo(0.3589542, within(1e-6));
        assertThat(two.recall100()).isCloseTo(2.0 / 12.0, within(1e-9));
        assertThat(two.mrr10()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void per_query_ndcg_covers_the_queries_the_mean_is_over_in_qrels_order() {
        Map<String, Map<String, Integer>> judged = new java.util.LinkedHashMap<>();
        judged.put("q2", Map.of("d1", 1));
        judged.put("q1", Map.of("d2", 1));
        judged.put("q0", Map.of("d3", 0)); // nothing relevant: left out, as by score()
        Ranking run = run(Map.of("q1", List.of("d9", "d2"), "q2", List.of("d1")));

        Map<String, Double> perQuery = Scorer.ndcg10PerQuery(new Qrels(judged), run);

        assertThat(perQuery).containsOnlyKeys("q2", "q1");
        assertThat(perQuery.keySet()).containsExactly("q2", "q1");
        assertThat(perQuery.get("q2")).isEqualTo(1.0);
        assertThat(perQuery.get("q1")).isCloseTo(1 / (Math.log(3) / Math.log(2)), within(1e-12));
        assertThat(perQuery.values().stream().mapToDouble(d -> d).average().orElseThrow())
                .isCloseTo(Scorer.score(new Qrels(judged), run).ndcg10(), within(1e-12));
    }
}
