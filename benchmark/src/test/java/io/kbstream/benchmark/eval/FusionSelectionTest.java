package io.kbstream.benchmark.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kbstream.api.search.Fusion;
import io.kbstream.core.config.ApiOptions.FusionMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Tests for {@link FusionSelection}: the cross-validation never scores a query it tuned on. */
class FusionSelectionTest {

    /**
     * Queries whose one relevant document sits at a random place in either list or in neither (30
     * documents each, random scores): which fusion is best depends on the queries drawn, so a
     * choice tuned on some queries does not carry over to others.
     */
    private record Data(Qrels qrels, Ranking vector, Ranking keyword) {}

    private static Data noise(int queries, long seed) {
        Random random = new Random(seed);
        Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
        Ranking vector = new Ranking();
        Ranking keyword = new Ranking();
        for (int q = 0; q < queries; q++) {
            String id = "q" + q;
            judged.put(id, Map.of("rel" + q, 1));
            vector.put(id, list(q, random, 1.0));
            keyword.put(id, list(q, random, 20.0));
        }
        return new Data(new Qrels(judged), vector, keyword);
    }

    private static List<Ranking.Hit> list(int q, Random random, double scale) {
        List<String> docs = new ArrayList<>();
        for (int d = 0; d < 29; d++) {
            docs.add("d" + random.nextInt(60));
        }
        if (random.nextBoolean()) {
            docs.add(random.nextInt(docs.size() + 1), "rel" + q);
        }
        List<String> unique = docs.stream().distinct().toList();
        double[] scores = random.doubles(unique.size(), 0, scale).sorted().toArray();
        List<Ranking.Hit> hits = new ArrayList<>();
        for (int i = 0; i < unique.size(); i++) {
            hits.add(new Ranking.Hit(unique.get(i), scores[scores.length - 1 - i]));
        }
        return hits;
    }

    /**
     * Two kinds of query, alternating: the relevant document is first in the vector list and
     * missing from the keyword list, or the other way round. Whether a fusion should lean on the
     * vector or the keyword list depends on which kind the queries it is tuned on hold more of.
     */
    private static Data twoKinds(int queries) {
        Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
        Ranking vector = new Ranking();
        Ranking keyword = new Ranking();
        for (int q = 0; q < queries; q++) {
            String id = "q" + q;
            judged.put(id, Map.of("rel" + q, 1));
            boolean vectorKind = q % 2 == 0;
            List<Ranking.Hit> v = new ArrayList<>();
            List<Ranking.Hit> k = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                v.add(
                        new Ranking.Hit(
                                i == 0 && vectorKind ? "rel" + q : "v" + q + "-" + i,
                                1 - 0.01 * i));
                k.add(
                        new Ranking.Hit(
                                i == 0 && !vectorKind ? "rel" + q : "k" + q + "-" + i, 30 - i));
            }
            vector.put(id, v);
            keyword.put(id, k);
        }
        return new Data(new Qrels(judged), vector, keyword);
    }

    @Test
    void each_held_out_score_comes_from_the_candidate_best_on_the_other_folds() {
        Data data = twoKinds(20);
        FusionSelection.Result result =
                FusionSelection.select(data.qrels(), data.vector(), data.keyword(), 30);

        List<String> queries = List.copyOf(result.joint().heldOutPerQuery().keySet());
        int[] fold =
                FusionSelection.folds(queries.size(), FusionSelection.FOLDS, FusionSelection.SEED);
        List<Fusion> grid = FusionSelection.grid();
        Map<Fusion, Map<String, Double>> scores = new LinkedHashMap<>();
        for (Fusion f : grid) {
            scores.put(
                    f,
                    Scorer.ndcg10PerQuery(
                            data.qrels(),
                            FusionSelection.replay(data.vector(), data.keyword(), f, 30)));
        }
        boolean someFoldChoseOtherwiseThanAllQueries = false;
        for (FusionSelection.Fold f : result.joint().folds()) {
            int held = f.fold();
            double bestTrain =
                    grid.stream()
                            .mapToDouble(c -> mean(scores.get(c), queries, fold, i -> i != held))
                            .max()
                            .orElseThrow();
            assertThat(f.trainNdcg10()).isCloseTo(bestTrain, within(1e-12));
            assertThat(f.heldOutNdcg10())
                    .isCloseTo(
                            mean(scores.get(f.chosen()), queries, fold, i -> i == held),
                            within(1e-12));
            for (int i = 0; i < queries.size(); i++) {
                if (fold[i] == held) {
                    assertThat(result.joint().heldOutPerQuery().get(queries.get(i)))
                            .isEqualTo(scores.get(f.chosen()).get(queries.get(i)));
                }
            }
            someFoldChoseOtherwiseThanAllQueries |= !f.chosen().equals(result.chosen());
        }
        // the choice depends on the queries tuned on, so leaking a held-out fold would show
        assertThat(someFoldChoseOtherwiseThanAllQueries).isTrue();
        assertThat(result.joint().meanHeldOutNdcg10())
                .isCloseTo(
                        result.joint().folds().stream()
                                .mapToDouble(FusionSelection.Fold::heldOutNdcg10)
                                .average()
                                .orElseThrow(),
                        within(1e-12));
    }

    @Test
    void on_noise_the_held_out_estimate_stays_below_the_score_tuned_on_the_same_queries() {
        Data data = noise(100, 11);

        FusionSelection.Result result =
                FusionSelection.select(data.qrels(), data.vector(), data.keyword(), 30);

        // the selected method has the better held-out mean; its best candidate on the queries
        // it is chosen on is optimistic; the held-out estimate is not
        assertThat(result.selected().meanHeldOutNdcg10())
                .isEqualTo(
                        result.perMethod().stream()
                                .mapToDouble(FusionSelection.CrossValidation::meanHeldOutNdcg10)
                                .max()
                                .orElseThrow());
        assertThat(result.chosenInSampleNdcg10())
                .isEqualTo(
                        result.sweep().stream()
                                .filter(
                                        c ->
                                                c.fusion()
                                                        .method()
                                                        .name()
                                                        .equalsIgnoreCase(result.selected().of()))
                                .mapToDouble(FusionSelection.Candidate::ndcg10)
                                .max()
                                .orElseThrow());
        assertThat(result.chosen().method().name()).isEqualToIgnoringCase(result.selected().of());
        assertThat(result.selected().meanHeldOutNdcg10()).isLessThan(result.chosenInSampleNdcg10());
        assertThat(result.joint().meanHeldOutNdcg10()).isLessThan(result.chosenInSampleNdcg10());
        assertThat(result.perMethod())
                .extracting(FusionSelection.CrossValidation::of)
                .containsExactly("rrf", "convex");
        assertThat(result.hybridMinusVector().queries()).isEqualTo(100);
    }

    @Test
    void folds_are_seeded_and_even_and_cover_every_query_once() {
        int[] a = FusionSelection.folds(809, 5, 42);
        int[] b = FusionSelection.folds(809, 5, 42);

        assertThat(a).isEqualTo(b);
        Map<Integer, Long> sizes = new LinkedHashMap<>();
        for (int f : a) {
            sizes.merge(f, 1L, Long::sum);
        }
        assertThat(sizes).containsOnlyKeys(0, 1, 2, 3, 4);
        assertThat(sizes.values()).allSatisfy(n -> assertThat(n).isBetween(161L, 162L));
        assertThat(FusionSelection.folds(809, 5, 43)).isNotEqualTo(a);
    }

    @Test
    void the_grid_holds_both_methods_with_shares_from_zero_to_one() {
        List<Fusion> grid = FusionSelection.grid();

        assertThat(grid).contains(new Fusion(FusionMethod.RRF, 0.0, 60));
        assertThat(grid).contains(new Fusion(FusionMethod.RRF, 1.0, 1));
        assertThat(grid).contains(new Fusion(FusionMethod.CONVEX, 0.275, 0));
        assertThat(grid).doesNotHaveDuplicates();
        assertThat(
                        IntStream.range(0, grid.size())
                                .filter(i -> grid.get(i).method() == FusionMethod.CONVEX))
                .hasSize(41);
    }

    private static double mean(
            Map<String, Double> scores,
            List<String> queries,
            int[] fold,
            java.util.function.IntPredicate inFold) {
        return IntStream.range(0, queries.size())
                .filter(i -> inFold.test(fold[i]))
                .mapToDouble(i -> scores.get(queries.get(i)))
                .average()
                .orElseThrow();
    }
}
