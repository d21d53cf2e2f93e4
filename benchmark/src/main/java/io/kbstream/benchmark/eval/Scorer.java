package io.kbstream.benchmark.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores a run against qrels with the standard definitions (as trec_eval and BEIR compute them):
 *
 * <ul>
 *   <li>{@code DCG@k = sum_{i=1..k} gain(d_i) / log2(i + 1)}, gain = the judged grade (0 when not
 *       judged); {@code nDCG@k = DCG@k / IDCG@k}, IDCG from the judged grades sorted descending;
 *   <li>{@code Recall@k} = relevant (grade &gt; 0) documents in the top k / all relevant ones;
 *   <li>{@code MRR@k} = 1 / rank of the first relevant document in the top k, 0 if none.
 * </ul>
 *
 * Means are over every judged query that has a relevant document; a query the run lacks scores 0. A
 * document repeated in a query's list counts once, at its first rank.
 */
public final class Scorer {

    private Scorer() {}

    public static Metrics score(Qrels qrels, Ranking run) {
        double ndcg = 0;
        double recall = 0;
        double mrr = 0;
        int n = 0;
        for (String q : qrels.queryIds()) {
            Map<String, Integer> judged = qrels.of(q);
            if (judged.values().stream().noneMatch(g -> g > 0)) {
                continue; // nothing relevant: every metric is undefined for this query
            }
            List<String> ranked = dedup(run.of(q));
            ndcg += ndcg(judged, ranked, 10);
            recall += recall(judged, ranked, 100);
            mrr += mrr(judged, ranked, 10);
            n++;
        }
        return n == 0 ? new Metrics(0, 0, 0, 0) : new Metrics(ndcg / n, recall / n, mrr / n, n);
    }

    /**
     * nDCG@10 of every judged query that has a relevant document (the queries {@link #score}
     * averages over), in the qrels' order: what paired comparisons and cross-validation need.
     */
    public static Map<String, Double> ndcg10PerQuery(Qrels qrels, Ranking run) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String q : qrels.queryIds()) {
            Map<String, Integer> judged = qrels.of(q);
            if (judged.values().stream().anyMatch(g -> g > 0)) {
                out.put(q, ndcg(judged, dedup(run.of(q)), 10));
            }
        }
        return out;
    }

    static double ndcg(Map<String, Integer> judged, List<String> ranked, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranked.size()); i++) {
            int gain = Math.max(0, judged.getOrDefault(ranked.get(i), 0));
            dcg += gain / log2(i + 2);
        }
        List<Integer> ideal = new ArrayList<>(judged.values().stream().filter(g -> g > 0).toList());
        ideal.sort((a, b) -> Integer.compare(b, a));
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idcg += ideal.get(i) / log2(i + 2);
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    static double recall(Map<String, Integer> judged, List<String> ranked, int k) {
        long relevant = judged.values().stream().filter(g -> g > 0).count();
        if (relevant == 0) {
            return 0;
        }
        long found = ranked.stream().limit(k).filter(d -> judged.getOrDefault(d, 0) > 0).count();
        return (double) found / relevant;
    }

    static double mrr(Map<String, Integer> judged, List<String> ranked, int k) {
        for (int i = 0; i < Math.min(k, ranked.size()); i++) {
            if (judged.getOrDefault(ranked.get(i), 0) > 0) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    private static List<String> dedup(List<Ranking.Hit> hits) {
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (Ranking.Hit h : hits) {
            if (seen.add(h.docId())) {
                out.add(h.docId());
            }
        }
        return out;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
