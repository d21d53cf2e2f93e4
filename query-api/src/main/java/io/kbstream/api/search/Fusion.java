package io.kbstream.api.search;

import io.kbstream.core.config.ApiOptions;
import io.kbstream.core.config.ApiOptions.FusionMethod;
import io.kbstream.core.config.KbConfig;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * How hybrid search combines the vector and the keyword list of documents (each best first, one
 * entry per document). Only the top {@code k} documents of each list take part, so the hybrid
 * answer for {@code k} is a function of the vector and the keyword answers for {@code k}: the
 * evaluation can replay it offline from those answers, exactly.
 *
 * <p>The keyword list weighs {@code w = keywordWeight}, the vector list {@code 1 - w}:
 *
 * <ul>
 *   <li>{@link FusionMethod#RRF}: {@code score(d) = (1-w)/(rrfK + rank_v(d)) + w/(rrfK +
 *       rank_k(d))}, ranks from 1;
 *   <li>{@link FusionMethod#CONVEX}: {@code score(d) = (1-w)·mm_v(d) + w·mm_k(d)}, where {@code mm}
 *       is the list's score min-max normalised over the list, {@code (s - min) / (max - min)} (1
 *       when all scores are equal).
 * </ul>
 *
 * A document missing from a list gets nothing from it. Ties go to the document ranked higher in
 * either list, then to the smaller id.
 *
 * @param method how the two lists' contributions are computed
 * @param keywordWeight the keyword list's share, in [0, 1]; 0 is vector search alone
 * @param rrfK the RRF constant (used by {@link FusionMethod#RRF} only)
 */
public record Fusion(FusionMethod method, double keywordWeight, int rrfK) {

    public Fusion {
        Objects.requireNonNull(method, "method");
        if (!(keywordWeight >= 0 && keywordWeight <= 1)) {
            throw new IllegalArgumentException("keywordWeight must be in [0, 1]: " + keywordWeight);
        }
        if (rrfK < 0) {
            throw new IllegalArgumentException("rrfK must be >= 0: " + rrfK);
        }
    }

    /**
     * The fusion configured by {@code kb.api.search.fusion}, {@code keyword-weight}, {@code rrf-k}.
     */
    public static Fusion from(KbConfig config) {
        return new Fusion(
                config.get(ApiOptions.SEARCH_FUSION),
                config.get(ApiOptions.SEARCH_KEYWORD_WEIGHT),
                config.get(ApiOptions.SEARCH_RRF_K));
    }

    /**
     * One fused document.
     *
     * @param shown the entry of the list where the document ranked higher (the vector list's on a
     *     tie), e.g. the chunk to show
     * @param score the fused score
     */
    public record Fused<T>(T shown, double score) {}

    /**
     * Fuses the top {@code k} of {@code vector} with the top {@code k} of {@code keyword} and
     * returns the best {@code k} documents, best first.
     *
     * @param id a document's id (each list holds a document at most once)
     * @param score an entry's score in its own list (read by {@link FusionMethod#CONVEX} only)
     */
    public <T> List<Fused<T>> fuse(
            List<T> vector,
            List<T> keyword,
            Function<T, String> id,
            ToDoubleFunction<T> score,
            int k) {
        record Acc<T>(String id, T shown, int shownRank, double score) {}
        Map<String, Acc<T>> fused = new LinkedHashMap<>();
        for (List<T> full : List.of(vector, keyword)) {
            List<T> list = full.subList(0, Math.min(k, full.size()));
            double weight = full == keyword ? keywordWeight : 1 - keywordWeight;
            double[] contributions = contributions(list, score);
            for (int i = 0; i < list.size(); i++) {
                T entry = list.get(i);
                String docId = id.apply(entry);
                int rank = i + 1;
                fused.merge(
                        docId,
                        new Acc<>(docId, entry, rank, weight * contributions[i]),
                        (old, neu) ->
                                new Acc<>(
                                        docId,
                                        neu.shownRank() < old.shownRank()
                                                ? neu.shown()
                                                : old.shown(),
                                        Math.min(old.shownRank(), neu.shownRank()),
                                        old.score() + neu.score()));
            }
        }
        return fused.values().stream()
                .sorted(
                        Comparator.comparingDouble((Acc<T> a) -> a.score())
                                .reversed()
                                .thenComparingInt(Acc::shownRank)
                                .thenComparing(Acc::id))
                .limit(k)
                .map(a -> new Fused<>(a.shown(), a.score()))
                .toList();
    }

    /** What each entry of one list adds, before the list's weight. */
    private <T> double[] contributions(List<T> list, ToDoubleFunction<T> score) {
        double[] out = new double[list.size()];
        if (method == FusionMethod.RRF) {
            for (int i = 0; i < out.length; i++) {
                out[i] = 1.0 / (rrfK + i + 1);
            }
            return out;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (T entry : list) {
            double s = score.applyAsDouble(entry);
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = max > min ? (score.applyAsDouble(list.get(i)) - min) / (max - min) : 1.0;
        }
        return out;
    }

    /** A short stable description, for logs, cache keys and result files. */
    @Override
    public String toString() {
        return method == FusionMethod.RRF
                ? "rrf(keywordWeight=" + keywordWeight + ", k=" + rrfK + ")"
                : "convex(keywordWeight=" + keywordWeight + ")";
    }
}
