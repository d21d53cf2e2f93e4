package io.kbstream.benchmark.eval;

import io.kbstream.api.search.Fusion;
import io.kbstream.core.config.ApiOptions.FusionMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Chooses how hybrid search fuses its two lists, without reporting a number tuned on the queries it
 * is reported on.
 *
 * <p>Every candidate fusion (RRF over a grid of keyword shares and constants; the convex
 * combination of min-max normalised scores over a grid of shares) is replayed offline on the vector
 * and keyword answers the API gave for {@code k}, with the API's own {@link Fusion}: the API fuses
 * exactly the top {@code k} of each list, so a replay is the answer the API would give with that
 * fusion. The judged queries are split into {@value #FOLDS} folds (seeded shuffle); for each fold
 * the candidate with the best mean nDCG@10 on the other folds is scored on the held-out fold, and
 * the estimate is the mean of the held-out folds. This is done per method (to compare RRF with the
 * convex combination) and over both methods together. The method to configure is the one with the
 * better held-out mean; its weights are then the best of that method's candidates on all the
 * queries, whose in-sample score is reported as such, never as the estimate. The joint
 * cross-validation (the method chosen inside each fold too) estimates the whole procedure without
 * the small optimism of picking the better of two held-out means.
 */
public final class FusionSelection {

    public static final int FOLDS = 5;
    public static final long SEED = 42;
    public static final int BOOTSTRAP_RESAMPLES = 10_000;

    static final int[] RRF_KS = {1, 2, 5, 10, 20, 30, 40, 60, 80, 100};

    /** A candidate and its mean nDCG@10 over all judged queries (in-sample: the sweep). */
    public record Candidate(Fusion fusion, double ndcg10) {}

    /**
     * One fold of a cross-validation.
     *
     * @param chosen the best candidate on the other folds
     * @param trainNdcg10 its mean nDCG@10 on the other folds
     * @param heldOutNdcg10 its mean nDCG@10 on this fold, which it was not chosen on
     */
    public record Fold(
            int fold, int queries, Fusion chosen, double trainNdcg10, double heldOutNdcg10) {}

    /**
     * A cross-validation over the candidates {@code of} describes.
     *
     * @param meanHeldOutNdcg10 the mean of the folds' held-out nDCG@10
     * @param heldOutPerQuery each query's nDCG@10 under the fusion chosen without it
     */
    public record CrossValidation(
            String of,
            List<Fold> folds,
            double meanHeldOutNdcg10,
            Map<String, Double> heldOutPerQuery) {}

    /**
     * @param sweep every candidate with its in-sample nDCG@10
     * @param perMethod one cross-validation per fusion method
     * @param joint the cross-validation over both methods, chosen per fold
     * @param selected the per-method cross-validation with the best held-out mean: the chosen
     *     method and the estimate for hybrid search
     * @param chosen the best candidate of the selected method on all queries: what to configure
     * @param chosenInSampleNdcg10 its nDCG@10 on the queries it was chosen on (optimistic)
     * @param vectorNdcg10 vector search alone on the same queries
     * @param hybridMinusVector paired bootstrap of the selected method's held-out scores minus
     *     vector's
     */
    public record Result(
            int k,
            int queries,
            List<Candidate> sweep,
            List<CrossValidation> perMethod,
            CrossValidation joint,
            CrossValidation selected,
            Fusion chosen,
            double chosenInSampleNdcg10,
            double vectorNdcg10,
            PairedBootstrap hybridMinusVector) {}

    private FusionSelection() {}

    /** The candidates: RRF shares 0..1 by 0.05 times {@link #RRF_KS}; convex shares by 0.025. */
    public static List<Fusion> grid() {
        List<Fusion> out = new ArrayList<>();
        for (int rrfK : RRF_KS) {
            for (int w = 0; w <= 20; w++) {
                out.add(new Fusion(FusionMethod.RRF, w / 20.0, rrfK));
            }
        }
        for (int w = 0; w <= 40; w++) {
            out.add(new Fusion(FusionMethod.CONVEX, w / 40.0, 0));
        }
        return out;
    }

    /** The answers the API gives with {@code fusion}, from its vector and keyword answers for k. */
    public static Ranking replay(Ranking vector, Ranking keyword, Fusion fusion, int k) {
        Ranking out = new Ranking();
        List<String> queries = new ArrayList<>(vector.asMap().keySet());
        keyword.asMap().keySet().stream().filter(q -> !queries.contains(q)).forEach(queries::add);
        for (String q : queries) {
            out.put(
                    q,
                    fusion
                            .fuse(
                                    vector.of(q),
                                    keyword.of(q),
                                    Ranking.Hit::docId,
                                    Ranking.Hit::score,
                                    k)
                            .stream()
                            .map(f -> new Ranking.Hit(f.shown().docId(), f.score()))
                            .toList());
        }
        return out;
    }

    /**
     * How many queries have the same top 10 documents, in the same order, in {@code api} (the API's
     * hybrid answers) and {@code replayed} (a replay of {@code fusion}), as JSON.
     */
    public static Map<String, Object> agreement(Ranking api, Ranking replayed, Fusion fusion) {
        int same = 0;
        for (String q : api.asMap().keySet()) {
            if (top10(api, q).equals(top10(replayed, q))) {
                same++;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("fusion", fusion.toString());
        out.put("queries", api.asMap().size());
        out.put("sameTop10", same);
        return out;
    }

    private static List<String> top10(Ranking run, String q) {
        return run.of(q).stream().limit(10).map(Ranking.Hit::docId).toList();
    }

    /** Sweeps the {@link #grid()}, cross-validates and bootstraps; see the class comment. */
    public static Result select(Qrels qrels, Ranking vector, Ranking keyword, int k) {
        Map<String, Double> vectorPerQuery = Scorer.ndcg10PerQuery(qrels, vector);
        List<String> queries = new ArrayList<>(vectorPerQuery.keySet());
        List<Fusion> grid = grid();
        double[][] perQuery = new double[grid.size()][];
        List<Candidate> sweep = new ArrayList<>();
        for (int c = 0; c < grid.size(); c++) {
            Map<String, Double> scores =
                    Scorer.ndcg10PerQuery(qrels, replay(vector, keyword, grid.get(c), k));
            perQuery[c] = queries.stream().mapToDouble(scores::get).toArray();
            sweep.add(new Candidate(grid.get(c), mean(perQuery[c], i -> true)));
        }
        int[] fold = folds(queries.size(), FOLDS, SEED);

        List<CrossValidation> perMethod = new ArrayList<>();
        for (FusionMethod method : FusionMethod.values()) {
            perMethod.add(
                    crossValidate(
                            method.name().toLowerCase(Locale.ROOT),
                            grid,
                            c -> grid.get(c).method() == method,
                            perQuery,
                            queries,
                            fold));
        }
        CrossValidation joint =
                crossValidate("rrf and convex", grid, c -> true, perQuery, queries, fold);

        int selectedIndex = 0;
        for (int m = 1; m < perMethod.size(); m++) {
            if (perMethod.get(m).meanHeldOutNdcg10()
                    > perMethod.get(selectedIndex).meanHeldOutNdcg10()) {
                selectedIndex = m;
            }
        }
        CrossValidation selected = perMethod.get(selectedIndex);
        FusionMethod method = FusionMethod.values()[selectedIndex];
        int best = argmax(perQuery, c -> grid.get(c).method() == method, i -> true);
        return new Result(
                k,
                queries.size(),
                sweep,
                perMethod,
                joint,
                selected,
                grid.get(best),
                mean(perQuery[best], i -> true),
                mean(queries.stream().mapToDouble(vectorPerQuery::get).toArray(), i -> true),
                PairedBootstrap.of(
                        selected.heldOutPerQuery(),
                        vectorPerQuery,
                        0.95,
                        BOOTSTRAP_RESAMPLES,
                        SEED));
    }

    private static CrossValidation crossValidate(
            String of,
            List<Fusion> grid,
            Predicate<Integer> candidates,
            double[][] perQuery,
            List<String> queries,
            int[] fold) {
        List<Fold> folds = new ArrayList<>();
        Map<String, Double> heldOut = new LinkedHashMap<>();
        double sum = 0;
        for (int f = 0; f < FOLDS; f++) {
            int held = f;
            int best = argmax(perQuery, candidates, i -> fold[i] != held);
            double heldOutMean = mean(perQuery[best], i -> fold[i] == held);
            folds.add(
                    new Fold(
                            f,
                            (int) Arrays.stream(fold).filter(x -> x == held).count(),
                            grid.get(best),
                            mean(perQuery[best], i -> fold[i] != held),
                            heldOutMean));
            for (int i = 0; i < queries.size(); i++) {
                if (fold[i] == held) {
                    heldOut.put(queries.get(i), perQuery[best][i]);
                }
            }
            sum += heldOutMean;
        }
        Map<String, Double> inQueryOrder = new LinkedHashMap<>();
        queries.forEach(q -> inQueryOrder.put(q, heldOut.get(q)));
        return new CrossValidation(of, folds, sum / FOLDS, inQueryOrder);
    }

    /** The candidate with the best mean over the selected queries; the first one on a tie. */
    private static int argmax(
            double[][] perQuery, Predicate<Integer> candidates, Predicate<Integer> selected) {
        int best = -1;
        double bestMean = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < perQuery.length; c++) {
            if (!candidates.test(c)) {
                continue;
            }
            double m = mean(perQuery[c], selected);
            if (m > bestMean) {
                best = c;
                bestMean = m;
            }
        }
        return best;
    }

    private static double mean(double[] values, Predicate<Integer> selected) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (selected.test(i)) {
                sum += values[i];
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    /**
     * Fold of each of {@code n} queries: a seeded shuffle dealt round-robin, so sizes differ by 1.
     */
    static int[] folds(int n, int folds, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int[] fold = new int[n];
        for (int position = 0; position < n; position++) {
            fold[order.get(position)] = position % folds;
        }
        return fold;
    }
}
